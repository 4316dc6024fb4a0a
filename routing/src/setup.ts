import path from 'node:path';

import {
  BUNDLED_CITIES_DIR,
  requireExtract,
  type CityPack,
} from './city-pack.ts';
import { parseSpeedFactor, withSpeedFactor } from './emergency.ts';
import { EmbeddedRouter } from './embedded/embedded-router.ts';
import { RoutingError } from './errors.ts';
import { FallbackRouter } from './fallback-router.ts';
import { loadRoadGraph, type LoadedGraph } from './graph/cache.ts';
import { silentLogger, type RoutingLogger } from './log.ts';
import { OsrmRouter } from './osrm/osrm-router.ts';
import type { Router } from './router.ts';

/** The default folder of compiled graphs: `.cache/routing` in the repo. */
export const DEFAULT_GRAPH_CACHE_DIR = path.resolve(
  BUNDLED_CITIES_DIR,
  '..',
  '.cache',
  'routing',
);

/** What a process needs to route in one city. */
export interface Routing {
  /** The in-process router over the city's extract (always loaded). */
  embedded: EmbeddedRouter;
  /** Car drive times: OSRM with embedded fallback, or embedded alone. */
  car: Router;
  /** `car` with the lights-and-sirens speed factor: what dispatch uses. */
  emergency: Router;
  emergencySpeedFactor: number;
  loaded: LoadedGraph;
}

/**
 * Builds the routers of a city from the environment:
 * - `OSRM_URL`: an OSRM v5 server; unset means the embedded router only;
 * - `OSRM_TIMEOUT_MS` (500), `OSRM_PROFILE` (`driving`);
 * - `ROUTING_EMERGENCY_SPEED_FACTOR` (1.15, in [1, 2]);
 * - `ROUTING_MAX_SNAP_METERS` (1000);
 * - `ROUTING_CACHE_DIR` (`.cache/routing` in the repository).
 * The embedded graph is always loaded: it is OSRM's fallback.
 * @throws RoutingError for an invalid setting or an unusable extract.
 */
export function createRouting(
  city: CityPack,
  env: NodeJS.ProcessEnv = process.env,
  logger: RoutingLogger = silentLogger,
): Routing {
  const emergencySpeedFactor = parseSpeedFactor(
    env.ROUTING_EMERGENCY_SPEED_FACTOR,
  );
  const maxSnapMeters = positiveNumber(env, 'ROUTING_MAX_SNAP_METERS', 1000);
  const loaded = loadRoadGraph(requireExtract(city), {
    cacheDir: env.ROUTING_CACHE_DIR || DEFAULT_GRAPH_CACHE_DIR,
  });
  if (loaded.cacheWriteError) {
    logger.warn(
      { err: loaded.cacheWriteError, cacheFile: loaded.cacheFile },
      'road graph cache not written; the next start rebuilds it',
    );
  }
  logger.info(
    {
      city: city.id,
      origin: loaded.origin,
      durationMs: Math.round(loaded.durationMs),
      nodes: loaded.graph.nodeCount,
      segments: loaded.graph.segmentCount,
    },
    'road graph ready',
  );
  const embedded = new EmbeddedRouter(loaded.graph, { maxSnapMeters });
  let car: Router = embedded;
  if (env.OSRM_URL) {
    const osrm = new OsrmRouter({
      baseUrl: env.OSRM_URL,
      profile: env.OSRM_PROFILE || 'driving',
      timeoutMs: positiveNumber(env, 'OSRM_TIMEOUT_MS', 500),
      maxSnapMeters,
    });
    car = new FallbackRouter(osrm, embedded, { logger });
  }
  return {
    embedded,
    car,
    emergency: withSpeedFactor(car, emergencySpeedFactor),
    emergencySpeedFactor,
    loaded,
  };
}

function positiveNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RoutingError(
      'ROUTING_INVALID_OPTION',
      `${name}: expected a positive number, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
