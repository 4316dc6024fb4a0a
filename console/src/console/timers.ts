import type { IncidentView } from '../shared/types.ts';

/** How an incident's clock stands against the response target. */
export type TimerLevel = 'ok' | 'warning' | 'late';

/**
 * The colour level of a response clock: `ok` below two thirds of the
 * target, `warning` (amber) from two thirds up to the target itself,
 * `late` (red) once past it.
 * @param elapsedSeconds seconds since the call was received
 * @param targetSeconds the response target, e.g. 180
 */
export function timerLevel(
  elapsedSeconds: number,
  targetSeconds: number,
): TimerLevel {
  if (elapsedSeconds > targetSeconds) return 'late';
  if (elapsedSeconds >= (targetSeconds * 2) / 3) return 'warning';
  return 'ok';
}

/**
 * Seconds since `receivedAt` by the server's clock.
 * @param nowMs this device's time, ms since the epoch
 * @param clockOffsetMs server time minus device time (from a snapshot)
 */
export function elapsedSeconds(
  receivedAt: string,
  nowMs: number,
  clockOffsetMs: number,
): number {
  return Math.max(0, (nowMs + clockOffsetMs - Date.parse(receivedAt)) / 1000);
}

/** What an incident's timer shows now. */
export interface IncidentClock {
  /** Seconds shown: live elapsed time, or the response time once on scene. */
  seconds: number;
  level: TimerLevel;
  /** True once a unit is on scene: the clock has stopped. */
  stopped: boolean;
}

/**
 * The clock of an incident: running from `receivedAt` until a unit is on
 * scene, then the response interval, both judged against its target.
 */
export function incidentClock(
  incident: Pick<IncidentView, 'receivedAt' | 'intervals' | 'targetSeconds'>,
  nowMs: number,
  clockOffsetMs: number,
): IncidentClock {
  const response = incident.intervals.response;
  const seconds =
    response ?? elapsedSeconds(incident.receivedAt, nowMs, clockOffsetMs);
  return {
    seconds,
    level: timerLevel(seconds, incident.targetSeconds),
    stopped: response !== null,
  };
}
