import * as fs from 'node:fs';
import { readCloudAssembly, synthesizeAssembly, type TopologyWithWarnings } from '../../../local/topology';

/**
 * The project's own CDK app, synthesized in-process, read into the topology the local runtime
 * runs: the shared contract's tables, routes, pipe and event source must all be there.
 */
describe('topology of the project CDK app (dev)', () => {
  let assemblyDir: string;
  let topology: TopologyWithWarnings;

  beforeAll(async () => {
    assemblyDir = await synthesizeAssembly({ stage: 'dev' });
    topology = readCloudAssembly(assemblyDir);
  }, 180_000);

  afterAll(() => {
    if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
  });

  it('has the three tables, the appointments stream and the idempotency TTL', () => {
    const byLogical = (name: string) => topology.tables.find((table) => table.id.split('/')[1]?.startsWith(name));

    expect(topology.environment).toBe('dev');
    expect(byLogical('Appointments')).toMatchObject({ keySchema: [{ attributeName: 'id', keyType: 'HASH' }], streamViewType: 'NEW_IMAGE' });
    expect(byLogical('Contacts')).toMatchObject({ keySchema: [{ attributeName: 'id', keyType: 'HASH' }] });
    expect(byLogical('Idempotency')).toMatchObject({ timeToLiveAttribute: 'expiration' });
  });

  it('routes the booking routes to the booking function, the staff routes behind the staff user pool authorizer', () => {
    const [api] = topology.restApis;
    const booking = topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === 'booking');
    const guarded = (route: { authorization?: { type: string } }) => route.authorization?.type === 'COGNITO_USER_POOLS';

    expect(api?.stageName).toBe('dev');
    expect(api?.routes.filter((route) => !guarded(route)).map((route) => `${route.method} ${route.resourcePath}`).sort()).toEqual(
      expect.arrayContaining(['GET /appointments/{id}', 'GET /contacts/{email}', 'POST /appointments', 'PUT /contacts/{email}']),
    );
    expect(api?.routes.filter(guarded).map((route) => `${route.method} ${route.resourcePath}`).sort()).toEqual([
      'GET /staff/appointments',
      'GET /staff/appointments/{id}',
      'GET /staff/contacts/{email}',
      'PUT /staff/contacts/{email}',
    ]);
    expect(new Set(api?.routes.map((route) => route.functionId))).toEqual(new Set([booking?.id]));
    const [pool] = topology.userPools ?? [];
    expect(api?.authorizers?.map((authorizer) => [authorizer.identityHeader, authorizer.userPoolIds])).toEqual([['Authorization', [pool?.id]]]);
    expect(api?.gatewayResponses?.map((response) => response.responseType)).toEqual(expect.arrayContaining(['UNAUTHORIZED', 'ACCESS_DENIED']));
  });

  it('has the staff user pool with its client and staff group, and the manage-token key the functions are given', () => {
    const [pool] = topology.userPools ?? [];
    const [secret] = topology.secrets ?? [];
    expect(pool?.allowAdminCreateUserOnly).toBe(true);
    expect(topology.userPoolClients?.map((client) => client.explicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH'))).toEqual([true]);
    expect(topology.userPoolGroups?.map((group) => group.groupName)).toEqual(['staff']);
    expect(secret?.generate).toMatchObject({ passwordLength: 64, excludePunctuation: true });
    const service = (name: string) => topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === name);
    expect([service('booking')?.environment.MANAGE_TOKEN_SECRET_ARN, service('notifier')?.environment.MANAGE_TOKEN_SECRET_ARN]).toEqual([secret?.arn, secret?.arn]);
  });

  it('gives each function its contract variables, resolved to local table names', () => {
    const tableName = (prefix: string) => topology.tables.find((table) => table.id.split('/')[1]?.startsWith(prefix))?.tableName;
    const service = (name: string) => topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === name);

    expect(service('booking')?.environment).toMatchObject({ APPOINTMENTS_TABLE_NAME: tableName('Appointments'), CONTACTS_TABLE_NAME: tableName('Contacts') });
    expect(service('enrichment')?.environment).toMatchObject({ CONTACTS_TABLE_NAME: tableName('Contacts') });
    expect(service('notifier')?.environment).toMatchObject({ APPOINTMENTS_TABLE_NAME: tableName('Appointments'), IDEMPOTENCY_TABLE_NAME: tableName('Idempotency') });
    for (const fn of topology.functions) expect(fs.existsSync(fn.codeDirectory)).toBe(true);
  });

  it('has the pipe from the appointments stream through the enrichment to the notifications queue, INSERT only', () => {
    const [pipe] = topology.pipes;
    const enrichment = topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === 'enrichment');
    const mapping = topology.sqsEventSourceMappings[0];

    expect(pipe?.source.tableId).toBe(topology.tables.find((table) => table.streamViewType)?.id);
    expect(pipe?.filterPatterns.map((pattern) => JSON.parse(pattern))).toEqual([{ eventName: ['INSERT'] }]);
    expect(pipe?.enrichmentFunctionId).toBe(enrichment?.id);
    expect(pipe?.target.queueId).toBe(mapping?.queueId);
    expect(topology.queues.find((queue) => queue.id === mapping?.queueId)?.redrivePolicy).toBeDefined();
    expect(mapping?.reportBatchItemFailures).toBe(true);
  });
});
