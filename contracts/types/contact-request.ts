/* eslint-disable */
/**
 * GENERATED from contracts/schemas/contact-request.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * Body of PUT /contacts/{email}: the e-mail address is the path parameter, not a body field. phoneNumber is required when preferredMethod is sms.
 */
export interface ContactRequest {
  /**
   * How the patient wants to be notified.
   */
  preferredMethod: 'email' | 'sms' | 'none';
  /**
   * Where SMS notifications go; required when preferredMethod is sms.
   */
  phoneNumber?: string;
}
