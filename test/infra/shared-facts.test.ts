import '../unit/services/support/test-env';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, stackName } from '../../contracts/system-facts';
import { ROUTE_HANDLERS } from '../../services/booking/handler';
import { synthesizeStage, templateJson, type SynthesizedStage } from './support/synthesize';

/**
 * The facts cdk/, services/, local/ and ops/ share are one module (contracts/system-facts.ts);
 * these tests tie the synthesized template to it and to the booking function's router.
 */
describe('shared facts against the synthesized dev app', () => {
  let dev: SynthesizedStage;
  beforeAll(() => {
    dev = synthesizeStage('dev');
  }, 120_000);

  it('names the stacks as the facts say', () => {
    expect([dev.stateful.stackName, dev.stateless.stackName]).toEqual([stackName('dev', 'Stateful'), stackName('dev', 'Stateless')]);
  });

  it('writes every output the tools read, under the facts\' keys', () => {
    expect(Object.keys(templateJson(dev.statefulTemplate).Outputs ?? {})).toEqual(expect.arrayContaining(Object.values(STATEFUL_OUTPUTS)));
    expect(Object.keys(templateJson(dev.statelessTemplate).Outputs ?? {})).toEqual(expect.arrayContaining(Object.values(STATELESS_OUTPUTS)));
  });

  it('every route of the template is handled by the booking function, and every handled route is in the template', () => {
    const resources = templateJson(dev.statelessTemplate).Resources;
    const pathOf = (id: unknown): string => {
      const parts: string[] = [];
      let current = id as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      while (current?.Ref) {
        const resource = resources[current.Ref]!;
        parts.unshift(String(resource.Properties?.PathPart));
        current = resource.Properties?.ParentId as typeof current;
      }
      return `/${parts.join('/')}`;
    };
    const deployed = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
      .map((method) => `${String(method.Properties?.HttpMethod)} ${pathOf(method.Properties?.ResourceId)}`)
      .sort();
    expect(deployed).toEqual(Object.keys(ROUTE_HANDLERS).sort());
  });
});
