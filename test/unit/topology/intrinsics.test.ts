import { readCloudAssembly } from '../../../local/topology';
import { InvalidResourceError, MissingAssetError, TopologyError, UnresolvableReferenceError, UnsupportedIntrinsicError, UnsupportedResourceError } from '../../../local/topology/errors';
import { CODE_ASSET, functionTemplate, removeWrittenAssemblies, writeAssembly } from './assembly-builder';

afterAll(removeWrittenAssemblies);

function environmentOf(variables: Record<string, unknown>, resources: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, string> {
  const dir = writeAssembly([{ name: 'App', template: functionTemplate(variables, resources, extra), assets: CODE_ASSET }]);
  const [fn] = readCloudAssembly(dir, { accountId: '123456789012' }).functions;
  return fn?.environment ?? {};
}

function errorOf(run: () => unknown): TopologyError {
  try {
    run();
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('expected a TopologyError');
}

const queue = { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } } };

describe('intrinsic resolution', () => {
  it('resolves pseudo parameters from the options and the manifest region', () => {
    const env = environmentOf({
      REGION: { Ref: 'AWS::Region' },
      ACCOUNT: { Ref: 'AWS::AccountId' },
      PARTITION: { Ref: 'AWS::Partition' },
      SUFFIX: { Ref: 'AWS::URLSuffix' },
      STACK: { Ref: 'AWS::StackName' },
      GONE: { Ref: 'AWS::NoValue' },
    });

    expect(env).toEqual({ REGION: 'eu-west-1', ACCOUNT: '123456789012', PARTITION: 'aws', SUFFIX: 'amazonaws.com', STACK: 'App' });
  });

  it('resolves parameters from their defaults', () => {
    const env = environmentOf({ LEVEL: { Ref: 'Level' }, LIST: { 'Fn::Join': ['+', { Ref: 'Names' }] } }, {}, {
      Parameters: { Level: { Type: 'String', Default: 'DEBUG' }, Names: { Type: 'CommaDelimitedList', Default: 'a,b' } },
    });

    expect(env).toEqual({ LEVEL: 'DEBUG', LIST: 'a+b' });
  });

  it('resolves Ref and GetAtt of queues to local names, URLs and ARNs, in both GetAtt forms', () => {
    const env = environmentOf({ URL: { Ref: 'Q' }, ARN: { 'Fn::GetAtt': ['Q', 'Arn'] }, NAME: { 'Fn::GetAtt': 'Q.QueueName' }, QURL: { 'Fn::GetAtt': ['Q', 'QueueUrl'] } }, queue);

    expect(env).toEqual({
      URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs',
      ARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
      NAME: 'jobs',
      QURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs',
    });
  });

  it('resolves queue URLs on the local SQS endpoint when one is given', () => {
    const dir = writeAssembly([{ name: 'App', template: functionTemplate({ URL: { Ref: 'Q' } }, queue), assets: CODE_ASSET }]);

    const topology = readCloudAssembly(dir, { sqsEndpoint: 'http://127.0.0.1:4566/' });

    expect(topology.functions[0]?.environment.URL).toBe('http://127.0.0.1:4566/000000000000/jobs');
  });

  it('resolves both forms of Fn::Sub, with literal ${!...}, attributes and variables', () => {
    const env = environmentOf(
      {
        PLAIN: { 'Fn::Sub': 'q=${Q} arn=${Q.Arn} r=${AWS::Region} lit=${!NotAVariable}' },
        VARS: { 'Fn::Sub': ['${Who}-${AWS::AccountId}', { Who: { 'Fn::GetAtt': ['Q', 'QueueName'] } }] },
      },
      queue,
    );

    expect(env.PLAIN).toBe('q=https://sqs.eu-west-1.amazonaws.com/123456789012/jobs arn=arn:aws:sqs:eu-west-1:123456789012:jobs r=eu-west-1 lit=${NotAVariable}');
    expect(env.VARS).toBe('jobs-123456789012');
  });

  it('resolves Join, Select, Split, FindInMap and Base64', () => {
    const env = environmentOf(
      {
        JOIN: { 'Fn::Join': ['/', ['a', { Ref: 'AWS::Region' }, 'c']] },
        SELECT: { 'Fn::Select': [2, { 'Fn::Split': [',', 'x,y,z'] }] },
        MAP: { 'Fn::FindInMap': ['Sizes', { Ref: 'AWS::Region' }, 'Memory'] },
        B64: { 'Fn::Base64': 'hi' },
      },
      {},
      { Mappings: { Sizes: { 'eu-west-1': { Memory: '512' } } } },
    );

    expect(env).toEqual({ JOIN: 'a/eu-west-1/c', SELECT: 'z', MAP: '512', B64: 'aGk=' });
  });

  it('evaluates Conditions for Fn::If and for resources that only exist under a condition', () => {
    const dir = writeAssembly([
      {
        name: 'App',
        assets: CODE_ASSET,
        template: functionTemplate(
          { MODE: { 'Fn::If': ['IsProd', 'prod', 'dev'] }, BOTH: { 'Fn::If': ['NotProdAndEu', 'yes', { Ref: 'AWS::NoValue' }] } },
          { ProdOnlyQueue: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' }, DevQueue: { Type: 'AWS::SQS::Queue', Condition: 'NotProdAndEu' } },
          {
            Parameters: { Stage: { Type: 'String', Default: 'dev' } },
            Conditions: {
              IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
              NotProdAndEu: { 'Fn::And': [{ 'Fn::Not': [{ Condition: 'IsProd' }] }, { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }, { 'Fn::Equals': ['a', 'b'] }] }] },
            },
          },
        ),
      },
    ]);

    const topology = readCloudAssembly(dir);

    expect(topology.functions[0]?.environment).toEqual({ MODE: 'dev', BOTH: 'yes' });
    expect(topology.queues.map((q) => q.id)).toEqual(['App/DevQueue']);
  });

  it('resolves Fn::ImportValue through the exporting stack, with its own resources', () => {
    const dir = writeAssembly([
      {
        name: 'Data',
        template: {
          Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] } } },
          Outputs: { TableOut: { Value: { Ref: 'Table' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}:TableName' } } } },
        },
      },
      { name: 'Compute', dependencies: ['Data'], assets: CODE_ASSET, template: functionTemplate({ TABLE: { 'Fn::ImportValue': 'Data:TableName' } }) },
    ]);

    const topology = readCloudAssembly(dir);

    expect(topology.functions[0]?.environment).toEqual({ TABLE: 'Data-Table' });
    expect(topology.tables[0]?.tableName).toBe('Data-Table');
  });

  it('gives FIFO queues a .fifo name, keeps names unique when the CDK hash is stripped, and trims to AWS limits', () => {
    const long = 'L'.repeat(90);
    const dir = writeAssembly([
      {
        name: 'App',
        template: {
          Resources: {
            JobsCCCCCCCC: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
            OrdersAAAAAAAA: { Type: 'AWS::SQS::Queue' },
            OrdersBBBBBBBB: { Type: 'AWS::SQS::Queue' },
            [long]: { Type: 'AWS::SQS::Queue' },
          },
        },
      },
    ]);

    const names = readCloudAssembly(dir).queues.map((q) => q.queueName);

    expect(names.slice(0, 3)).toEqual(['App-Jobs.fifo', 'App-Orders', 'App-OrdersBBBBBBBB']);
    expect(names[3]?.length).toBe(80);
    expect(names[3]).toMatch(/^App-L+-[0-9a-f]{8}$/);
    expect(readCloudAssembly(dir).queues.map((q) => q.queueName)).toEqual(names);
  });

  it('names the resource and path of an unsupported intrinsic', () => {
    const error = errorOf(() => environmentOf({ AZ: { 'Fn::GetAZs': '' } }));

    expect(error).toBeInstanceOf(UnsupportedIntrinsicError);
    expect(error.code).toBe('UnsupportedIntrinsic');
    expect(error.message).toBe('App/Fn at Properties.Environment.Variables.AZ.Fn::GetAZs: cannot resolve Fn::GetAZs locally: this intrinsic function is not supported by the local runtime');
  });

  it.each([
    ['a Ref to nothing', { X: { Ref: 'Nope' } }, {}, /App\/Fn at Properties\.Environment\.Variables\.X\.Ref: Ref Nope: no resource, parameter or pseudo parameter/],
    ['a missing export', { X: { 'Fn::ImportValue': 'Other:Thing' } }, {}, /no stack in the assembly exports "Other:Thing"/],
    ['an SSM parameter', { X: { Ref: 'P' } }, { Parameters: { P: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/path' } } }, /read from SSM Parameter Store/],
    ['a parameter without default', { X: { Ref: 'P' } }, { Parameters: { P: { Type: 'String' } } }, /parameter P has no Default/],
    ['an undefined condition', { X: { 'Fn::If': ['Missing', 'a', 'b'] } }, {}, /condition Missing is not defined/],
  ])('throws an unresolvable reference error for %s', (_name, variables, extra, message) => {
    const error = errorOf(() => environmentOf(variables as Record<string, unknown>, {}, extra));

    expect(error).toBeInstanceOf(UnresolvableReferenceError);
    expect(error.message).toMatch(message);
  });

  it('refuses a GetAtt attribute without a local value', () => {
    const error = errorOf(() => environmentOf({ X: { 'Fn::GetAtt': ['Q', 'Nonsense'] } }, queue));

    expect(error.message).toMatch(/attribute Nonsense of AWS::SQS::Queue Q has no local value/);
  });
});

describe('resource errors', () => {
  it('reports a function whose code asset is not in the assembly', () => {
    const dir = writeAssembly([{ name: 'App', template: functionTemplate({}) }]);

    const error = errorOf(() => readCloudAssembly(dir));

    expect(error).toBeInstanceOf(MissingAssetError);
    expect(error.message).toMatch(/App\/Fn at Properties\.Code\.S3Key: no file asset .* "code\.zip"/);
  });

  it('reports a pipe whose source is not a table stream of the assembly', () => {
    const dir = writeAssembly([
      { name: 'App', template: { Resources: { ...queue, Pipe: { Type: 'AWS::Pipes::Pipe', Properties: { Source: 'arn:aws:kinesis:eu-west-1:1:stream/x', Target: { 'Fn::GetAtt': ['Q', 'Arn'] }, RoleArn: 'r' } } } } },
    ]);

    const error = errorOf(() => readCloudAssembly(dir));

    expect(error).toBeInstanceOf(UnsupportedResourceError);
    expect(error.message).toMatch(/App\/Pipe at Properties\.Source: .*only DynamoDB stream sources run locally/);
  });

  it('reports a redrive policy to a queue that does not exist', () => {
    const dir = writeAssembly([{ name: 'App', template: { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:1:elsewhere', maxReceiveCount: 3 } } } } } }]);

    const error = errorOf(() => readCloudAssembly(dir));

    expect(error).toBeInstanceOf(InvalidResourceError);
    expect(error.message).toMatch(/App\/Q at Properties\.RedrivePolicy: deadLetterTargetArn "arn:aws:sqs:eu-west-1:1:elsewhere" is not a queue of this assembly/);
  });

  it('reports out-of-range values and missing directories', () => {
    const dir = writeAssembly([{ name: 'App', template: { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 99999 } } } } }]);

    expect(() => readCloudAssembly(dir)).toThrow(/App\/Q at Properties\.VisibilityTimeout: 99999 is outside 0\.\.43200/);
    expect(errorOf(() => readCloudAssembly('/nonexistent/assembly')).code).toBe('AssemblyNotFound');
  });

  it('skips non-Node functions and event sources it cannot poll, with warnings', () => {
    const dir = writeAssembly([
      {
        name: 'App',
        assets: CODE_ASSET,
        template: functionTemplate({}, {
          PyFn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.b', Code: { S3Bucket: 'b', S3Key: 'code.zip' } } },
          Kinesis: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: 'arn:aws:kinesis:eu-west-1:1:stream/s', FunctionName: { Ref: 'Fn' } } },
          Custom: { Type: 'Custom::Thing', Properties: { ServiceToken: 'x' } },
        }),
      },
    ]);

    const topology = readCloudAssembly(dir);

    expect(topology.functions.map((fn) => fn.id)).toEqual(['App/Fn']);
    expect(topology.sqsEventSourceMappings).toEqual([]);
    expect(topology.warnings).toEqual(
      expect.arrayContaining([
        'not emulated locally: App/PyFn uses runtime python3.12; only Node.js functions run locally',
        expect.stringMatching(/event source mapping App\/Kinesis reads arn:aws:kinesis/),
        'not emulated locally: Custom::Thing (1): App/Custom',
      ]),
    );
  });
});
