import type { LocalRuntime } from '../../local/runtime/local-runtime';
import { eventually } from './e2e-support';

const MANAGE_LINK = /\/manage\?appointment=([0-9a-f-]{36})#token=([A-Za-z0-9._-]+)/;

/** The manage token of an appointment, read from its confirmation e-mail in the local e-mail viewer. */
export async function manageTokenFromMail(runtime: LocalRuntime, appointmentId: string, timeoutMs = 30_000): Promise<string> {
  return eventually(
    `the confirmation e-mail of ${appointmentId}`,
    async () => {
      for (const mail of await runtime.emulators.ses.listEmails()) {
        const link = MANAGE_LINK.exec(mail.text ?? '');
        if (link?.[1] === appointmentId) return link[2];
      }
      return undefined;
    },
    timeoutMs,
  );
}
