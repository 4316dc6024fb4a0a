/**
 * Response-time figures the planner view computes in the browser from
 * `GET /api/incidents`: percentiles, the response-time histogram and the
 * by-hour table. No DOM here, so the rules are unit-tested.
 */
import { percentile } from '../../../dispatch-server/src/policy/intervals.ts';
import type { IncidentView, Priority } from '../shared/types.ts';

/**
 * The `q` quantile (0..1), the server's own function (linear interpolation,
 * as PostgreSQL's `percentile_cont`): one rule for both, so the planner's
 * figures match the metrics API's.
 */
export { percentile };

/** One tenth of a second, as the server rounds its percentiles. */
export function roundTenth(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/** One bar of a histogram: values in `[from, to)` seconds. */
export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

/** A histogram of durations, with what fell past its last bin. */
export interface Histogram {
  bins: HistogramBin[];
  /** Values at or over `maxSeconds`. */
  overflow: number;
  /** The tallest bar (overflow included), at least 1 for scaling. */
  peak: number;
}

/**
 * Counts durations in bins of `binSeconds` from 0 up to `maxSeconds`
 * (by default 30 s bins up to 20 min). Each bin holds `[from, to)`; a
 * value of exactly `maxSeconds` or more is overflow. Negative and
 * non-finite values are ignored.
 */
export function histogram(
  values: readonly number[],
  binSeconds = 30,
  maxSeconds = 20 * 60,
): Histogram {
  const size = Math.ceil(maxSeconds / binSeconds);
  const bins: HistogramBin[] = Array.from({ length: size }, (_, i) => ({
    from: i * binSeconds,
    to: Math.min((i + 1) * binSeconds, maxSeconds),
    count: 0,
  }));
  let overflow = 0;
  for (const value of values) {
    if (!Number.isFinite(value) || value < 0) continue;
    if (value >= maxSeconds) {
      overflow += 1;
      continue;
    }
    (bins[Math.floor(value / binSeconds)] as HistogramBin).count += 1;
  }
  const peak = Math.max(1, overflow, ...bins.map((b) => b.count));
  return { bins, overflow, peak };
}

/**
 * The hour of day (0-23) of `at` on the wall clock of `timeZone`.
 * @param timeZone IANA zone, e.g. `America/Sao_Paulo`
 */
export function hourInZone(at: Date, timeZone: string): number {
  const parts = hourFormat(timeZone).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  // Some engines write midnight as 24 even with h23.
  return hour % 24;
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();

function hourFormat(timeZone: string): Intl.DateTimeFormat {
  let format = hourFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      hourCycle: 'h23',
    });
    hourFormats.set(timeZone, format);
  }
  return format;
}

/** Whether the incident was cancelled (the server's report leaves these out). */
export function isCancelled(incident: IncidentView): boolean {
  return (
    incident.phase === 'cancelled' ||
    incident.timeline.some((event) => event.phase === 'cancelled')
  );
}

/**
 * The incidents a report counts: not cancelled, and of `priority` when
 * one is given.
 */
export function reportable(
  incidents: readonly IncidentView[],
  priority: Priority | null,
): IncidentView[] {
  return incidents.filter(
    (incident) =>
      !isCancelled(incident) &&
      (priority === null || incident.priority === priority),
  );
}

/** Measured response times (received to first on scene), in seconds. */
export function responseTimes(incidents: readonly IncidentView[]): number[] {
  return incidents
    .map((incident) => incident.intervals.response)
    .filter((v): v is number => v !== null && Number.isFinite(v));
}

/** One row of the by-hour table. */
export interface HourRow {
  /** 0-23 on the city's wall clock. */
  hour: number;
  /** Incidents received in that hour. */
  count: number;
  /** Incidents among them with a measured response. */
  measured: number;
  p50: number | null;
  p90: number | null;
  /** Share of measured responses at or under target; null when none. */
  withinTargetRatio: number | null;
}

/**
 * Incidents grouped by the hour of day they were received in, on the
 * wall clock of `timeZone`: always 24 rows, hour 0 first. Pass incidents
 * already filtered with {@link reportable}.
 */
export function byHour(
  incidents: readonly IncidentView[],
  timeZone: string,
  targetSeconds: number,
): HourRow[] {
  const groups: IncidentView[][] = Array.from({ length: 24 }, () => []);
  for (const incident of incidents) {
    const hour = hourInZone(new Date(incident.receivedAt), timeZone);
    (groups[hour] as IncidentView[]).push(incident);
  }
  return groups.map((group, hour) => {
    const responses = responseTimes(group);
    return {
      hour,
      count: group.length,
      measured: responses.length,
      p50: roundTenth(percentile(responses, 0.5)),
      p90: roundTenth(percentile(responses, 0.9)),
      withinTargetRatio: withinTarget(responses, targetSeconds),
    };
  });
}

/** Share of `responses` at or under `targetSeconds`; null when none. */
export function withinTarget(
  responses: readonly number[],
  targetSeconds: number,
): number | null {
  if (responses.length === 0) return null;
  return responses.filter((v) => v <= targetSeconds).length / responses.length;
}

/** A share as a whole percentage (`83%`); null gives `–`. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return '–';
  }
  return `${Math.round(ratio * 100)}%`;
}
