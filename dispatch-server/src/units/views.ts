import type { LatLon } from '@dispatch/routing';

import type { Capability, UnitStatus } from '../policy/index.ts';

/** A unit as the API and the sockets show it. */
export interface UnitView {
  id: number;
  callSign: string;
  capability: Capability;
  station: LatLon & { name: string | null };
  trackerId: string | null;
  status: UnitStatus;
  /** When the current status began (ISO instant). */
  statusSince: string;
  /** The incident it is working, when assigned. */
  incidentId: number | null;
  lastPosition: PositionFix | null;
  /**
   * No fix for the stale limit (`DISPATCH_FIX_FRESH_SECONDS`, 60 s), or
   * none at all: the unit is ranked from its station and greyed out.
   */
  stale: boolean;
}

/** A GPS fix; `at` is the device's ISO instant. */
export interface PositionFix extends LatLon {
  at: string;
  speedMps?: number | null;
  headingDeg?: number | null;
  accuracyMeters?: number | null;
}

/** A fix of one unit, as fanned out to consoles. */
export interface PositionView extends PositionFix {
  unitId: number;
}

/** Answer to a status report. */
export interface StatusResult {
  unit: UnitView;
  /** True when the report's eventId had been applied before: no change. */
  duplicate: boolean;
}
