/**
 * What the planner asks the server: the response-time report and the
 * incidents of a period. Types of the report come from the server.
 */
import { apiRequest } from '../shared/api.ts';
import type { IncidentView, Priority } from '../shared/types.ts';

/** Percentiles of one interval, in seconds (as the server rounds them). */
export interface IntervalSummary {
  /** Incidents in which this interval was measured. */
  count: number;
  p50: number | null;
  p90: number | null;
}

/** The figures of one report without its by-priority split. */
export interface ReportFigures {
  from: string | null;
  to: string | null;
  priority: Priority | null;
  /** Incidents received in the period, cancelled ones left out. */
  count: number;
  targetSeconds: number;
  /** Share of measured responses at or under target; null when none. */
  withinTargetRatio: number | null;
  intervals: Record<IntervalName, IntervalSummary>;
}

/**
 * Answer of `GET /api/metrics/response-times` (mirrors the server's
 * `ResponseTimeReport`; the server module itself is not browser code).
 */
export interface ResponseTimeReport extends ReportFigures {
  /** Per priority `1`..`3`; only when no priority was asked for. */
  byPriority?: Record<string, ReportFigures>;
}

/** Names of the intervals, in the order the planner shows them. */
export const INTERVALS = [
  'callProcessing',
  'turnout',
  'travel',
  'response',
] as const;

export type IntervalName = (typeof INTERVALS)[number];

/** The most incidents `GET /api/incidents` answers at once. */
export const INCIDENT_LIMIT = 5000;

/** The period and filter the planner chose. */
export interface PlannerQuery {
  /** ISO instants `[from, to)`. */
  from: string;
  to: string;
  priority: Priority | null;
}

/** `GET /api/metrics/response-times` for the query. */
export function fetchReport(
  query: PlannerQuery,
  token: string,
): Promise<ResponseTimeReport> {
  const params = new URLSearchParams({ from: query.from, to: query.to });
  if (query.priority !== null) params.set('priority', String(query.priority));
  return apiRequest<ResponseTimeReport>(
    `/api/metrics/response-times?${params}`,
    { token },
  );
}

/** `GET /api/incidents` for the period, up to {@link INCIDENT_LIMIT}. */
export function fetchIncidents(
  query: PlannerQuery,
  token: string,
): Promise<IncidentView[]> {
  const params = new URLSearchParams({
    from: query.from,
    to: query.to,
    limit: String(INCIDENT_LIMIT),
  });
  return apiRequest<IncidentView[]>(`/api/incidents?${params}`, { token });
}
