import { checkMaxSeconds, assertOrigins } from '../embedded/embedded-router.ts';
import { RoutingError } from '../errors.ts';
import { assertLatLon } from '../geo.ts';
import type {
  LatLon,
  Leg,
  OneToManyOptions,
  OneToManyResult,
  Route,
  Router,
  Snap,
  TravelTimeField,
} from '../router.ts';
import {
  OsrmClient,
  OsrmResponseError,
  type OsrmClientOptions,
  type OsrmWaypoint,
} from './client.ts';

/** Options of {@link OsrmRouter}. */
export interface OsrmRouterOptions extends OsrmClientOptions {
  /**
   * A point OSRM snaps further away than this is off the network (OSRM
   * itself snaps any distance). Default 1000 m, as the embedded router.
   */
  maxSnapMeters?: number;
}

/**
 * The {@link Router} over an OSRM v5 server. Answers are checked before they
 * are believed: a missing, negative or non-numeric duration is a failure
 * (`ROUTING_UPSTREAM_FAILED`), never a zero.
 */
export class OsrmRouter implements Router {
  readonly client: OsrmClient;
  readonly maxSnapMeters: number;

  constructor(options: OsrmRouterOptions) {
    this.client = new OsrmClient(options);
    this.maxSnapMeters = options.maxSnapMeters ?? 1000;
  }

  async oneToMany(
    origins: readonly LatLon[],
    destination: LatLon,
    options: OneToManyOptions = {},
  ): Promise<OneToManyResult> {
    assertOrigins(origins);
    assertLatLon(destination, 'destination');
    const maxSeconds = checkMaxSeconds(options.maxSeconds);
    const n = origins.length;
    const answer = await this.client
      .table(
        [...origins, destination],
        origins.map((_, i) => i),
        [n],
      )
      .catch(rethrowSnapFailure('a coordinate'));
    const target = answer.destinations?.[0];
    if (!isWaypoint(target) || answer.sources?.length !== n) {
      throw malformed('table', 'waypoints missing');
    }
    if (target.distance > this.maxSnapMeters) {
      throw new RoutingError(
        'ROUTING_POINT_OFF_NETWORK',
        `destination is ${Math.round(target.distance)} m from the nearest road`,
      );
    }
    const legs = origins.map((_, i): Leg => {
      const source = answer.sources[i];
      if (!isWaypoint(source)) throw malformed('table', `source ${i}`);
      if (source.distance > this.maxSnapMeters) {
        return { reachable: false, reason: 'off_network' };
      }
      const seconds = answer.durations?.[i]?.[0];
      const meters = answer.distances?.[i]?.[0];
      if (seconds === null) return { reachable: false, reason: 'no_route' };
      if (!isNonNegative(seconds) || !isNonNegative(meters)) {
        throw malformed('table', `no duration and distance for source ${i}`);
      }
      if (seconds > maxSeconds)
        return { reachable: false, reason: 'beyond_limit' };
      return { reachable: true, etaSeconds: seconds, distanceMeters: meters };
    });
    return { legs, source: 'osrm' };
  }

  async route(origin: LatLon, destination: LatLon): Promise<Route | undefined> {
    assertLatLon(origin, 'origin');
    assertLatLon(destination, 'destination');
    let answer;
    try {
      answer = await this.client.route([origin, destination]);
    } catch (err) {
      if (err instanceof OsrmResponseError && err.osrmCode === 'NoRoute') {
        return undefined;
      }
      return rethrowSnapFailure('origin or destination')(err);
    }
    const best = answer.routes?.[0];
    const [from, to] = answer.waypoints ?? [];
    if (
      best === undefined ||
      typeof best.geometry !== 'object' ||
      best.geometry?.type !== 'LineString' ||
      !isNonNegative(best.duration) ||
      !isNonNegative(best.distance) ||
      !isWaypoint(from) ||
      !isWaypoint(to)
    ) {
      throw malformed('route', 'no route, geometry or waypoints');
    }
    for (const [what, waypoint] of [
      ['origin', from],
      ['destination', to],
    ] as const) {
      if (waypoint.distance > this.maxSnapMeters) {
        throw new RoutingError(
          'ROUTING_POINT_OFF_NETWORK',
          `${what} is ${Math.round(waypoint.distance)} m from the nearest road`,
        );
      }
    }
    return {
      geometry: best.geometry,
      etaSeconds: best.duration,
      distanceMeters: best.distance,
      snappedOrigin: toSnap(from),
      snappedDestination: toSnap(to),
      source: 'osrm',
    };
  }

  async snap(point: LatLon): Promise<Snap | undefined> {
    assertLatLon(point, 'point');
    const answer = await this.client.nearest(point).catch((err: unknown) => {
      if (err instanceof OsrmResponseError && err.osrmCode === 'NoSegment') {
        return undefined;
      }
      throw err;
    });
    if (answer === undefined) return undefined;
    const nearest = answer.waypoints?.[0];
    if (!isWaypoint(nearest)) throw malformed('nearest', 'no waypoint');
    return nearest.distance > this.maxSnapMeters ? undefined : toSnap(nearest);
  }

  /**
   * OSRM has no query for drive times to every road; the fallback router
   * answers this from the embedded graph.
   * @throws RoutingError `ROUTING_NOT_SUPPORTED`, always.
   */
  async travelTimes(): Promise<TravelTimeField> {
    throw new RoutingError(
      'ROUTING_NOT_SUPPORTED',
      'OSRM has no travel-time field (isochrone) service',
    );
  }
}

function toSnap(waypoint: OsrmWaypoint): Snap {
  return {
    location: { lon: waypoint.location[0], lat: waypoint.location[1] },
    offsetMeters: waypoint.distance,
    name: waypoint.name ?? '',
    source: 'osrm',
  };
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isWaypoint(value: unknown): value is OsrmWaypoint {
  const w = value as OsrmWaypoint | undefined;
  return (
    Array.isArray(w?.location) &&
    w.location.length === 2 &&
    w.location.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
    isNonNegative(w.distance)
  );
}

function malformed(service: string, detail: string): RoutingError {
  return new RoutingError(
    'ROUTING_UPSTREAM_FAILED',
    `OSRM ${service} answer is malformed: ${detail}`,
  );
}

/** Maps OSRM's NoSegment to off-network; other failures stay failures. */
function rethrowSnapFailure(what: string) {
  return (err: unknown): never => {
    if (err instanceof OsrmResponseError) {
      if (err.osrmCode === 'NoSegment') {
        throw new RoutingError(
          'ROUTING_POINT_OFF_NETWORK',
          `OSRM found no road near ${what}`,
          { cause: err },
        );
      }
      throw new RoutingError('ROUTING_UPSTREAM_FAILED', err.message, {
        cause: err,
      });
    }
    throw err;
  };
}
