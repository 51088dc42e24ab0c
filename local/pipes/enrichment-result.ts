/**
 * What a Lambda enrichment's result means for the target ("Event enrichment in Amazon EventBridge
 * Pipes", "Filtering events using enrichment"; "Batching and concurrency"):
 * - an array passes each element on as one event, and may be shorter or longer than the input;
 * - an empty response (`""`, `null`, `{}`, `[]`) means "do not invoke the target";
 *   `[{}]` is how a function asks for the target to be invoked with an empty payload;
 * - any other value (an object, a non-empty string, a number, a boolean) is one event.
 */
export function eventsFromEnrichmentResult(result: unknown): unknown[] {
  if (result === undefined || result === null || result === '') return [];
  if (Array.isArray(result)) return result;
  if (isEmptyObject(result)) return [];
  return [result];
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
