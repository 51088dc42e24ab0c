import { createDynamoDbClient, createSecretsManagerClient, createSesClient, createSnsClient } from '../../../../services/common/aws-clients';

describe('AWS client factory', () => {
  it('points each client at its endpoint override', async () => {
    const connection = {
      region: 'eu-west-2',
      endpoints: { dynamodb: 'http://127.0.0.1:8000', sesv2: 'http://127.0.0.1:8005', sns: 'http://127.0.0.1:9324', secretsManager: 'http://127.0.0.1:4584' },
    };

    const clients = [createDynamoDbClient(connection), createSesClient(connection), createSnsClient(connection), createSecretsManagerClient(connection)];

    const endpoints = await Promise.all(clients.map(async (client) => (await client.config.endpoint!()).hostname + ':' + (await client.config.endpoint!()).port));
    expect(endpoints).toEqual(['127.0.0.1:8000', '127.0.0.1:8005', '127.0.0.1:9324', '127.0.0.1:4584']);
    expect(await clients[0]!.config.region()).toBe('eu-west-2');
  });

  it('leaves the endpoint to the SDK when there is no override', () => {
    const client = createDynamoDbClient({ region: 'eu-west-2', endpoints: {} });

    expect(client.config.endpoint).toBeUndefined();
  });
});
