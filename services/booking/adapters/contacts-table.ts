import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseContact, type Contact } from '../../../contracts';

export interface ContactsTable {
  put(contact: Contact): Promise<void>;
  get(email: string): Promise<Contact | undefined>;
}

export function contactsTable(client: DynamoDBClient, tableName: string): ContactsTable {
  return {
    async put(contact) {
      // Last write wins: setting a preference replaces the previous one.
      await client.send(new PutItemCommand({ TableName: tableName, Item: marshall(contact, { removeUndefinedValues: true }) }));
    },
    async get(email) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: email } }, ConsistentRead: true }));
      return Item ? parseContact(unmarshall(Item)) : undefined;
    },
  };
}
