/** What a replay counts while it runs; the summary is made from it. */
export interface ReplayStats {
  callsPlaced: number;
  incidentsCreated: number;
  assigned: number;
  /** Calls that found no free unit at least once and waited. */
  waitedForUnit: number;
  /** Calls still without a unit when the replay stopped. */
  neverAssigned: number;
  transports: number;
  statusReports: number;
  statusRefused: number;
  /** Crews that went out of service at the end of a shift. */
  shiftsEnded: number;
  /** Crews that came available at the start of a shift. */
  shiftsStarted: number;
  /** Of `shiftsEnded`: after finishing the job they were on. */
  offAfterJob: number;
  fixesSent: number;
  fixesAccepted: number;
  /** Refused fixes by the tracker's reason. */
  fixesRefused: Record<string, number>;
  errorCount: number;
  /** The first errors, for the summary. */
  errors: string[];
}

export function newStats(): ReplayStats {
  return {
    callsPlaced: 0,
    incidentsCreated: 0,
    assigned: 0,
    waitedForUnit: 0,
    neverAssigned: 0,
    transports: 0,
    statusReports: 0,
    statusRefused: 0,
    shiftsEnded: 0,
    shiftsStarted: 0,
    offAfterJob: 0,
    fixesSent: 0,
    fixesAccepted: 0,
    fixesRefused: {},
    errorCount: 0,
    errors: [],
  };
}

/** Counts an error and keeps its message among the first ten. */
export function recordError(stats: ReplayStats, message: string): void {
  stats.errorCount += 1;
  if (stats.errors.length < 10) stats.errors.push(message);
}
