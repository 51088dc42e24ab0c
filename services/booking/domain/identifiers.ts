import { validateContact } from '../../../contracts';
import { badRequest } from '../../common/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `{id}` of `/appointments/{id}`: a UUID (returned lower-cased, as the booking service writes ids). */
export function parseAppointmentId(raw: string | undefined): string {
  if (raw === undefined || !UUID.test(raw)) {
    throw badRequest('InvalidAppointmentId', `appointment id ${JSON.stringify((raw ?? '').slice(0, 80))} is not a UUID`, [
      '/id must be a UUID such as 8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42',
    ]);
  }
  return raw.toLowerCase();
}

/**
 * The `{email}` of `/contacts/{email}`, which is the contacts table key: percent-decoded (when the
 * caller or gateway left it encoded), trimmed, validated as an e-mail and lower-cased.
 */
export function parseContactEmail(raw: string | undefined): string {
  let decoded = raw ?? '';
  if (/%[0-9a-f]{2}/i.test(decoded)) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      throw badRequest('InvalidContactEmail', 'the e-mail address in the path is not valid percent-encoding', ['/email must be percent-encoded UTF-8']);
    }
  }
  const email = decoded.trim().toLowerCase();
  const problems = validateContact({ id: email, preferredMethod: 'none', updatedAt: '2000-01-01T00:00:00Z' })
    .map((problem) => problem.replace(/^\/id /, '/email '));
  if (email === '' || problems.length > 0) {
    throw badRequest('InvalidContactEmail', 'the e-mail address in the path is invalid', problems.length > 0 ? problems : ['/email is required']);
  }
  return email;
}
