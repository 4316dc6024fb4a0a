import http from 'node:http';

import type { EmbeddedRouter } from '../embedded/embedded-router.ts';
import type { EdgePoint } from '../embedded/snap.ts';
import { silentLogger, type RoutingLogger } from '../log.ts';
import { encodePolyline } from './polyline.ts';

/** Request limits, as osrm-routed's defaults. */
const MAX_TABLE_SIZE = 100;
const MAX_ROUTE_COORDINATES = 500;
const MAX_NEAREST_RESULTS = 100;
/**
 * OSRM snaps a coordinate at any distance and reports how far it moved it
 * (the waypoint's `distance`); clients decide what is too far. This server
 * does the same within 100 km, beyond which it answers `NoSegment`.
 */
const SNAP_LIMIT_METERS = 100_000;

/** Options of {@link createOsrmHttpServer}. */
export interface OsrmHttpOptions {
  router: EmbeddedRouter;
  /**
   * Drive times on the `emergency` profile are divided by this factor
   * (lights and sirens); `driving` gives the plain car profile.
   */
  emergencySpeedFactor: number;
  logger?: RoutingLogger;
}

/** An OSRM-style failure: HTTP 400 and `{ code, message }`. */
class OsrmFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Query = URLSearchParams;

/**
 * An HTTP server speaking the OSRM v5 API (`route`, `table`, `nearest`)
 * over the embedded router, so any OSRM client can use it. Profiles:
 * `driving` (car) and `emergency` (car times divided by the emergency
 * speed factor). `GET /health` answers 200 for load balancers.
 *
 * Not offered: turn-by-turn `steps`, `alternatives` (one route is
 * returned, which the API allows), per-segment `annotations`, and the
 * `match`, `trip` and `tile` services; those answer `NotImplemented`.
 */
export function createOsrmHttpServer(options: OsrmHttpOptions): http.Server {
  const logger = options.logger ?? silentLogger;
  return http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new OsrmFailure('InvalidUrl', 'only GET is supported', 405);
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/health') {
        send(200, { status: 'ok' });
        return;
      }
      send(200, answer(url, options));
    } catch (err) {
      if (err instanceof OsrmFailure) {
        send(err.status, { code: err.code, message: err.message });
        return;
      }
      logger.warn({ err, url: req.url }, 'routing request failed');
      send(500, { code: 'InternalError', message: 'internal error' });
    }
  });
}

function answer(url: URL, options: OsrmHttpOptions): unknown {
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts.length !== 4) {
    throw new OsrmFailure(
      'InvalidUrl',
      'expected /{service}/v1/{profile}/{coordinates}',
    );
  }
  const [service, version, profile, coordText] = parts as [
    string,
    string,
    string,
    string,
  ];
  if (version !== 'v1') {
    throw new OsrmFailure('InvalidVersion', `unknown version ${version}`);
  }
  let factor: number;
  if (profile === 'driving' || profile === 'car') factor = 1;
  else if (profile === 'emergency') factor = options.emergencySpeedFactor;
  else {
    throw new OsrmFailure(
      'InvalidValue',
      `unknown profile ${profile}: expected driving or emergency`,
    );
  }
  const coords = parseCoordinates(decodeURIComponent(coordText));
  const query = url.searchParams;
  switch (service) {
    case 'route':
      return route(options.router, coords, query, factor);
    case 'table':
      return table(options.router, coords, query, factor);
    case 'nearest':
      return nearest(options.router, coords, query);
    case 'match':
    case 'trip':
    case 'tile':
      throw new OsrmFailure('NotImplemented', `${service} is not offered`);
    default:
      throw new OsrmFailure('InvalidService', `unknown service ${service}`);
  }
}

/** Parses `lon,lat;lon,lat;...`. */
function parseCoordinates(text: string): { lat: number; lon: number }[] {
  return text.split(';').map((pair, i) => {
    const match = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(pair.trim());
    if (!match) {
      throw new OsrmFailure(
        'InvalidQuery',
        `coordinate ${i}: expected lon,lat, got ${JSON.stringify(pair.slice(0, 40))}`,
      );
    }
    const lon = Number(match[1]);
    const lat = Number(match[2]);
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
      throw new OsrmFailure(
        'InvalidValue',
        `coordinate ${i}: longitude must be in [-180, 180] and latitude in [-90, 90]`,
      );
    }
    return { lat, lon };
  });
}

function snapAll(
  router: EmbeddedRouter,
  coords: { lat: number; lon: number }[],
): EdgePoint[] {
  return coords.map((c, i) => {
    const edge = router.snapEdge(c, SNAP_LIMIT_METERS);
    if (edge === undefined) {
      throw new OsrmFailure(
        'NoSegment',
        `could not find a matching segment for coordinate ${i}`,
      );
    }
    return edge;
  });
}

function waypoint(router: EmbeddedRouter, edge: EdgePoint) {
  const { arrays, meta } = router.graph;
  return {
    hint: '',
    distance: round(edge.offsetMeters, 1),
    name: meta.names[arrays.segName[edge.seg] as number] ?? '',
    location: [round(edge.lon, 6), round(edge.lat, 6)],
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function flag(query: Query, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new OsrmFailure('InvalidOptions', `${name}: expected true or false`);
}

function route(
  router: EmbeddedRouter,
  coords: { lat: number; lon: number }[],
  query: Query,
  factor: number,
) {
  if (coords.length < 2) {
    throw new OsrmFailure(
      'InvalidOptions',
      'route needs at least 2 coordinates',
    );
  }
  if (coords.length > MAX_ROUTE_COORDINATES) {
    throw new OsrmFailure(
      'TooBig',
      `at most ${MAX_ROUTE_COORDINATES} coordinates`,
    );
  }
  if (flag(query, 'steps', false)) {
    throw new OsrmFailure('NotImplemented', 'steps are not offered');
  }
  if (query.has('annotations') && query.get('annotations') !== 'false') {
    throw new OsrmFailure('NotImplemented', 'annotations are not offered');
  }
  flag(query, 'alternatives', false);
  const geometries = query.get('geometries') ?? 'polyline';
  if (!['polyline', 'polyline6', 'geojson'].includes(geometries)) {
    throw new OsrmFailure('InvalidOptions', `unknown geometries ${geometries}`);
  }
  const overview = query.get('overview') ?? 'simplified';
  if (!['simplified', 'full', 'false'].includes(overview)) {
    throw new OsrmFailure('InvalidOptions', `unknown overview ${overview}`);
  }
  const edges = snapAll(router, coords);
  const legs = [];
  const positions: number[][] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const path = router.fastestPath(edges[i]!, edges[i + 1]!);
    if (path === undefined) {
      throw new OsrmFailure('NoRoute', 'impossible route between points');
    }
    const duration = round(path.etaSeconds / factor, 1);
    legs.push({
      steps: [],
      summary: '',
      weight: duration,
      duration,
      distance: round(path.distanceMeters, 1),
    });
    positions.push(...path.geometry.coordinates.slice(i === 0 ? 0 : 1));
  }
  const duration = round(
    legs.reduce((t, l) => t + l.duration, 0),
    1,
  );
  const body: Record<string, unknown> = {
    weight_name: 'duration',
    weight: duration,
    duration,
    distance: round(
      legs.reduce((t, l) => t + l.distance, 0),
      1,
    ),
    legs,
  };
  // `simplified` is answered with the full geometry: correct, only larger.
  if (overview !== 'false') {
    body.geometry =
      geometries === 'geojson'
        ? { type: 'LineString', coordinates: positions }
        : encodePolyline(positions, geometries === 'polyline6' ? 6 : 5);
  }
  return {
    code: 'Ok',
    routes: [body],
    waypoints: edges.map((e) => waypoint(router, e)),
  };
}

function indexList(query: Query, name: string, count: number): number[] {
  const value = query.get(name);
  if (value === null || value === 'all') {
    return Array.from({ length: count }, (_, i) => i);
  }
  return value.split(';').map((text) => {
    const index = Number(text);
    if (!/^\d+$/.test(text) || index >= count) {
      throw new OsrmFailure(
        'InvalidOptions',
        `${name}: ${JSON.stringify(text)} is not an index of the ${count} coordinates`,
      );
    }
    return index;
  });
}

function table(
  router: EmbeddedRouter,
  coords: { lat: number; lon: number }[],
  query: Query,
  factor: number,
) {
  const sources = indexList(query, 'sources', coords.length);
  const destinations = indexList(query, 'destinations', coords.length);
  if (sources.length * destinations.length > MAX_TABLE_SIZE * MAX_TABLE_SIZE) {
    throw new OsrmFailure(
      'TooBig',
      `at most ${MAX_TABLE_SIZE}x${MAX_TABLE_SIZE}`,
    );
  }
  const annotations = (query.get('annotations') ?? 'duration').split(',');
  for (const a of annotations) {
    if (a !== 'duration' && a !== 'distance') {
      throw new OsrmFailure('InvalidOptions', `unknown annotation ${a}`);
    }
  }
  const edges = snapAll(router, coords);
  const starts = sources.map((i) => edges[i]!);
  const durations: (number | null)[][] = sources.map(() => []);
  const distances: (number | null)[][] = sources.map(() => []);
  for (const j of destinations) {
    const legs = router.legsTo(starts, edges[j]!);
    legs.forEach((leg, i) => {
      durations[i]!.push(
        leg.reachable ? round(leg.etaSeconds / factor, 1) : null,
      );
      distances[i]!.push(leg.reachable ? round(leg.distanceMeters, 1) : null);
    });
  }
  return {
    code: 'Ok',
    ...(annotations.includes('duration') && { durations }),
    ...(annotations.includes('distance') && { distances }),
    sources: sources.map((i) => waypoint(router, edges[i]!)),
    destinations: destinations.map((j) => waypoint(router, edges[j]!)),
  };
}

function nearest(
  router: EmbeddedRouter,
  coords: { lat: number; lon: number }[],
  query: Query,
) {
  if (coords.length !== 1) {
    throw new OsrmFailure(
      'InvalidOptions',
      'nearest takes exactly 1 coordinate',
    );
  }
  const count = Number(query.get('number') ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > MAX_NEAREST_RESULTS) {
    throw new OsrmFailure(
      'InvalidOptions',
      `number: expected an integer in [1, ${MAX_NEAREST_RESULTS}]`,
    );
  }
  const edges = router.nearest(coords[0]!, count, SNAP_LIMIT_METERS);
  if (edges.length === 0) {
    throw new OsrmFailure('NoSegment', 'could not find a matching segment');
  }
  const { segA, segB } = router.graph.arrays;
  return {
    code: 'Ok',
    waypoints: edges.map((e) => ({
      ...waypoint(router, e),
      nodes: [segA[e.seg] as number, segB[e.seg] as number],
    })),
  };
}
