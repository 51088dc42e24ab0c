import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The Powertools Metrics singleton every function uses. Namespace and the `service` dimension come
 * from POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME (set by the CDK). Metrics are written
 * to stdout in the Embedded Metric Format: CloudWatch extracts them from the log, no AWS call.
 */
export const metrics = new Metrics();

/** Dimension values must come from a small fixed set (channel, outcome, status code): never ids or addresses. */
export type MetricDimensions = Readonly<Record<string, string>>;

interface PendingSet {
  dimensions: MetricDimensions;
  counts: Map<string, number>;
}

// One EMF document has one set of dimensions, while the records of a batch run concurrently with
// different ones: counts are kept here per dimension set and published together by publishMetrics.
const pending = new Map<string, PendingSet>();

/** Adds `value` to a Count metric of this invocation, under `dimensions` (besides `service`). */
export function countMetric(name: string, dimensions: MetricDimensions = {}, value = 1): void {
  if (!/^[A-Za-z][A-Za-z0-9]{0,254}$/.test(name)) throw new TypeError(`metric name ${JSON.stringify(name)} must be alphanumeric, starting with a letter`);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`metric ${name}: the count must be a finite number >= 0, got ${value}`);
  const entries = Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, dimensionValue] of entries) {
    if (key.length === 0 || typeof dimensionValue !== 'string' || dimensionValue.length === 0 || dimensionValue.length > 64) {
      throw new TypeError(`metric ${name}: dimension ${JSON.stringify(key)} needs a non-empty value of at most 64 characters`);
    }
  }
  const setKey = JSON.stringify(entries);
  let set = pending.get(setKey);
  if (!set) {
    set = { dimensions: Object.fromEntries(entries), counts: new Map() };
    pending.set(setKey, set);
  }
  set.counts.set(name, (set.counts.get(name) ?? 0) + value);
}

/**
 * Publishes this invocation's counts, one EMF line per dimension set, and forgets them. Handlers
 * call it in a `finally`, so a failed batch still reports what it did. Nothing counted, nothing written.
 */
export function publishMetrics(): void {
  try {
    for (const { dimensions, counts } of pending.values()) {
      for (const [key, value] of Object.entries(dimensions)) metrics.addDimension(key, value);
      for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    }
  } finally {
    pending.clear();
  }
}
