import {
  incidentIntervals,
  percentile,
  PRIORITIES,
} from '@dispatch/server/policy';

import {
  summarise,
  type IntervalSummary,
  type ResponseTimeReport,
} from '../../../dispatch-server/src/metrics/response-times.ts';
import type { ExportMapping } from './mapping.ts';
import type {
  ImportedCall,
  ImportResult,
  SkippedRow,
  SkipReason,
} from './read.ts';

/** Dispatched to first on scene: turnout plus travel, from the first dispatch. */
export interface DispatchToOnScene extends IntervalSummary {
  /** Share at or under the target; null when none was measured. */
  withinTargetRatio: number | null;
}

/** One row of the by-hour table, as the console's planner view shows it. */
export interface ImportHourRow {
  /** 0-23 on the agency's wall clock, of the call's earliest phase time. */
  hour: number;
  count: number;
  /** Calls among them in which `interval` was measured. */
  measured: number;
  p50: number | null;
  p90: number | null;
  withinTargetRatio: number | null;
}

/**
 * A scenario's `demand.callsPerHour` and `demand.calendar` estimated from
 * an export, to paste into a scenario so a simulation asks for the calls
 * the agency had: the mean calls in each wall-clock hour over the days
 * the export spans, and each weekday's and month's calls per day against
 * the mean day. The factors multiply in the simulator, so a span much
 * shorter than a year mixes weekday and season; a weekday or month the
 * span lacks gets 1.
 */
export interface ImportedDemand {
  /** Days from the first call's date to the last's, both included. */
  days: number;
  callsPerHour: number[];
  calendar: {
    startDate: string;
    weekdayFactors: number[];
    monthFactors: number[];
  };
}

/**
 * The import's report: the body of `GET /api/metrics/response-times`
 * (count, target, withinTargetRatio, intervals, byPriority), plus the
 * planner view's by-hour table and what the import read and skipped.
 */
export interface ImportReport extends ResponseTimeReport {
  /** Which interval the by-hour table measures: response when known. */
  byHourInterval: 'response' | 'dispatchToOnScene';
  byHour: ImportHourRow[];
  /** The export's calls as a scenario's demand; null with no call. */
  demand: ImportedDemand | null;
  dispatchToOnScene: DispatchToOnScene;
  import: {
    format: string;
    file: string;
    rowsRead: number;
    rowsSkipped: number;
    calls: number;
    skipped: Record<SkipReason, number>;
    skippedExamples: SkippedRow[];
    /** Calls whose priority value maps to none, by that value (top 10). */
    unprioritised: { count: number; topValues: Record<string, number> };
    withLocation: number;
    limitations: string[];
  };
}

/**
 * Response-time figures of an imported export, counted as the server
 * counts its own incidents: each phase at its first unit, intervals by
 * the policy's `incidentIntervals`, percentiles by its `percentile`.
 * @param file named in the report
 */
export function importReport(
  result: ImportResult,
  mapping: ExportMapping,
  file: string,
  targetSeconds = 180,
): ImportReport {
  const measured = result.calls.map((call) => ({
    call,
    intervals: incidentIntervals(call.events),
    dispatchToOnScene: dispatchToOnSceneSeconds(call),
  }));
  const byPriority: NonNullable<ResponseTimeReport['byPriority']> = {};
  for (const priority of PRIORITIES) {
    byPriority[priority] = {
      from: null,
      to: null,
      ...summarise(
        measured.filter((m) => m.call.priority === priority),
        targetSeconds,
      ),
      priority,
    };
  }
  const hasReceived = mapping.phases.received !== undefined;
  const byHourInterval = hasReceived ? 'response' : 'dispatchToOnScene';
  const headline = (m: (typeof measured)[number]) =>
    hasReceived ? m.intervals.response : m.dispatchToOnScene;
  const firstTimes = result.calls.map((c) => c.firstAt.getTime());
  const unprioritised = countValues(
    result.calls.filter((c) => c.priority === null).map((c) => c.priorityValue),
  );
  return {
    from: firstTimes.length
      ? new Date(Math.min(...firstTimes)).toISOString()
      : null,
    to: firstTimes.length
      ? new Date(Math.max(...firstTimes)).toISOString()
      : null,
    ...summarise(measured, targetSeconds),
    priority: null,
    byPriority,
    byHourInterval,
    byHour: Array.from({ length: 24 }, (_, hour) =>
      hourRow(
        hour,
        measured.filter((m) => m.call.hour === hour).map(headline),
        targetSeconds,
      ),
    ),
    demand: importedDemand(result.calls),
    dispatchToOnScene: {
      ...intervalSummary(measured.map((m) => m.dispatchToOnScene)),
      withinTargetRatio: withinTarget(
        measured.map((m) => m.dispatchToOnScene),
        targetSeconds,
      ),
    },
    import: {
      format: mapping.id,
      file,
      rowsRead: result.rowsRead,
      rowsSkipped: Object.values(result.skipped).reduce((a, b) => a + b, 0),
      calls: result.calls.length,
      skipped: result.skipped,
      skippedExamples: result.skippedExamples,
      unprioritised,
      withLocation: result.calls.filter((c) => c.location).length,
      limitations: mapping.limitations,
    },
  };
}

/** See {@link ImportedDemand}. */
export function importedDemand(
  calls: readonly Pick<ImportedCall, 'date' | 'hour'>[],
): ImportedDemand | null {
  if (calls.length === 0) return null;
  const dates = calls.map((c) => c.date).sort();
  const startDate = dates[0]!;
  const dayOf = (date: string) =>
    Math.round((Date.parse(date) - Date.parse(startDate)) / 86_400_000);
  const days = dayOf(dates.at(-1)!) + 1;
  const perHour = new Array<number>(24).fill(0);
  for (const call of calls) perHour[call.hour]! += 1;
  // Days of each weekday and month in the span, and their calls.
  const weekdayDays = new Array<number>(7).fill(0);
  const monthDays = new Array<number>(12).fill(0);
  const start = Date.parse(startDate);
  for (let day = 0; day < days; day++) {
    const date = new Date(start + day * 86_400_000);
    weekdayDays[(date.getUTCDay() + 6) % 7]! += 1;
    monthDays[date.getUTCMonth()]! += 1;
  }
  const weekdayCalls = new Array<number>(7).fill(0);
  const monthCalls = new Array<number>(12).fill(0);
  for (const { date } of calls) {
    const at = new Date(Date.parse(date));
    weekdayCalls[(at.getUTCDay() + 6) % 7]! += 1;
    monthCalls[at.getUTCMonth()]! += 1;
  }
  const perDay = calls.length / days;
  const factor = (n: number, d: number) =>
    d === 0 ? 1 : round3(n / d / perDay);
  return {
    days,
    callsPerHour: perHour.map((n) => round3(n / days)),
    calendar: {
      startDate,
      weekdayFactors: weekdayCalls.map((n, i) => factor(n, weekdayDays[i]!)),
      monthFactors: monthCalls.map((n, i) => factor(n, monthDays[i]!)),
    },
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * First dispatch to first arrival, as `incidentIntervals` counts phases
 * (earliest of each; null when the arrival precedes the dispatch).
 */
function dispatchToOnSceneSeconds(call: ImportedCall): number | null {
  const shifted = call.events.map((e) => ({
    at: e.at,
    phase:
      e.phase === 'dispatched'
        ? ('received' as const)
        : e.phase === 'received'
          ? ('acknowledged' as const)
          : e.phase,
  }));
  // Reading "dispatched" as "received" lets the policy function measure
  // dispatch to on scene as its response interval: one rule for both.
  return incidentIntervals(shifted).response;
}

function hourRow(
  hour: number,
  values: (number | null)[],
  targetSeconds: number,
): ImportHourRow {
  const summary = intervalSummary(values);
  return {
    hour,
    count: values.length,
    measured: summary.count,
    p50: summary.p50,
    p90: summary.p90,
    withinTargetRatio: withinTarget(values, targetSeconds),
  };
}

function intervalSummary(values: (number | null)[]): IntervalSummary {
  const known = values.filter((v): v is number => v !== null);
  return {
    count: known.length,
    p50: round(percentile(known, 0.5)),
    p90: round(percentile(known, 0.9)),
  };
}

function withinTarget(
  values: (number | null)[],
  targetSeconds: number,
): number | null {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return null;
  return known.filter((v) => v <= targetSeconds).length / known.length;
}

function countValues(values: string[]): {
  count: number;
  topValues: Record<string, number>;
} {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
  return { count: values.length, topValues: Object.fromEntries(top) };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/** Names of the intervals for people, as the planner view labels them. */
export const INTERVAL_LABELS = {
  callProcessing: 'call processing',
  turnout: 'turnout',
  travel: 'travel',
  response: 'response',
} as const;
