/**
 * Types the console and the tablet share with the server. Type-only
 * imports: the bundler erases them, so no server code reaches the browser.
 */
export type {
  Ack,
  Assignment,
  ConsoleClientToServer,
  ConsoleServerToClient,
  ConsoleSnapshot,
  TabletClientToServer,
  TabletFix,
  TabletServerToClient,
  TabletSnapshot,
  TabletStatusReport,
} from '../../../dispatch-server/src/realtime/contract.ts';
export type {
  IncidentView,
  PhaseEventView,
} from '../../../dispatch-server/src/incidents/views.ts';
/** What `GET /api/incidents/:id/route` answers. */
export type { UnitRoute as UnitRouteAnswer } from '../../../dispatch-server/src/incidents/incident-service.ts';
export type { UnitView } from '../../../dispatch-server/src/units/views.ts';
export type {
  Capability,
  IncidentPhase,
  Priority,
  Recommendation,
  UnitStatus,
} from '../../../dispatch-server/src/policy/index.ts';
export type { Role } from '../../../dispatch-server/src/auth/roles.ts';
export type { UserView } from '../../../dispatch-server/src/auth/auth-service.ts';
export type { ErrorBody } from '../../../dispatch-server/src/errors.ts';
export type { EtaUpdate, LivePosition } from '@dispatch/unit-tracker';
/** One answer of `GET /api/places/search`: a street or a crossing. */
export type { Place } from '@dispatch/routing';

import type { Role } from '../../../dispatch-server/src/auth/roles.ts';
import type { NearbyIncident } from '../../../dispatch-server/src/incidents/incident-service.ts';
import type { UserView } from '../../../dispatch-server/src/auth/auth-service.ts';

/** A point in degrees (WGS 84). */
export interface LatLon {
  lat: number;
  lon: number;
}

/** A station or hospital of the city, as `GET /api/city` lists it. */
export interface CityPlace {
  id: string;
  name: string;
  location: LatLon;
  emergency?: boolean;
}

/**
 * The city as `GET /api/city` answers. `tileUrl` and `tileAttribution`
 * are optional: without them the console draws the road network itself.
 */
export interface CityInfo {
  id: string;
  name: string;
  timeZone: string;
  locale: string;
  center: LatLon;
  /** [minLon, minLat, maxLon, maxLat]: where calls are accepted. */
  serviceArea: [number, number, number, number];
  targetSeconds: number;
  stations: CityPlace[];
  hospitals: CityPlace[];
  tileUrl?: string;
  tileAttribution?: string;
}

/** Properties of one road of `GET /api/basemap`. */
export interface BasemapRoad {
  name: string;
  /** Free-flow car speed, km/h: how important the road is. */
  speedKph: number;
}

/** The road network of `GET /api/basemap`. */
export type Basemap = GeoJSON.FeatureCollection<
  GeoJSON.LineString,
  BasemapRoad
>;

/** What `GET /api/incidents/nearby` answers: maybe the same emergency. */
export interface NearbyAnswer {
  withinMeters: number;
  withinMinutes: number;
  incidents: NearbyIncident[];
}

/** What `POST /api/auth/login` answers. */
export interface LoginAnswer {
  token: string;
  role: Role;
  user: UserView;
  expiresAt: string;
}
