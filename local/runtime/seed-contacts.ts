import seed from './seed-contacts.json';

export interface SeedContact {
  email: string;
  preference: { preferredMethod: 'email' | 'sms' | 'none'; phoneNumber?: string };
}

export const SEED_CONTACTS: readonly SeedContact[] = seed as SeedContact[];

/**
 * Sets the seed contacts' preferences through the API (`PUT /contacts/{email}`), as a person
 * would, so they pass the same validation as any other contact.
 */
export async function seedContacts(apiUrl: string, contacts: readonly SeedContact[] = SEED_CONTACTS): Promise<void> {
  for (const contact of contacts) {
    const response = await fetch(new URL(`contacts/${encodeURIComponent(contact.email)}`, apiUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(contact.preference),
    });
    if (!response.ok) {
      throw new Error(`seeding contact ${contact.email} failed: PUT /contacts answered ${response.status} ${await response.text()}`);
    }
  }
}
