/**
 * The state the event loop works on: units with where they are or are
 * driving, and calls with the times of their phases.
 */
import type { Capability, UnitStatus } from '@dispatch/server/policy';

import type { SimCall } from '../demand.ts';

/** A unit during a run. */
export interface SimUnit {
  index: number;
  callSign: string;
  capability: Capability;
  /** Station index of its base. */
  home: number;
  /** Station index it returns to when free (its base, or a move-up post). */
  post: number;
  status: UnitStatus;
  onShift: boolean;
  /** The shift ended during a job: off service once the job is done. */
  offAfterJob: boolean;
  /** Drive in progress: from place to place over [departAt, arriveAt]. */
  fromPlace: number;
  toPlace: number;
  departAt: number;
  arriveAt: number;
  /** Call being worked, or -1. */
  callIndex: number;
  busySince: number;
  busySeconds: number;
  shiftSince: number;
  shiftSeconds: number;
  calls: number;
}

/** What happened to one call: times in seconds since the run's start. */
export interface CallOutcome {
  call: SimCall;
  /** Call processing drawn for this call (received → dispatch decision). */
  decideAt: number;
  /** No eligible unit was free at the dispatch decision. */
  allBusy: boolean;
  /** Lost (policy `lost`) or never answered before the run's end. */
  lost: boolean;
  dispatchedAt: number | null;
  enRouteAt: number | null;
  onSceneAt: number | null;
  unit: number;
  /** Where the unit started: `station`, or `moving` (on its way back or to a post). */
  origin: 'station' | 'moving' | null;
  travelMeters: number | null;
  transported: boolean;
  hospital: number;
  atHospitalAt: number | null;
  clearedAt: number | null;
  // Draws fixed at the call's arrival (common random numbers).
  turnoutDraw: number;
  onSceneDraw: number;
  handoverDraw: number;
  transportDraw: boolean;
}
