import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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

/** The manage-token key the local runtime's functions read (the template's secret, from the local Secrets Manager). */
export async function manageTokenKeyOf(runtime: LocalRuntime): Promise<string> {
  const reader = runtime.topology.functions.find((fn) => fn.environment.MANAGE_TOKEN_SECRET_ARN);
  if (!reader) throw new Error('no function reads the manage-token secret');
  const client = new SecretsManagerClient({
    region: runtime.topology.region,
    endpoint: runtime.emulators.environment.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: reader.environment.MANAGE_TOKEN_SECRET_ARN }));
    if (!SecretString) throw new Error('the manage-token secret has no value');
    return SecretString;
  } finally {
    client.destroy();
  }
}
