import { InputTemplateError } from '../../../local/pipes/errors';
import { compileInputTemplate, type TemplateContext } from '../../../local/pipes/input-template';

const context: TemplateContext = {
  pipeArn: 'arn:aws:pipes:eu-west-2:000000000000:pipe/p',
  pipeName: 'p',
  sourceArn: 'arn:aws:dynamodb:eu-west-2:000000000000:table/t/stream/s',
  enrichmentArn: 'arn:aws:lambda:eu-west-2:000000000000:function:enrich',
  targetArn: 'arn:aws:sqs:eu-west-2:000000000000:q',
  ingestionTime: '2024-01-01T00:00:00.000Z',
};
const event = { id: 'a"1', n: 3, nested: { list: [{ x: true }, { x: false }] }, 'odd key': 'v' };

describe('input templates', () => {
  it('substitutes JSON values outside string literals and escaped text inside them', () => {
    const template = compileInputTemplate('{"id": <$.id>, "n": <$.n>, "x": <$.nested.list[1].x>, "say": "id is <$.id>, n is <$.n>", "odd": <$[\'odd key\']>}');

    const rendered = template.render(event, context);

    expect(rendered).toEqual({ kind: 'json', text: expect.any(String), value: { id: 'a"1', n: 3, x: false, say: 'id is a"1, n is 3', odd: 'v' } });
  });

  it('renders a missing path as null in JSON and as nothing in text', () => {
    expect(compileInputTemplate('{"missing": <$.nope.deeper>}').render(event, context)).toMatchObject({ value: { missing: null } });
    expect(compileInputTemplate('missing=<$.nope>; n=<$.n>').render(event, context)).toEqual({ kind: 'text', text: 'missing=; n=3' });
  });

  it('splices strings raw and other values as JSON into text templates', () => {
    expect(compileInputTemplate('Booking <$.id> has <$.nested.list[0]>').render(event, context)).toEqual({ kind: 'text', text: 'Booking a"1 has {"x":true}' });
  });

  it('fills the reserved variables', () => {
    const rendered = compileInputTemplate(
      '{"arn": <aws.pipes.pipe-arn>, "name": <aws.pipes.pipe-name>, "source": <aws.pipes.source-arn>, "enrichment": <aws.pipes.enrichment-arn>, "target": <aws.pipes.target-arn>, "at": <aws.pipes.event.ingestion-time>, "event": <aws.pipes.event.json>, "whole": <$>}',
    ).render(event, context);

    expect(rendered).toMatchObject({
      value: {
        arn: context.pipeArn,
        name: 'p',
        source: context.sourceArn,
        enrichment: context.enrichmentArn,
        target: context.targetArn,
        at: context.ingestionTime,
        event,
        whole: event,
      },
    });
  });

  it('refuses unknown reserved variables, bad paths and <aws.pipes.event.json> outside a JSON value', () => {
    expect(() => compileInputTemplate('{"a": <aws.pipes.pipe-id>}')).toThrow(/unknown reserved variable <aws\.pipes\.pipe-id>/);
    expect(() => compileInputTemplate('{"a": <$.a..b>}')).toThrow(InputTemplateError);
    expect(() => compileInputTemplate('event: <aws.pipes.event.json>')).toThrow(/can only be the value of a JSON field/);
  });

  it('reports a JSON template that renders to invalid JSON', () => {
    expect(() => compileInputTemplate('{"a": <$.id> <$.n>}').render(event, context)).toThrow(/rendered to invalid JSON/);
  });
});
