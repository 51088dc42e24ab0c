/**
 * Seeded randomness for fault injection. Each kind of fault rolls its own stream (derived from the
 * run's seed and the kind's name), so how often one kind is consulted does not shift the rolls of
 * another: the same seed and the same traffic give the same faults.
 */
export interface FaultDice {
  /** A number in [0, 1). */
  next(): number;
  /** True with probability `rate`; never true at 0, always at 1. */
  chance(rate: number): boolean;
}

/** mulberry32: tiny, fast, and good enough for choosing which call fails. */
export function createFaultDice(seed: number, stream = ''): FaultDice {
  let state = (seed ^ hashName(stream)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (rate) => rate > 0 && next() < rate,
  };
}

/** FNV-1a over the stream name. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
