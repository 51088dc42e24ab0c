import { InputTemplateError } from './errors';

/**
 * Pipes input transformation ("Amazon EventBridge Pipes input transformation" page): an
 * `InputTemplate` is free text, a JSON path, or JSON with inline `<$.path>` placeholders and the
 * reserved `<aws.pipes.*>` variables. Templates are applied to each event of a batch separately
 * ("Batching and concurrency": input transformers apply to each JSON record, not the array).
 *
 * Substitution follows EventBridge's input transformer rules:
 * - in a JSON template, a placeholder outside a string literal becomes the value as JSON (a
 *   missing path becomes `null`); inside a string literal it is spliced in as escaped text;
 * - in a text template, strings are spliced in raw and other values as their JSON text.
 * A JSON template must render to valid JSON; a text template renders to a string.
 */

export type ReservedVariable =
  | 'aws.pipes.pipe-arn'
  | 'aws.pipes.pipe-name'
  | 'aws.pipes.source-arn'
  | 'aws.pipes.enrichment-arn'
  | 'aws.pipes.target-arn'
  | 'aws.pipes.event.ingestion-time'
  | 'aws.pipes.event'
  | 'aws.pipes.event.json';

const RESERVED_VARIABLES: ReadonlySet<string> = new Set<ReservedVariable>([
  'aws.pipes.pipe-arn',
  'aws.pipes.pipe-name',
  'aws.pipes.source-arn',
  'aws.pipes.enrichment-arn',
  'aws.pipes.target-arn',
  'aws.pipes.event.ingestion-time',
  'aws.pipes.event',
  'aws.pipes.event.json',
]);

export interface TemplateContext {
  pipeArn: string;
  pipeName: string;
  sourceArn: string;
  enrichmentArn?: string;
  targetArn: string;
  /** ISO 8601 time at which the transformer received the event. */
  ingestionTime: string;
}

export type RenderedTemplate = { kind: 'json'; text: string; value: unknown } | { kind: 'text'; text: string };

type PathSegment = string | number;
type Part =
  | { type: 'literal'; text: string }
  | { type: 'placeholder'; source: string; inString: boolean; path?: PathSegment[]; variable?: ReservedVariable };

export interface CompiledInputTemplate {
  readonly template: string;
  readonly kind: 'json' | 'text';
  render(event: unknown, context: TemplateContext): RenderedTemplate;
}

const PLACEHOLDER = /<(\$[^<>]*|aws\.pipes\.[A-Za-z0-9.-]+)>/y;

export function compileInputTemplate(template: string): CompiledInputTemplate {
  if (typeof template !== 'string' || template.length === 0) throw new InputTemplateError(String(template), 'must be a non-empty string');
  const trimmed = template.trim();
  const kind: 'json' | 'text' = trimmed.startsWith('{') || trimmed.startsWith('[') ? 'json' : 'text';
  const parts = parseParts(template, kind);

  return {
    template,
    kind,
    render(event, context) {
      let text = '';
      for (const part of parts) {
        if (part.type === 'literal') {
          text += part.text;
          continue;
        }
        const value = resolvePart(part, event, context);
        if (kind === 'json') text += part.inString ? escapeForJsonString(asText(value)) : value === undefined ? 'null' : JSON.stringify(value);
        else text += asText(value);
      }
      if (kind === 'text') return { kind, text };
      try {
        return { kind, text, value: JSON.parse(text) as unknown };
      } catch (error) {
        throw new InputTemplateError(template, `rendered to invalid JSON (${(error as Error).message}): ${text.slice(0, 300)}`);
      }
    },
  };
}

function parseParts(template: string, kind: 'json' | 'text'): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let inString = false;
  let index = 0;
  while (index < template.length) {
    const char = template[index];
    if (char === '<') {
      PLACEHOLDER.lastIndex = index;
      const match = PLACEHOLDER.exec(template);
      if (match) {
        if (literal) parts.push({ type: 'literal', text: literal });
        literal = '';
        const source = match[1];
        if (source.startsWith('$')) {
          parts.push({ type: 'placeholder', source, inString, path: parseJsonPath(template, source) });
        } else {
          if (!RESERVED_VARIABLES.has(source)) {
            throw new InputTemplateError(template, `unknown reserved variable <${source}>; known: ${[...RESERVED_VARIABLES].map((v) => `<${v}>`).join(', ')}`);
          }
          const variable = source as ReservedVariable;
          if (variable === 'aws.pipes.event.json' && (kind !== 'json' || inString)) {
            throw new InputTemplateError(template, '<aws.pipes.event.json> can only be the value of a JSON field');
          }
          parts.push({ type: 'placeholder', source, inString, variable });
        }
        index += match[0].length;
        continue;
      }
    }
    if (kind === 'json') {
      if (char === '\\' && inString) {
        literal += template.slice(index, index + 2);
        index += 2;
        continue;
      }
      if (char === '"') inString = !inString;
    }
    literal += char;
    index += 1;
  }
  if (literal) parts.push({ type: 'literal', text: literal });
  return parts;
}

/** `$`, `$.a.b`, `$.a[0]`, `$['a b']`: the JSON path subset input transformers accept. */
function parseJsonPath(template: string, path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.([^.[\]\s]+)/.exec(rest))) segments.push(match[1]);
    else if ((match = /^\[(\d+)\]/.exec(rest))) segments.push(Number(match[1]));
    else if ((match = /^\['([^']*)'\]/.exec(rest)) || (match = /^\["([^"]*)"\]/.exec(rest))) segments.push(match[1]);
    else throw new InputTemplateError(template, `invalid JSON path <${path}> near ${JSON.stringify(rest)}`);
    rest = rest.slice(match[0].length);
  }
  return segments;
}

function resolvePart(part: Extract<Part, { type: 'placeholder' }>, event: unknown, context: TemplateContext): unknown {
  if (part.path) return readPath(event, part.path);
  switch (part.variable) {
    case 'aws.pipes.pipe-arn':
      return context.pipeArn;
    case 'aws.pipes.pipe-name':
      return context.pipeName;
    case 'aws.pipes.source-arn':
      return context.sourceArn;
    case 'aws.pipes.enrichment-arn':
      return context.enrichmentArn;
    case 'aws.pipes.target-arn':
      return context.targetArn;
    case 'aws.pipes.event.ingestion-time':
      return context.ingestionTime;
    case 'aws.pipes.event':
      return event;
    case 'aws.pipes.event.json':
      // Only has a value when the payload is JSON; an enrichment may return plain text.
      return typeof event === 'string' ? parseJsonOrUndefined(event) : event;
    default:
      return undefined;
  }
}

export function readPath(value: unknown, path: PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function escapeForJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
