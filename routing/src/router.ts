import type { LineString } from 'geojson';

/** A WGS84 position. Latitude in [-90, 90], longitude in [-180, 180]. */
export interface LatLon {
  lat: number;
  lon: number;
}

/**
 * Which engine produced an answer. `embedded` is the in-process router over
 * the city's OSM extract; `osrm` an OSRM v5 HTTP server.
 */
export type RoutingSource = 'embedded' | 'osrm';

/** Why an origin has no drive time to the destination. */
export type UnreachableReason =
  /** The point is further from any routable road than the snap limit. */
  | 'off_network'
  /** Both points are on the network but no legal drive joins them. */
  | 'no_route'
  /** The search stopped at the caller's `maxSeconds` before reaching it. */
  | 'beyond_limit';

/** Drive time and distance from one origin, when a drive exists. */
export interface ReachableLeg {
  reachable: true;
  etaSeconds: number;
  distanceMeters: number;
}

/** An origin that cannot drive to the destination; never a zero. */
export interface UnreachableLeg {
  reachable: false;
  reason: UnreachableReason;
}

export type Leg = ReachableLeg | UnreachableLeg;

/** Answer of {@link Router.oneToMany}: one leg per origin, same order. */
export interface OneToManyResult {
  legs: Leg[];
  source: RoutingSource;
  /** Set when the answer came from a fallback engine: why the first failed. */
  fallbackReason?: string;
}

/** Options of {@link Router.oneToMany}. */
export interface OneToManyOptions {
  /**
   * Stop searching past this drive time; origins further away come back
   * unreachable with reason `beyond_limit`. Default: no limit.
   */
  maxSeconds?: number;
}

/** A drivable route between two points. */
export interface Route {
  geometry: LineString;
  etaSeconds: number;
  distanceMeters: number;
  /** Where the origin and destination were snapped onto the network. */
  snappedOrigin: Snap;
  snappedDestination: Snap;
  source: RoutingSource;
  fallbackReason?: string;
}

/** The nearest routable point on the network to a query point. */
export interface Snap {
  /** The point on the road, projected onto the nearest segment. */
  location: LatLon;
  /** Straight-line distance from the query point to `location`. */
  offsetMeters: number;
  /** Street name of the segment, empty when the road has none. */
  name: string;
  source: RoutingSource;
}

/** Options of {@link Router.travelTimes}. */
export interface TravelTimeOptions {
  /** Stop the search past this drive time (coverage maps use 180 s). */
  maxSeconds: number;
}

/**
 * Drive times from the nearest of a set of origins to every point of the
 * road network, up to a limit. The basis of the live coverage map.
 */
export interface TravelTimeField {
  source: RoutingSource;
  maxSeconds: number;
  /**
   * Drive time from the nearest origin to `point` (snapped onto the
   * network), or `undefined` when it is off the network or beyond
   * `maxSeconds`.
   */
  secondsTo(point: LatLon): number | undefined;
  /**
   * The parts of the road network reachable within `withinSeconds`
   * (at most `maxSeconds`), as line pieces cut at the exact reach.
   */
  reachable(withinSeconds?: number): CoverageLines;
}

/** Road reachable within a time, for drawing and for measuring coverage. */
export interface CoverageLines {
  withinSeconds: number;
  /** Each piece is a list of [lon, lat] positions. */
  lines: number[][][];
  /** Total length of road (counting each road once) reachable in time. */
  lengthMeters: number;
}

/**
 * The one routing interface that dispatch, the tracker and the simulator
 * use. Every method rejects invalid input with a {@link RoutingError}
 * (bad coordinates, no origins) and reports unreachable points explicitly;
 * no method ever answers a failure with zero seconds.
 */
export interface Router {
  /**
   * Drive time and distance from each origin (unit positions) to one
   * destination (the incident).
   * @throws RoutingError `ROUTING_INVALID_COORDINATE`, `ROUTING_NO_ORIGINS`,
   *   `ROUTING_POINT_OFF_NETWORK` (the destination is off the network).
   */
  oneToMany(
    origins: readonly LatLon[],
    destination: LatLon,
    options?: OneToManyOptions,
  ): Promise<OneToManyResult>;

  /**
   * The fastest route from `origin` to `destination`, or `undefined` when
   * no legal drive joins them.
   * @throws RoutingError `ROUTING_INVALID_COORDINATE`,
   *   `ROUTING_POINT_OFF_NETWORK`.
   */
  route(origin: LatLon, destination: LatLon): Promise<Route | undefined>;

  /**
   * The nearest routable point, or `undefined` when none is within the
   * snap limit.
   * @throws RoutingError `ROUTING_INVALID_COORDINATE`.
   */
  snap(point: LatLon): Promise<Snap | undefined>;

  /**
   * Drive time from the nearest of `origins` to every point of the network,
   * up to `options.maxSeconds`. Origins off the network are ignored.
   * @throws RoutingError `ROUTING_INVALID_COORDINATE`, `ROUTING_NO_ORIGINS`.
   */
  travelTimes(
    origins: readonly LatLon[],
    options: TravelTimeOptions,
  ): Promise<TravelTimeField>;
}
