import { ContractValidationError, parseContact, parseContactRequest, type Contact } from '../../../contracts';
import { badRequest } from '../../common/errors';

/** Validates a PUT /contacts/{email} body and builds the stored contact for `email` (already normalised). */
export function setContactPreference(body: unknown, email: string, now: Date): Contact {
  try {
    const request = parseContactRequest(body);
    const contact: Contact = { id: email, preferredMethod: request.preferredMethod, updatedAt: now.toISOString() };
    if (request.phoneNumber !== undefined) contact.phoneNumber = request.phoneNumber;
    return parseContact(contact);
  } catch (error) {
    if (error instanceof ContractValidationError) {
      throw badRequest('ValidationFailed', 'The contact preference is invalid', error.errors);
    }
    throw error;
  }
}
