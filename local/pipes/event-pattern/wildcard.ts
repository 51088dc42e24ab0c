/**
 * EventBridge wildcard values: `*` matches any run of characters (including none); `\*` is a literal
 * asterisk and `\\` a literal backslash; any other escape, and two wildcards in a row, are refused.
 */

/** A parsed wildcard: the literal text between the wildcards, in order. */
export type WildcardSegments = readonly string[];

/** The literal segments of `text`, or a sentence saying why it is not a valid wildcard value. */
export function parseWildcard(text: string): WildcardSegments | string {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `"wildcard" value has an invalid escape at position ${i}: only \\* and \\\\ may be escaped`;
      current += next;
      i += 1;
    } else if (char === '*') {
      if (text[i + 1] === '*') return `"wildcard" value has consecutive wildcard characters at position ${i}`;
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

/** Leftmost-first matching is exact for `*`-only globs, so no backtracking is needed. */
export function matchesWildcard(segments: WildcardSegments, value: string): boolean {
  const last = segments.length - 1;
  if (last === 0) return value === segments[0];
  const head = segments[0];
  const tail = segments[last];
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail)) return false;
  let position = head.length;
  const end = value.length - tail.length;
  for (let i = 1; i < last; i += 1) {
    const segment = segments[i];
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}
