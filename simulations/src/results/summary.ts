/**
 * summary.json: response times against the target overall, by priority,
 * by hour of day, by district and by hexagon; every interval; unit
 * utilisation; the share of calls that found no unit free. Percentiles
 * and the within-target share are computed as the live metrics route
 * computes them (`percentile` of the dispatch policy, responses of calls
 * that reached the scene).
 */
import {
  INTERVAL_NAMES,
  percentile,
  type IncidentIntervals,
} from '@dispatch/server/policy';

import type { RunResult } from '../run.ts';
import { intervalsOf } from './measure.ts';

export interface IntervalSummary {
  count: number;
  p50: number | null;
  p90: number | null;
}

/** The figures of one group of calls. */
export interface GroupSummary {
  calls: number;
  withinTargetRatio: number | null;
  allBusyFraction: number | null;
  responseSeconds: { p50: number | null; p90: number | null };
}

export interface Summary extends GroupSummary {
  scenario: string;
  city: string;
  days: number;
  seed: number | string;
  targetSeconds: number;
  policy: string;
  moveUp: boolean;
  travelModel: 'road' | 'none';
  /** Calls that never had a unit on scene (lost, or still waiting at the end). */
  lost: number;
  transportedFraction: number | null;
  intervals: Record<keyof IncidentIntervals, IntervalSummary>;
  byPriority: Record<
    string,
    GroupSummary & {
      intervals: Record<keyof IncidentIntervals, IntervalSummary>;
    }
  >;
  /** Local hour of day of the call, 0-23. */
  byHourOfDay: GroupSummary[];
  /** H3 resolution 7 parent cells. */
  byDistrict: Record<string, GroupSummary>;
  byHex: Record<string, GroupSummary>;
  units: {
    callSign: string;
    capability: string;
    station: string;
    calls: number;
    /** Busy seconds (dispatch to clear) over seconds on shift. */
    utilisation: number | null;
  }[];
  /** Busy seconds over shift seconds of the whole fleet. */
  utilisation: number | null;
  /** Population of hexagons off the road network; their calls are driven to the nearest hexagon on it. */
  offNetworkPopulation: number;
}

const round1 = (x: number | null) =>
  x === null ? null : Math.round(x * 10) / 10;
const round4 = (x: number | null) =>
  x === null ? null : Math.round(x * 10_000) / 10_000;

/** One call's figures, kept for grouping. */
export interface Measured {
  intervals: IncidentIntervals;
  allBusy: boolean;
}

function group(
  items: readonly Measured[],
  targetSeconds: number,
): GroupSummary {
  const responses: number[] = [];
  let within = 0;
  let busy = 0;
  for (const m of items) {
    if (m.allBusy) busy++;
    const r = m.intervals.response;
    if (r !== null) {
      responses.push(r);
      if (r <= targetSeconds) within++;
    }
  }
  return {
    calls: items.length,
    withinTargetRatio:
      responses.length === 0 ? null : round4(within / responses.length),
    allBusyFraction: items.length === 0 ? null : round4(busy / items.length),
    responseSeconds: {
      p50: round1(percentile(responses, 0.5)),
      p90: round1(percentile(responses, 0.9)),
    },
  };
}

function intervalSummaries(
  items: readonly Measured[],
): Record<keyof IncidentIntervals, IntervalSummary> {
  const out = {} as Record<keyof IncidentIntervals, IntervalSummary>;
  for (const name of INTERVAL_NAMES) {
    const values = items
      .map((m) => m.intervals[name])
      .filter((v): v is number => v !== null);
    out[name] = {
      count: values.length,
      p50: round1(percentile(values, 0.5)),
      p90: round1(percentile(values, 0.9)),
    };
  }
  return out;
}

function groupBy(
  keys: readonly string[],
  measured: readonly Measured[],
  targetSeconds: number,
): Record<string, GroupSummary> {
  const buckets = new Map<string, Measured[]>();
  keys.forEach((key, i) => {
    const list = buckets.get(key);
    if (list) list.push(measured[i]!);
    else buckets.set(key, [measured[i]!]);
  });
  const out: Record<string, GroupSummary> = {};
  for (const key of [...buckets.keys()].sort()) {
    out[key] = group(buckets.get(key)!, targetSeconds);
  }
  return out;
}

/** The per-call measures of a run, in call order. */
export function measureRun(run: RunResult): Measured[] {
  return run.outcomes.map((o) => ({
    intervals: intervalsOf(o),
    allBusy: o.allBusy,
  }));
}

/** The summary of a run. */
export function summarise(
  run: RunResult,
  measured: Measured[] = measureRun(run),
): Summary {
  const { scenario, outcomes, context } = run;
  const target = scenario.targetSeconds;
  const byPriority: Summary['byPriority'] = {};
  for (const p of [1, 2, 3] as const) {
    const items = measured.filter((_, i) => outcomes[i]!.call.priority === p);
    byPriority[p] = {
      ...group(items, target),
      intervals: intervalSummaries(items),
    };
  }
  const hours: Measured[][] = Array.from({ length: 24 }, () => []);
  outcomes.forEach((o, i) =>
    hours[Math.floor((o.call.atSeconds % 86_400) / 3600)]!.push(measured[i]!),
  );
  const cells = context.grid.cells;
  let busy = 0;
  let shift = 0;
  for (const u of run.units) {
    busy += u.busySeconds;
    shift += u.shiftSeconds;
  }
  const answered = outcomes.filter((o) => o.onSceneAt !== null);
  return {
    scenario: scenario.name,
    city: context.city.id,
    days: run.days,
    seed: run.seed,
    targetSeconds: target,
    policy: scenario.policy.dispatch,
    moveUp: scenario.policy.moveUp,
    travelModel: context.travel.kind,
    ...group(measured, target),
    lost: outcomes.length - answered.length,
    transportedFraction:
      answered.length === 0
        ? null
        : round4(
            answered.filter((o) => o.transported).length / answered.length,
          ),
    intervals: intervalSummaries(measured),
    byPriority,
    byHourOfDay: hours.map((items) => group(items, target)),
    byDistrict: groupBy(
      outcomes.map((o) => cells[o.call.cellIndex]!.district),
      measured,
      target,
    ),
    byHex: groupBy(
      outcomes.map((o) => o.call.hexId),
      measured,
      target,
    ),
    units: run.units.map((u) => ({
      callSign: u.callSign,
      capability: u.capability,
      station: context.city.stationList[u.home]!.id,
      calls: u.calls,
      utilisation:
        u.shiftSeconds > 0 ? round4(u.busySeconds / u.shiftSeconds) : null,
    })),
    utilisation: shift > 0 ? round4(busy / shift) : null,
    offNetworkPopulation: context.unusablePopulation,
  };
}
