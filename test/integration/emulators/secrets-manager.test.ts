import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SECRETS_MANAGER_FILE, startSecretsManager, type RunningSecretsManager } from '../../../local/emulators/secrets-manager';
import { readCloudAssembly } from '../../../local/topology';
import type { SecretSpec } from '../../../local/topology/types';
import { removeWrittenAssemblies, writeAssembly } from '../../unit/topology/assembly-builder';
import { authStacks } from '../../unit/topology/auth-assembly';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

function templateSecrets(): SecretSpec[] {
  return readCloudAssembly(writeAssembly(authStacks()), { region: 'eu-west-2' }).secrets ?? [];
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('Secrets Manager emulator, through @aws-sdk/client-secrets-manager', () => {
  let dataDir: string;
  let emulator: RunningSecretsManager;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'secrets-manager-'));
    emulator = await startSecretsManager({ dataDir, region: 'eu-west-2' });
    client = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'eu-west-2', credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
    removeWrittenAssemblies();
  });

  it("provisions the template's secret under its ARN with a value generated as GenerateSecretString says", async () => {
    const [spec] = templateSecrets();
    if (!spec) throw new Error('the fixture has a secret');
    const [provisioned] = await emulator.provision([spec]);
    expect(provisioned).toEqual({ id: spec.id, arn: spec.arn, name: spec.name, created: true });

    const byArn = await client.send(new GetSecretValueCommand({ SecretId: spec.arn }));
    expect(byArn.ARN).toBe(spec.arn);
    expect(byArn.Name).toBe(spec.name);
    expect(byArn.VersionStages).toEqual(['AWSCURRENT']);
    expect(byArn.SecretString).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    const byName = await client.send(new GetSecretValueCommand({ SecretId: spec.name }));
    const byPartialArn = await client.send(new GetSecretValueCommand({ SecretId: spec.arn.replace(/-[0-9a-f]{6}$/, '') }));
    expect([byName.SecretString, byPartialArn.SecretString]).toEqual([byArn.SecretString, byArn.SecretString]);

    const again = await emulator.provision([spec]);
    expect(again[0]?.created).toBe(false);
    expect((await client.send(new GetSecretValueCommand({ SecretId: spec.arn }))).SecretString).toBe(byArn.SecretString);
  });

  it('serves Powertools parameters (SecretsProvider) as the functions read the key', async () => {
    const [spec] = templateSecrets();
    if (!spec) throw new Error('the fixture has a secret');
    const provider = new SecretsProvider({ awsSdkV3Client: client });
    expect(await provider.get(spec.arn, { maxAge: 0 })).toBe(emulator.currentValue(spec.arn));
  });

  it('answers an unknown secret with ResourceNotFoundException, as the SDK models it', async () => {
    const error = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'no-such-secret' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);
  });

  it('creates, updates (AWSCURRENT/AWSPREVIOUS) and describes a secret; refuses a duplicate name', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'app/api-key', SecretString: 'one', Description: 'test key' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-2:000000000000:secret:app\/api-key-[A-Za-z0-9]{6}$/);
    expect(await rejection(client.send(new CreateSecretCommand({ Name: 'app/api-key', SecretString: 'x' })))).toBeInstanceOf(ResourceExistsException);

    const put = await client.send(new PutSecretValueCommand({ SecretId: 'app/api-key', SecretString: 'two' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toBe('two');
    expect((await client.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('one');

    const described = await client.send(new DescribeSecretCommand({ SecretId: 'app/api-key' }));
    expect(described).toMatchObject({ ARN: created.ARN, Name: 'app/api-key', Description: 'test key' });
    expect(Object.values(described.VersionIdsToStages ?? {}).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
  });

  it('generates random passwords with the same rules (GetRandomPassword)', async () => {
    const { RandomPassword } = await client.send(new GetRandomPasswordCommand({ PasswordLength: 20, ExcludeNumbers: true, ExcludePunctuation: true }));
    expect(RandomPassword).toMatch(/^[A-Za-z]{20}$/);
  });

  it('keeps secrets in the data directory across a restart, so links signed with a generated key stay valid', async () => {
    const [spec] = templateSecrets();
    if (!spec) throw new Error('the fixture has a secret');
    const before = emulator.currentValue(spec.arn);
    await emulator.stop();
    expect(JSON.parse(await readFile(join(dataDir, SECRETS_MANAGER_FILE), 'utf8')).secrets.length).toBe(2);

    emulator = await startSecretsManager({ dataDir, region: 'eu-west-2' });
    client.destroy();
    client = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'eu-west-2', credentials, maxAttempts: 1 });
    expect((await emulator.provision([spec]))[0]?.created).toBe(false);
    expect((await client.send(new GetSecretValueCommand({ SecretId: spec.arn }))).SecretString).toBe(before);
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'app/api-key' }))).SecretString).toBe('two');
  });
});
