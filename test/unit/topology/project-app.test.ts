import * as fs from 'node:fs';
import { PRACTICE_DENTISTS } from '../../../cdk/config/environments';
import { API_ROUTES, routeKey } from '../../../contracts/api-routes';
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

  it('has the five tables, the appointments stream and by-date index, the idempotency and quota TTLs, and the notifications by appointment', () => {
    const byLogical = (name: string) => topology.tables.find((table) => table.id.split('/')[1]?.startsWith(name));

    expect(topology.environment).toBe('dev');
    expect(topology.tables).toHaveLength(5);
    expect(byLogical('Appointments')).toMatchObject({
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
      streamViewType: 'NEW_IMAGE',
      globalSecondaryIndexes: [
        {
          indexName: 'byAppointmentDate',
          keySchema: [
            { attributeName: 'appointmentDate', keyType: 'HASH' },
            { attributeName: 'appointmentDateTime', keyType: 'RANGE' },
          ],
          projectionType: 'ALL',
        },
      ],
    });
    expect(byLogical('Appointments')?.attributeDefinitions).toEqual(
      expect.arrayContaining([
        { attributeName: 'appointmentDate', attributeType: 'S' },
        { attributeName: 'appointmentDateTime', attributeType: 'S' },
      ]),
    );
    expect(byLogical('Contacts')).toMatchObject({ keySchema: [{ attributeName: 'id', keyType: 'HASH' }] });
    expect(byLogical('Idempotency')).toMatchObject({ timeToLiveAttribute: 'expiration' });
    // The per-recipient quota: one item per hashed recipient, expiring after its window.
    expect(byLogical('RecipientQuota')).toMatchObject({ keySchema: [{ attributeName: 'id', keyType: 'HASH' }], timeToLiveAttribute: 'expiresAt' });
    expect(byLogical('RecipientQuota')?.streamViewType).toBeUndefined();
    // Each notification of an appointment, with no stream: recording an outcome reaches no pipe.
    expect(byLogical('Notifications')).toMatchObject({ keySchema: [{ attributeName: 'appointmentId', keyType: 'HASH' }, { attributeName: 'notificationId', keyType: 'RANGE' }] });
    expect(byLogical('Notifications')?.streamViewType).toBeUndefined();
  });

  it("runs the three Node.js functions, not CDK's BucketDeployment provider, whose files the local site server serves", () => {
    expect(topology.functions.map((fn) => fn.environment.POWERTOOLS_SERVICE_NAME).sort()).toEqual(['booking', 'enrichment', 'notifier']);
    expect(topology.warnings.filter((warning) => /uses runtime/.test(warning))).toEqual([]);
    expect(topology.sites?.[0]?.buckets).toBeDefined();
  });

  it('routes every route of the shared definition (public, patient and staff) to the booking function', () => {
    const [api] = topology.restApis;
    const booking = topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === 'booking');

    expect(topology.restApis).toHaveLength(1);
    expect(api?.stageName).toBe('dev');
    expect(api?.routes.map((route) => `${route.method} ${route.resourcePath}`).sort()).toEqual(API_ROUTES.map(routeKey).sort());
    // The authorizer sits on exactly the routes the shared definition calls staff.
    const guarded = (route: { authorization?: { type: string } }) => route.authorization?.type === 'COGNITO_USER_POOLS';
    expect(api?.routes.filter(guarded).map((route) => `${route.method} ${route.resourcePath}`).sort()).toEqual(
      API_ROUTES.filter((route) => route.access === 'staff').map(routeKey).sort(),
    );
    const [pool] = topology.userPools ?? [];
    expect(api?.authorizers?.map((authorizer) => [authorizer.identityHeader, authorizer.userPoolIds])).toEqual([['Authorization', [pool?.id]]]);
    expect(api?.gatewayResponses?.map((response) => response.responseType)).toEqual(expect.arrayContaining(['UNAUTHORIZED', 'ACCESS_DENIED']));
    expect(new Set(api?.routes.map((route) => route.functionId))).toEqual(new Set([booking?.id]));
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

    const appointmentsIndex = topology.tables.find((table) => table.id.split('/')[1]?.startsWith('Appointments'))?.globalSecondaryIndexes[0]?.indexName;

    expect(service('booking')?.environment).toMatchObject({
      APPOINTMENTS_TABLE_NAME: tableName('Appointments'),
      APPOINTMENTS_BY_DATE_INDEX_NAME: appointmentsIndex,
      CONTACTS_TABLE_NAME: tableName('Contacts'),
    });
    expect(JSON.parse(service('booking')!.environment.DENTISTS!)).toEqual(PRACTICE_DENTISTS);
    expect(service('enrichment')?.environment).toMatchObject({ CONTACTS_TABLE_NAME: tableName('Contacts') });
    expect(service('notifier')?.environment).toMatchObject({
      APPOINTMENTS_TABLE_NAME: tableName('Appointments'),
      IDEMPOTENCY_TABLE_NAME: tableName('Idempotency'),
      RECIPIENT_QUOTA_TABLE_NAME: tableName('RecipientQuota'),
      NOTIFICATIONS_PER_RECIPIENT_PER_DAY: expect.stringMatching(/^[1-9]\d*$/),
      SMS_COUNTRY_CALLING_CODES: expect.stringMatching(/^[1-9]\d{0,2}(,[1-9]\d{0,2})*$/),
      MANAGE_TOKEN_VALIDITY_SECONDS: expect.stringMatching(/^[1-9]\d*$/),
      SITE_URL: expect.stringMatching(/^https?:\/\/\S+[^/]$/),
    });
    // The booking function verifies with the key the notifier signs with: one secret for both.
    expect(service('booking')?.environment.MANAGE_TOKEN_SECRET_ARN).toBeTruthy();
    expect(service('notifier')?.environment.MANAGE_TOKEN_SECRET_ARN).toBe(service('booking')?.environment.MANAGE_TOKEN_SECRET_ARN);
    // The enrichment neither signs nor verifies tokens: it gets no key.
    expect(service('enrichment')?.environment).not.toHaveProperty('MANAGE_TOKEN_SECRET_ARN');
    for (const fn of topology.functions) expect(fs.existsSync(fn.codeDirectory)).toBe(true);
  });

  it('has the pipe from the appointments stream through the enrichment to the notifications queue, passing patient-visible changes only', () => {
    const [pipe] = topology.pipes;
    const enrichment = topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === 'enrichment');
    const mapping = topology.sqsEventSourceMappings[0];

    expect(pipe?.source.tableId).toBe(topology.tables.find((table) => table.streamViewType)?.id);
    expect(pipe?.filterPatterns.map((pattern) => JSON.parse(pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { lastChange: { M: { kind: { S: ['booked'] } } } } } },
      { eventName: ['MODIFY'], dynamodb: { NewImage: { lastChange: { M: { kind: { S: ['rescheduled', 'cancelled'] } } } } } },
    ]);
    expect(pipe?.enrichmentFunctionId).toBe(enrichment?.id);
    expect(pipe?.target.queueId).toBe(mapping?.queueId);
    expect(topology.queues.find((queue) => queue.id === mapping?.queueId)?.redrivePolicy).toBeDefined();
    expect(mapping?.reportBatchItemFailures).toBe(true);
  });

  it("has the reminders' schedule group and the scheduler role the notifier is told to pass, allowed to send only to the notifications queue and the reminders DLQ", () => {
    const notifier = topology.functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === 'notifier');
    const env = notifier?.environment ?? {};
    expect(topology.scheduleGroups?.map((group) => group.name)).toEqual([env.SCHEDULE_GROUP_NAME]);
    expect(topology.schedulerRoles?.map((role) => role.arn)).toEqual([env.SCHEDULER_ROLE_ARN]);
    const sendTo = topology.schedulerRoles?.[0]?.statements.filter((statement) => statement.actions.includes('sqs:SendMessage')).flatMap((statement) => statement.resources);
    expect(sendTo?.sort()).toEqual([env.REMINDER_TARGET_ARN, env.REMINDER_DLQ_ARN].sort());
    const mapping = topology.sqsEventSourceMappings.find((candidate) => candidate.functionId === notifier?.id);
    expect(topology.queues.find((queue) => queue.id === mapping?.queueId)?.arn).toBe(env.REMINDER_TARGET_ARN);
  });
});
