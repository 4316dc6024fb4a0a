import type { LatLon } from '@dispatch/routing';

import type {
  IncidentIntervals,
  IncidentPhase,
  Priority,
} from '../policy/index.ts';

/** A drive by road, drawn on the map and told to the crew. */
export interface DriveRoute {
  geometry: GeoJSON.LineString;
  etaSeconds: number;
  distanceMeters: number;
  source: string;
}

/** One entry of an incident's append-only phase log. */
export interface PhaseEventView {
  seq: number;
  phase: IncidentPhase;
  /** When it happened (ISO instant; a tablet's own clock for crew events). */
  at: string;
  /** When the server stored it. */
  recordedAt: string;
  unitId: number | null;
  actor: string | null;
  source: 'intake' | 'dispatcher' | 'crew' | 'gps' | 'system';
  data: Record<string, unknown>;
}

/** An incident as the API and the sockets show it. */
export interface IncidentView {
  id: number;
  location: LatLon;
  priority: Priority;
  /** Personal data: shown to dispatchers and admins only. */
  complaint: string | null;
  address: string | null;
  /** Personal data: shown to dispatchers and admins only. */
  callerPhone: string | null;
  receivedAt: string;
  phase: IncidentPhase;
  open: boolean;
  /** Units working it now. */
  unitIds: number[];
  /**
   * Open with no unit working it: a new call, or one whose only unit was
   * freed before the scene (its phase stays `dispatched`, since the log
   * has no "unassigned" phase). The console flags it and ranks again.
   */
  needsUnit: boolean;
  intervals: IncidentIntervals;
  targetSeconds: number;
  /** Response within target; null until a unit is on scene. */
  withinTarget: boolean | null;
  timeline: PhaseEventView[];
}

/**
 * The incident as `role` may see it: the caller's phone and the complaint
 * are personal data for dispatchers and admins; planners and crews get
 * the incident without them (a crew gets the complaint with its
 * assignment, see the tablet contract).
 */
export function incidentForRole(
  incident: IncidentView,
  role: 'dispatcher' | 'admin' | 'planner' | 'crew',
): IncidentView {
  if (role === 'dispatcher' || role === 'admin') return incident;
  return { ...incident, callerPhone: null, complaint: null };
}
