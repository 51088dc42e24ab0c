/**
 * The wildcard complexity limit.
 *
 * What AWS documents (EventBridge User Guide, "Comparison operators for use in event patterns",
 * section "Wildcards and event pattern complexity", eb-create-pattern-operators.html, as quoted in
 * aws/aws-cdk#32063): there is a limit to how complex a rule using wildcards can be, and a rule that
 * is too complex is refused with InvalidEventPatternException when it is created. The message AWS
 * returns is RULE_TOO_COMPLEX below (as reported in vals-ai/Valkyrie#278): use fewer wildcard
 * characters, or fewer repeating character sequences after a wildcard. The limit itself, and how
 * complexity is measured, are not documented.
 *
 * What event-ruler (the matcher EventBridge uses) documents: "complexity" is how many wildcard rule
 * prefixes a theoretical worst-case value of one field can match at once (its
 * MachineComplexityEvaluator); performance drops as it grows (README: 140,000 events/s at 1, 1,250 at
 * 100).
 *
 * Our approximation (not AWS's code, and the number is ours):
 * - For each field of the pattern (by its dotted path, `$or` alternatives pooled), the `wildcard`
 *   values form one nondeterministic automaton over UTF-16 code units; the complexity is the largest
 *   number of its states any input can keep active at once, counting a wildcard and the state just
 *   before it as one. `"*.png"` scores 2; `"*aaaa"` scores 5 on "aaaa" (the repeating sequence);
 *   three `"*:stack/NAME/*"` values score 9, four more than 10. Every value counts once before the
 *   first character, so a field with more than 10 wildcard values is refused however simple they
 *   are (a consequence of this scoring; AWS's behaviour there is unverified).
 * - A field scoring more than MAX_WILDCARD_COMPLEXITY is refused. 10 is calibrated on one public
 *   report, not on AWS documentation: EventBridge accepted three `"*:stack/NAME/*"` values for one
 *   field and refused four with this message (vals-ai/Valkyrie#278). If AWS refuses or accepts a
 *   pattern this check judges otherwise, this number (or the scoring) is what to revisit.
 * - The search over input values stops after MAX_EXPLORED_STATE_SETS distinct sets of active states
 *   and then refuses the pattern too: a field whose wildcards keep that many combinations alive is
 *   far beyond anything the limit above lets through.
 * - `anything-but` wildcards are not counted (event-ruler's evaluator counts wildcard matches only).
 */
import { parseWildcard } from './wildcard';

export const RULE_TOO_COMPLEX = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
export const MAX_WILDCARD_COMPLEXITY = 10;
export const MAX_EXPLORED_STATE_SETS = 10_000;

const STAR = -1;
const OTHER = -2;

interface Glob {
  /** UTF-16 code units, STAR for a wildcard. */
  readonly tokens: readonly number[];
  /** Id of this glob's state 0 among all states of the field. */
  readonly offset: number;
}

/**
 * The worst-case complexity of one field's wildcard values (already validated by parseWildcard),
 * capped: returns a number above MAX_WILDCARD_COMPLEXITY as soon as one is found.
 */
export function wildcardComplexity(values: readonly string[]): number {
  const globs: Glob[] = [];
  const alphabet = new Set<number>([OTHER]);
  let offset = 0;
  for (const value of values) {
    const segments = parseWildcard(value);
    if (typeof segments === 'string') continue;
    const tokens: number[] = [];
    segments.forEach((segment, index) => {
      if (index > 0) tokens.push(STAR);
      for (let i = 0; i < segment.length; i += 1) {
        tokens.push(segment.charCodeAt(i));
        alphabet.add(segment.charCodeAt(i));
      }
    });
    globs.push({ tokens, offset });
    offset += tokens.length + 1;
  }
  if (globs.length === 0) return 0;

  // State id -> its glob and position, so each step only looks at the active states.
  const globOf: Glob[] = [];
  const positionOf: number[] = [];
  for (const glob of globs) {
    for (let j = 0; j <= glob.tokens.length; j += 1) {
      globOf.push(glob);
      positionOf.push(j);
    }
  }
  const start = new Set<number>();
  for (const glob of globs) addClosure(glob, 0, start);
  const seen = new Set<string>([key(start)]);
  const queue: Array<Set<number>> = [start];
  let worst = score(globOf, positionOf, start);
  for (let head = 0; head < queue.length && worst <= MAX_WILDCARD_COMPLEXITY; head += 1) {
    const active = queue[head];
    for (const symbol of alphabet) {
      const next = step(globOf, positionOf, active, symbol);
      if (next.size === 0) continue;
      const id = key(next);
      if (seen.has(id)) continue;
      seen.add(id);
      if (seen.size > MAX_EXPLORED_STATE_SETS) return MAX_WILDCARD_COMPLEXITY + 1;
      worst = Math.max(worst, score(globOf, positionOf, next));
      queue.push(next);
    }
  }
  return worst;
}

/** State j of a glob means "its first j tokens are matched"; a wildcard may match nothing. */
function addClosure(glob: Glob, position: number, into: Set<number>): void {
  let j = position;
  into.add(glob.offset + j);
  while (j < glob.tokens.length && glob.tokens[j] === STAR) {
    j += 1;
    into.add(glob.offset + j);
  }
}

function step(globOf: readonly Glob[], positionOf: readonly number[], active: ReadonlySet<number>, symbol: number): Set<number> {
  const next = new Set<number>();
  for (const id of active) {
    const glob = globOf[id];
    const j = positionOf[id];
    // A wildcard just consumed keeps consuming any character.
    if (j > 0 && glob.tokens[j - 1] === STAR) addClosure(glob, j, next);
    if (j < glob.tokens.length && glob.tokens[j] === symbol) addClosure(glob, j + 1, next);
  }
  return next;
}

/** Active states, not counting a state whose next token is a wildcard (it is the wildcard's state too). */
function score(globOf: readonly Glob[], positionOf: readonly number[], active: ReadonlySet<number>): number {
  let count = 0;
  for (const id of active) {
    const { tokens } = globOf[id];
    const j = positionOf[id];
    if (!(j < tokens.length && tokens[j] === STAR)) count += 1;
  }
  return count;
}

function key(states: ReadonlySet<number>): string {
  return [...states].sort((a, b) => a - b).join(',');
}
