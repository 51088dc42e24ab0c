import seed from './seed-contacts.json';

export interface SeedContact {
  email: string;
  preference: { preferredMethod: 'email' | 'sms' | 'none'; phoneNumber?: string };
}

export const SEED_CONTACTS: readonly SeedContact[] = seed as SeedContact[];

/**
 * Sets the seed contacts' preferences through the API as a member of staff would
 * (`PUT /staff/contacts/{email}` with a staff ID token), so they pass the same authorization and
 * validation as any other contact.
 */
export async function seedContacts(apiUrl: string, staffIdToken: string, contacts: readonly SeedContact[] = SEED_CONTACTS): Promise<void> {
  for (const contact of contacts) {
    const response = await fetch(new URL(`staff/contacts/${encodeURIComponent(contact.email)}`, apiUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staffIdToken}` },
      body: JSON.stringify(contact.preference),
    });
    if (!response.ok) {
      throw new Error(`seeding contact ${contact.email} failed: PUT /staff/contacts answered ${response.status} ${await response.text()}`);
    }
  }
}
