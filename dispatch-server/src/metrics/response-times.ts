import {
  incidentIntervals,
  INTERVAL_NAMES,
  percentile,
  type IncidentIntervals,
  type IncidentPhase,
  type Priority,
} from '../policy/index.ts';
import type { Queryable } from '../storage/database.ts';

/** Percentiles of one interval over a set of incidents, in seconds. */
export interface IntervalSummary {
  /** Incidents in which this interval was measured. */
  count: number;
  p50: number | null;
  p90: number | null;
}

/** Answer of `GET /api/metrics/response-times`. */
export interface ResponseTimeReport {
  from: string | null;
  to: string | null;
  priority: Priority | null;
  /** Incidents received in the period (cancelled ones left out). */
  count: number;
  targetSeconds: number;
  /** Share of incidents with a measured response at or under target. */
  withinTargetRatio: number | null;
  intervals: Record<keyof IncidentIntervals, IntervalSummary>;
  byPriority?: Record<string, Omit<ResponseTimeReport, 'byPriority'>>;
}

/**
 * Response-time figures over incidents received in `[from, to)`:
 * percentiles of each interval and the share within target. Cancelled
 * incidents are left out (no unit was needed); incidents with no unit on
 * scene yet count in `count` but not in the response percentiles.
 * Intervals come from the same policy function the simulator uses.
 */
export async function responseTimeReport(
  db: Queryable,
  query: { from?: Date; to?: Date; priority?: Priority },
  targetSeconds: number,
): Promise<ResponseTimeReport> {
  const params: unknown[] = [];
  const where = [
    `NOT EXISTS (SELECT 1 FROM incident_events c
                  WHERE c.incident_id = i.id AND c.phase = 'cancelled')`,
  ];
  if (query.from) {
    params.push(query.from);
    where.push(`i.received_at >= $${params.length}`);
  }
  if (query.to) {
    params.push(query.to);
    where.push(`i.received_at < $${params.length}`);
  }
  if (query.priority) {
    params.push(query.priority);
    where.push(`i.priority = $${params.length}`);
  }
  // First time of each phase per incident; only these feed the intervals.
  const rows = await db.query<{
    id: number;
    priority: Priority;
    phase: IncidentPhase | null;
    first_at: Date | null;
  }>(
    `SELECT i.id, i.priority, e.phase, min(e.at) AS first_at
       FROM incidents i
       LEFT JOIN incident_events e ON e.incident_id = i.id
        AND e.phase IN ('received', 'dispatched', 'en_route', 'on_scene')
      WHERE ${where.join(' AND ')}
      GROUP BY i.id, i.priority, e.phase`,
    params,
  );
  const byIncident = new Map<
    number,
    { priority: Priority; events: { phase: IncidentPhase; at: Date }[] }
  >();
  for (const row of rows) {
    let entry = byIncident.get(row.id);
    if (!entry) {
      entry = { priority: row.priority, events: [] };
      byIncident.set(row.id, entry);
    }
    if (row.phase && row.first_at) {
      entry.events.push({ phase: row.phase, at: new Date(row.first_at) });
    }
  }
  const measured = [...byIncident.values()].map((entry) => ({
    priority: entry.priority,
    intervals: incidentIntervals(entry.events),
  }));
  const period = {
    from: query.from?.toISOString() ?? null,
    to: query.to?.toISOString() ?? null,
  };
  const report: ResponseTimeReport = {
    ...period,
    ...summarise(measured, targetSeconds),
    priority: query.priority ?? null,
  };
  if (!query.priority) {
    report.byPriority = {};
    for (const priority of [1, 2, 3] as const) {
      report.byPriority[priority] = {
        ...period,
        ...summarise(
          measured.filter((m) => m.priority === priority),
          targetSeconds,
        ),
        priority,
      };
    }
  }
  return report;
}

/**
 * Percentiles of each interval and the share of measured responses within
 * target over a set of incidents: the body of the report, shared with the
 * planner's import of other agencies' CAD exports so both count alike.
 */
export function summarise(
  measured: { intervals: IncidentIntervals }[],
  targetSeconds: number,
) {
  const intervals = {} as Record<keyof IncidentIntervals, IntervalSummary>;
  for (const name of INTERVAL_NAMES) {
    const values = measured
      .map((m) => m.intervals[name])
      .filter((v): v is number => v !== null);
    intervals[name] = {
      count: values.length,
      p50: round(percentile(values, 0.5)),
      p90: round(percentile(values, 0.9)),
    };
  }
  const responses = measured
    .map((m) => m.intervals.response)
    .filter((v): v is number => v !== null);
  return {
    count: measured.length,
    targetSeconds,
    withinTargetRatio:
      responses.length === 0
        ? null
        : responses.filter((v) => v <= targetSeconds).length / responses.length,
    intervals,
  };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}
