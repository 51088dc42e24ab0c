/**
 * Thrown for a pattern EventBridge would refuse with InvalidEventPatternException. `path` is the
 * dotted path of the offending node in the pattern ('' for the pattern itself), with `$or[i]`
 * naming the alternative, so a reader can find the problem without re-reading the whole pattern.
 */
export class InvalidEventPatternError extends Error {
  readonly code = 'InvalidEventPattern';
  readonly path: string;
  readonly problem: string;

  constructor(problem: string, path: string) {
    super(`${problem} at ${path === '' ? 'the pattern root' : path}`);
    this.name = 'InvalidEventPatternError';
    this.problem = problem;
    this.path = path;
  }
}

/** Thrown when the event handed to the matcher is not a JSON object (or JSON text of one). */
export class InvalidEventError extends Error {
  readonly code = 'InvalidEvent';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** Appends a field name to a dotted pattern path. */
export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
