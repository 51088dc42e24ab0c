import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../../../local/api';
import { LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators';
import { createFunctionHost, type FunctionHost } from '../../../local/lambda';
import { provisionResources } from '../../../local/provision/provision-resources';
import { readCloudAssembly, synthesizeAssembly } from '../../../local/topology';
import { appointmentRequestText, contactEmailParameter, contactRequestText, contentType, headerNameCase, nonJsonText, percentMangled } from '../../fuzz/booking-arbitraries';
import { errorAnswerProblems } from '../../fuzz/booking-oracle';
import { FuzzTally } from '../../fuzz/fuzz-settings';
import { sendRaw } from '../../fuzz/raw-http';

/**
 * Fuzzes the local API Gateway with raw HTTP over real sockets: the real booking function, bundled
 * by the dev CDK app and run by the function host, behind the local API server, on DynamoDB Local.
 * API Gateway's own answers (403 for no route, 413 past its limit) are fine; a 5xx would mean the
 * function crashed or answered badly.
 */

const tally = new FuzzTally('local API (raw HTTP, real booking function, DynamoDB Local)');
let assemblyDir: string;
let dynamodbLocal: RunningDynamoDbLocal | undefined;
let functions: FunctionHost | undefined;
let api: RunningApiServer | undefined;
let stage: string;
const problems: string[] = [];

beforeAll(async () => {
  assemblyDir = await synthesizeAssembly({ stage: 'dev', outdir: mkdtempSync(join(tmpdir(), 'fuzz-assembly-')) });
  const topology = readCloudAssembly(assemblyDir, { environment: 'dev' });
  dynamodbLocal = await startDynamoDbLocal({});
  const credentials = { accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY };
  const dynamodb = new DynamoDBClient({ region: topology.region, endpoint: dynamodbLocal.endpoint, credentials });
  const sqs = new SQSClient({ region: topology.region, endpoint: 'http://127.0.0.1:1', credentials });
  // Only the tables: the booking function touches nothing else.
  await provisionResources({ ...topology, queues: [], topics: [] }, { dynamodb, sqs });
  dynamodb.destroy();
  sqs.destroy();
  const restApi = topology.restApis[0]!;
  const bookingIds = new Set(restApi.routes.map((route) => route.functionId));
  functions = createFunctionHost({
    functions: topology.functions.filter((fn) => bookingIds.has(fn.id)),
    environmentOverrides: { AWS_ENDPOINT_URL_DYNAMODB: dynamodbLocal.endpoint, AWS_REGION: topology.region, AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY },
    maxEnvironmentsPerFunction: 1,
  });
  api = await startApiServer({
    api: restApi,
    accountId: topology.accountId,
    invoke: (functionId, event) => functions!.invoke(functionId, event),
    onRequest: (log) => {
      if (log.status >= 500) problems.push(`${log.method} ${log.path} → ${log.status}: ${log.problem ?? ''}`);
    },
  });
  stage = restApi.stageName;
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await functions?.stop();
  await dynamodbLocal?.stop();
  if (assemblyDir) rmSync(assemblyDir, { recursive: true, force: true });
  process.stdout.write(`${tally.summary()}\n`);
});

interface RawCase {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  // A Content-Length shorter than the bytes sent is not generated: Node's HTTP parser reads the rest
  // as a second, malformed request and answers it itself (400, empty body) before the function
  // answers the first; that is the transport, not the API (see the fuzz report).
  framing: 'length' | 'chunked' | 'none';
}

const pathSegment = fc.oneof(
  fc.uuid(),
  percentMangled(fc.string({ maxLength: 20 })).map((value) => encodeURI(value).replace(/[#?]/g, encodeURIComponent)),
  contactEmailParameter(['jane@example.com']).map((value) => encodeURI(value).replace(/[#?]/g, encodeURIComponent)),
  fc.constantFrom('%2F', '..', '.', '%2e%2e', '%00', '%FF%FE', '%C0%AF', '%', '%%', 'a%2Fb', '~', "!$&'()*+,;=:@", '%E2%80%AE'),
  // Node's HTTP parser answers a request line past its 16 KiB header limit itself (431, empty
  // body) before the API sees it; API Gateway's own URL limit is 8 KiB, so stay under both.
).filter((segment) => segment.length <= 4_000);

const target: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('/{stage}/appointments', '/{stage}/appointments/{segment}', '/{stage}/contacts/{segment}', '/{stage}/contacts/{segment}/extra', '/appointments', '/{stage}', '/{stage}/', '/{stage}//appointments', '/{STAGE}/appointments', '/{stage}/appointments/', '/', '/{stage}/unknown/{segment}'),
    pathSegment,
    fc.option(fc.constantFrom('?a=1', '?', '?x=%ZZ&y', '?email=a%40b.co&email=c', '?&&&'), { nil: '' }),
  )
  .map(([template, segment, query]) => `${template.replace('{stage}', '\u0000').replace('{STAGE}', '\u0001').replace('{segment}', segment)}${query}`);

const body: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(appointmentRequestText(), contactRequestText, nonJsonText()).map((text) => Buffer.from(text, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.integer({ min: 16 * 1024 - 2, max: 200_000 }).map((size) => Buffer.from(`{"notes":"${'x'.repeat(size)}"}`)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);

const rawCase: fc.Arbitrary<RawCase> = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND'),
    target,
    contentType,
    headerNameCase('content-type'),
    fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), fc.stringMatching(/^[\x20-\x7e]{0,40}$/)), { maxLength: 3 }),
    body,
    fc.constantFrom<RawCase['framing']>('length', 'length', 'length', 'chunked', 'none'),
  )
  .map(([method, path, type, typeName, noise, payload, framing]) => {
    const headers: Array<[string, string]> = noise.filter(([name]) => !/^(content-length|transfer-encoding|connection|host|expect|upgrade)$/i.test(name));
    if (type.value !== undefined && /^[\x20-\x7e]*$/.test(type.value)) headers.push([typeName, type.value]);
    return { method, target: path, headers, body: payload, framing: framing === 'none' && payload.length > 0 ? 'length' : framing };
  });

function encode(request: RawCase): Buffer {
  const lines = [`${request.method} ${request.target.replace('\u0000', stage).replace('\u0001', stage.toUpperCase())} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  let payload = request.body;
  if (request.framing === 'length') lines.push(`Content-Length: ${payload.length}`);
  else if (request.framing === 'chunked') {
    lines.push('Transfer-Encoding: chunked');
    payload = payload.length === 0 ? Buffer.from('0\r\n\r\n') : Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

describe('local API fuzz (raw HTTP)', () => {
  it('answers every generated request with a JSON body and never a 5xx', async () => {
    const property = 'raw HTTP requests';
    await fc.assert(
      fc.asyncProperty(rawCase, async (request) => {
        tally.count(property);
        const response = await sendRaw(api!.port, encode(request));

        const description = `${request.method} ${request.target} → ${response.status} ${response.body.subarray(0, 200).toString('utf8')}`;
        if (response.status >= 500) throw new Error(`5xx: ${description}; ${problems.at(-1) ?? ''}`);
        if (request.method === 'HEAD') return;
        let json: unknown;
        try {
          json = JSON.parse(response.body.toString('utf8'));
        } catch {
          throw new Error(`body is not JSON: ${description}`);
        }
        // API Gateway's own answers say so in x-amzn-ErrorType; the function's errors are error-responses.
        if (response.status >= 400 && response.headers['x-amzn-errortype'] === undefined) {
          const found = errorAnswerProblems({ statusCode: response.status, headers: response.headers, body: response.body.toString('utf8') });
          if (found.length > 0) throw new Error(`${found.join('; ')}: ${description}`);
        } else if (response.status >= 400) {
          expect(typeof (json as { message?: unknown }).message).toBe('string');
        }
      }),
      tally.parameters(property, 1_000),
    );
    expect(problems).toEqual([]);
  }, 180_000);
});
