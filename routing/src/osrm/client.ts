import type { LineString } from 'geojson';

import { RoutingError } from '../errors.ts';
import type { LatLon } from '../router.ts';

/** A snapped input coordinate, as OSRM v5 reports it. */
export interface OsrmWaypoint {
  /** [lon, lat] on the road. */
  location: [number, number];
  /** Meters from the input coordinate to `location`. */
  distance: number;
  name: string;
  hint?: string;
  nodes?: number[];
}

/** Body of a successful `table` answer. */
export interface OsrmTableResponse {
  code: 'Ok';
  /** Seconds; null where no route exists. */
  durations?: (number | null)[][];
  /** Meters; null where no route exists. */
  distances?: (number | null)[][];
  sources: OsrmWaypoint[];
  destinations: OsrmWaypoint[];
}

/** One leg of a route between consecutive waypoints. */
export interface OsrmRouteLeg {
  duration: number;
  distance: number;
  weight: number;
  summary: string;
  steps: unknown[];
}

/** One route of a successful `route` answer. */
export interface OsrmRoute {
  geometry?: LineString | string;
  duration: number;
  distance: number;
  weight: number;
  weight_name: string;
  legs: OsrmRouteLeg[];
}

export interface OsrmRouteResponse {
  code: 'Ok';
  routes: OsrmRoute[];
  waypoints: OsrmWaypoint[];
}

export interface OsrmNearestResponse {
  code: 'Ok';
  waypoints: OsrmWaypoint[];
}

/**
 * An error answer of an OSRM server: `osrmCode` is its code (`NoRoute`,
 * `NoSegment`, `InvalidQuery`...). A request that failed to get any answer
 * is a {@link RoutingError} `ROUTING_UPSTREAM_FAILED` instead.
 */
export class OsrmResponseError extends Error {
  readonly osrmCode: string;
  readonly httpStatus: number;
  constructor(osrmCode: string, message: string, httpStatus: number) {
    super(`OSRM ${osrmCode}: ${message}`);
    this.name = 'OsrmResponseError';
    this.osrmCode = osrmCode;
    this.httpStatus = httpStatus;
  }
}

/** Options of {@link OsrmClient}. */
export interface OsrmClientOptions {
  /** Base URL of the server, e.g. `http://osrm.internal:5000`. */
  baseUrl: string;
  /** Profile segment of the URL. Default `driving`. */
  profile?: string;
  /** Time budget of one call, connection included. Default 500 ms. */
  timeoutMs?: number;
}

/**
 * A typed client of the OSRM v5 HTTP API (`table`, `route`, `nearest`)
 * over Node's fetch. Every call has a time budget; a call that runs out of
 * it, cannot connect or gets a malformed body rejects with
 * `ROUTING_UPSTREAM_FAILED`, never with a made-up answer.
 */
export class OsrmClient {
  readonly baseUrl: string;
  readonly profile: string;
  readonly timeoutMs: number;

  constructor(options: OsrmClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (err) {
      throw new RoutingError(
        'ROUTING_INVALID_OPTION',
        `OSRM_URL: expected an http(s) URL, got ${JSON.stringify(options.baseUrl)}`,
        { cause: err },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RoutingError(
        'ROUTING_INVALID_OPTION',
        `OSRM_URL: expected an http(s) URL, got ${url.protocol}`,
      );
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.profile = options.profile ?? 'driving';
    this.timeoutMs = options.timeoutMs ?? 500;
    if (!(this.timeoutMs > 0)) {
      throw new RoutingError(
        'ROUTING_INVALID_OPTION',
        `timeoutMs: expected a positive number, got ${options.timeoutMs}`,
      );
    }
  }

  /** `table` from `sources` to `destinations` (indices into `coords`). */
  table(
    coords: readonly LatLon[],
    sources: readonly number[],
    destinations: readonly number[],
  ): Promise<OsrmTableResponse> {
    return this.call<OsrmTableResponse>('table', coords, {
      sources: sources.join(';'),
      destinations: destinations.join(';'),
      annotations: 'duration,distance',
    });
  }

  /** `route` through `coords` in order, with full GeoJSON geometry. */
  route(coords: readonly LatLon[]): Promise<OsrmRouteResponse> {
    return this.call<OsrmRouteResponse>('route', coords, {
      overview: 'full',
      geometries: 'geojson',
      steps: 'false',
    });
  }

  /** `nearest`: the `count` nearest road points to `point`. */
  nearest(point: LatLon, count = 1): Promise<OsrmNearestResponse> {
    return this.call<OsrmNearestResponse>('nearest', [point], {
      number: String(count),
    });
  }

  private async call<T extends { code: 'Ok' }>(
    service: string,
    coords: readonly LatLon[],
    query: Record<string, string>,
  ): Promise<T> {
    const path = coords
      .map((c) => `${c.lon.toFixed(6)},${c.lat.toFixed(6)}`)
      .join(';');
    const url = `${this.baseUrl}/${service}/v1/${this.profile}/${path}?${new URLSearchParams(query)}`;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
      body = await response.json();
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError';
      throw new RoutingError(
        'ROUTING_UPSTREAM_FAILED',
        timedOut
          ? `OSRM ${service} took longer than ${this.timeoutMs} ms`
          : `OSRM ${service} failed: ${(err as Error)?.message ?? err}`,
        { cause: err },
      );
    }
    const code = (body as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') {
      throw new RoutingError(
        'ROUTING_UPSTREAM_FAILED',
        `OSRM ${service} answered HTTP ${response.status} without a code`,
      );
    }
    if (code !== 'Ok' || !response.ok) {
      const message = (body as { message?: unknown }).message;
      throw new OsrmResponseError(
        code,
        typeof message === 'string' ? message : '',
        response.status,
      );
    }
    return body as T;
  }
}
