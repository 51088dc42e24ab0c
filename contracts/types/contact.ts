/* eslint-disable */
/**
 * GENERATED from contracts/schemas/contact.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * A contact preference as stored in the contacts table (key id = the e-mail address, lower-cased) and returned by GET/PUT /contacts/{email}.
 */
export interface Contact {
  /**
   * The contact's e-mail address, lower-cased: the table's partition key.
   */
  id: string;
  /**
   * How the patient wants to be notified.
   */
  preferredMethod: 'email' | 'sms' | 'none';
  /**
   * Where SMS notifications go; required when preferredMethod is sms.
   */
  phoneNumber?: string;
  /**
   * When the preference was last set (UTC).
   */
  updatedAt: string;
}
