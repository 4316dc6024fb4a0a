/**
 * The scenario file: everything a run needs besides the number of days
 * and the seed. Validated by `parseScenario`; simulations/README.md
 * documents every field.
 */
import type {
  Capability,
  Priority,
  ResponsePlan,
} from '@dispatch/server/policy';

/** A time distribution, in seconds. */
export type Distribution =
  | { distribution: 'fixed'; seconds: number }
  | { distribution: 'exponential'; meanSeconds: number }
  | { distribution: 'uniform'; minSeconds: number; maxSeconds: number }
  /** Log-normal fitted to a median and a 90th percentile. */
  | { distribution: 'lognormal'; medianSeconds: number; p90Seconds: number };

/** A daily shift in local time, "HH:MM"; end may be "24:00" or before start (overnight). */
export interface Shift {
  start: string;
  end: string;
}

/** One unit of the fleet. */
export interface UnitSpec {
  callSign: string;
  capability: Capability;
  /** Station id of the city pack. */
  station: string;
  /** When the unit is staffed; absent means around the clock. */
  shifts?: Shift[];
}

/** Policies of choosing a unit for a call. */
export const DISPATCH_POLICIES = [
  'closest-drive-time',
  'closest-straight-line',
  'first-due',
] as const;
export type DispatchPolicy = (typeof DISPATCH_POLICIES)[number];

/**
 * The days of a run as dates, and how busy each is: an hour's rate is
 * `callsPerHour[hour] × weekday × month × date` factor.
 */
export interface DemandCalendar {
  /** The date of day 0 of a run (`YYYY-MM-DD`, local). */
  startDate: string;
  /** Monday first; 7 numbers ≥ 0. */
  weekdayFactors: number[];
  /** January first; 12 numbers ≥ 0. */
  monthFactors: number[];
  /** Single days (holidays, Carnival, a match): `YYYY-MM-DD` → factor. */
  dateFactors: Record<string, number>;
}

export interface Scenario {
  name: string;
  /** City pack id (a folder of data/) or a path to one. */
  city: string;
  /** Response-time target, seconds. */
  targetSeconds: number;
  fleet: { units: UnitSpec[] };
  demand: {
    /** Expected calls in each hour of the day (24 numbers, local time). */
    callsPerHour: number[];
    /** Share of calls of each priority; normalised, must sum to > 0. */
    priorityMix: Record<Priority, number>;
    /** The calendar the hourly rates are scaled by; absent: every day alike. */
    calendar?: DemandCalendar;
  };
  times: {
    callProcessing: Distribution;
    turnout: Distribution;
    onScene: Distribution;
    /** Chance that a call ends with a transport, per priority. */
    transportProbability: Record<Priority, number>;
    handover: Distribution;
  };
  travel: {
    /**
     * `road`: drive times over the city's road network; `none`: travel
     * takes no time (for queueing checks against Erlang formulas).
     */
    model: 'road' | 'none';
    /** Lights-and-sirens factor on response drives; default the city's routing setting. */
    emergencySpeedFactor?: number;
    /**
     * Traffic: 24 multipliers of every drive's time by the local hour it
     * starts in (rush hour 1.3...). Decisions still rank by free-flow
     * times, as the live router does. Absent: free flow at every hour.
     */
    hourFactors?: number[];
  };
  policy: {
    dispatch: DispatchPolicy;
    /** Idle units cover empty stations. */
    moveUp: boolean;
    /** `queue`: calls wait for the next free unit; `lost`: they go elsewhere. */
    whenAllBusy: 'queue' | 'lost';
    responsePlan: ResponsePlan;
    /** Speed that turns straight-line meters into ranking seconds (closest-straight-line). */
    straightLineSpeedMps: number;
  };
}
