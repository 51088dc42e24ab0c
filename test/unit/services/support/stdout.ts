/**
 * Captures what a function writes to stdout and stderr: Powertools Metrics' EMF documents and
 * Logger's JSON lines, which is exactly what CloudWatch receives. Anything else is passed through. The spy is a
 * jest spy, so `jest.restoreAllMocks()` removes it.
 */

/** One metric of an EMF document, with the values of its dimensions. */
export interface EmfMetric {
  namespace: string;
  name: string;
  unit: string;
  value: unknown;
  dimensions: Record<string, unknown>;
}

export interface StdoutCapture {
  /** Every JSON object written (either stream), in order. */
  lines(): Record<string, unknown>[];
  /** The metrics of every EMF document written, in order. */
  metrics(): EmfMetric[];
  /** Sum of the values of metric `name` whose dimensions have these values (others, such as `service`, may be present). */
  count(name: string, dimensions?: Record<string, string>): number;
}

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

export function captureStdout(): StdoutCapture {
  const captured: Record<string, unknown>[] = [];
  // Logger writes warnings and errors to stderr, everything else (EMF included) to stdout.
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
      const parsed = text?.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      if (parsed && parsed.length > 0) {
        captured.push(...parsed);
        return true;
      }
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }

  const metrics = (): EmfMetric[] =>
    captured
      .filter((line): line is EmfDocument => typeof line._aws === 'object' && line._aws !== null)
      .flatMap((document) =>
        document._aws.CloudWatchMetrics.flatMap((directive) => {
          const dimensionKeys = [...new Set(directive.Dimensions.flat())];
          const dimensions = Object.fromEntries(dimensionKeys.map((key) => [key, document[key]]));
          return directive.Metrics.map((metric) => ({ namespace: directive.Namespace, name: metric.Name, unit: metric.Unit, value: document[metric.Name], dimensions }));
        }),
      );

  return {
    lines: () => [...captured],
    metrics,
    count: (name, dimensions = {}) =>
      metrics()
        .filter((metric) => metric.name === name && Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value))
        .reduce((sum, metric) => sum + (typeof metric.value === 'number' ? metric.value : Number.NaN), 0),
  };
}
