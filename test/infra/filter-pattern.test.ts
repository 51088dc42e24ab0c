import { STAGES } from '../../cdk/config/environments';
import { InvalidEventPatternError, validateEventPattern } from '../../local/pipes/event-pattern';
import { removeSynthesizedOutput, synthesizeStage, templateJson } from './support/synthesize';

describe('synthesized pipe filters against the EventBridge pattern rules', () => {
  const patterns: Array<{ stage: string; pipe: string; pattern: string }> = [];

  beforeAll(() => {
    for (const stage of STAGES) {
      const template = templateJson(synthesizeStage(stage).statelessTemplate);
      for (const [id, resource] of Object.entries(template.Resources)) {
        if (resource.Type !== 'AWS::Pipes::Pipe') continue;
        const criteria = (resource.Properties?.SourceParameters as { FilterCriteria?: { Filters: Array<{ Pattern: string }> } }).FilterCriteria;
        for (const filter of criteria?.Filters ?? []) patterns.push({ stage, pipe: id, pattern: filter.Pattern });
      }
    }
  });
  afterAll(removeSynthesizedOutput);

  it('finds a filter in every environment', () => {
    expect(new Set(patterns.map((entry) => entry.stage))).toEqual(new Set(STAGES));
  });

  it('every synthesized FilterCriteria pattern is a valid event pattern', () => {
    const invalid = patterns.flatMap((entry) => {
      try {
        validateEventPattern(entry.pattern, { dialect: 'pipes' });
        return [];
      } catch (error) {
        return [`${entry.stage} ${entry.pipe}: ${entry.pattern}: ${(error as Error).message}`];
      }
    });
    expect(invalid).toEqual([]);
  });

  it('the validator rejects a malformed pattern (the check above can fail)', () => {
    expect(() => validateEventPattern('{"eventName":"INSERT"}', { dialect: 'pipes' })).toThrow(InvalidEventPatternError);
  });
});
