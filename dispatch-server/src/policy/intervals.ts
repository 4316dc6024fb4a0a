import type { IncidentPhase } from './phases.ts';

/** Interval targets in seconds (NFPA-style references; the city's own). */
export interface IntervalTargets {
  callProcessing: number;
  turnout: number;
  travel: number;
  response: number;
}

/**
 * Default targets: NFPA 1225 call processing (60 s), NFPA 1710 turnout
 * for EMS (60 s) and BLS travel (240 s), and the city's 180 s response.
 */
export const DEFAULT_INTERVAL_TARGETS: IntervalTargets = {
  callProcessing: 60,
  turnout: 60,
  travel: 240,
  response: 180,
};

/** The measured intervals of one incident, in seconds; null until known. */
export interface IncidentIntervals {
  /** received → first dispatched. */
  callProcessing: number | null;
  /** first dispatched → first en route. */
  turnout: number | null;
  /** first en route → first on scene. */
  travel: number | null;
  /** received → first on scene: the figure held against the target. */
  response: number | null;
}

export const INTERVAL_NAMES = [
  'callProcessing',
  'turnout',
  'travel',
  'response',
] as const satisfies readonly (keyof IncidentIntervals)[];

/**
 * Intervals of an incident from its phase events. Each phase counts at its
 * first occurrence (the first unit to reach it), as response-time
 * reporting does. An interval whose end precedes its start (a crew that
 * pressed "en route" before the dispatch was logged) is null, not negative.
 */
export function incidentIntervals(
  events: readonly { phase: IncidentPhase; at: Date }[],
): IncidentIntervals {
  const first = new Map<IncidentPhase, number>();
  for (const event of events) {
    const t = event.at.getTime();
    const seen = first.get(event.phase);
    if (seen === undefined || t < seen) first.set(event.phase, t);
  }
  const span = (from: IncidentPhase, to: IncidentPhase): number | null => {
    const a = first.get(from);
    const b = first.get(to);
    if (a === undefined || b === undefined || b < a) return null;
    return (b - a) / 1000;
  };
  return {
    callProcessing: span('received', 'dispatched'),
    turnout: span('dispatched', 'en_route'),
    travel: span('en_route', 'on_scene'),
    response: span('received', 'on_scene'),
  };
}

/**
 * The `q` quantile (0..1) of `values` by linear interpolation between
 * order statistics (PostgreSQL's `percentile_cont`); null when empty.
 */
export function percentile(
  values: readonly number[],
  q: number,
): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}
