/** Every kind of fault the runtime injects, each counted when it actually happened. */
export const FAULT_KINDS = [
  'sesThrottling',
  'sesServerError',
  'smsThrottling',
  'smsServerError',
  'enrichmentError',
  'notifierCrash',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultStats = Record<FaultKind, number> & {
  /** Sum of the injected faults above. */
  total: number;
  /** `restartCompute()` calls: not drawn from a rate, but survived all the same. */
  computeRestarts: number;
};

export interface FaultCounter {
  count(kind: FaultKind): void;
  countRestart(): void;
  snapshot(): FaultStats;
}

export function createFaultCounter(): FaultCounter {
  const counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  let computeRestarts = 0;
  return {
    count: (kind) => {
      counts[kind] += 1;
    },
    countRestart: () => {
      computeRestarts += 1;
    },
    snapshot: () => ({ ...counts, total: FAULT_KINDS.reduce((sum, kind) => sum + counts[kind], 0), computeRestarts }),
  };
}

/** `12 (ses throttling 3, ses 5xx 2, ...; 1 compute restart)`: for a person or a report. */
export function formatFaultStats(stats: FaultStats): string {
  const labels: Record<FaultKind, string> = {
    sesThrottling: 'ses throttling',
    sesServerError: 'ses 5xx',
    smsThrottling: 'sms throttling',
    smsServerError: 'sms 5xx',
    enrichmentError: 'enrichment errors',
    notifierCrash: 'crashes',
  };
  const parts = FAULT_KINDS.map((kind) => `${labels[kind]} ${stats[kind]}`).join(', ');
  return `${stats.total} (${parts}; ${stats.computeRestarts} compute restart${stats.computeRestarts === 1 ? '' : 's'})`;
}
