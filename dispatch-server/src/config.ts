import path from 'node:path';

import { BUNDLED_CITIES_DIR } from '@dispatch/routing';

import { CONSOLE_DIST } from './http/console.ts';

import {
  CAPABILITIES,
  DEFAULT_RESPONSE_PLAN,
  PRIORITIES,
  type ResponsePlan,
} from './policy/index.ts';

/** Everything the server reads from its environment, parsed and checked. */
export interface ServerConfig {
  /** HTTP port; 0 picks a free one (tests). */
  port: number;
  /** Listen address; loopback unless set. */
  host: string;
  /** City pack id or folder (`CITY`). */
  city: string | undefined;
  /** PostgreSQL URL; unset means PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database; `memory://` for tests. */
  dataDir: string;
  /** Redis URL; unset means in-process state. */
  redisUrl: string | undefined;
  /**
   * Prefix of every Redis key, so several deployments (or test servers)
   * can share one Redis database without seeing each other's state.
   */
  redisPrefix: string;
  /** Password of `admin` on first start; generated and printed when unset. */
  adminPassword: string | undefined;
  /** Load the demo fleet and demo users when the database is empty. */
  demo: boolean;
  /** Response-time target in seconds (the city's three minutes). */
  targetSeconds: number;
  tokenTtlSeconds: number;
  /** Dispatch the top unit of a priority-1 call without waiting. */
  autoDispatchPriority1: boolean;
  /** A GPS fix older than this no longer places a unit. */
  fixFreshSeconds: number;
  /**
   * A new call within this many metres of an open incident received in
   * the last {@link duplicateMinutes} is flagged as a likely duplicate.
   */
  duplicateMeters: number;
  duplicateMinutes: number;
  responsePlan: ResponsePlan;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  /** Largest accepted JSON body, bytes. */
  bodyLimitBytes: number;
  tracker: TrackerConfig;
  /** XYZ tile URL for the console's map; unset: the offline basemap. */
  tileUrl: string | undefined;
  tileAttribution: string | undefined;
  /** The built console to serve. */
  consoleDir: string;
}

/** GPS ingest settings (the unit tracker). */
export interface TrackerConfig {
  /** OsmAnd (Traccar Client) port; null disables it; 0 picks one. */
  osmandPort: number | null;
  /** Fixes implying a faster move are refused (m/s). */
  maxSpeedMps: number;
  /** Fixes with a worse reported accuracy are refused (m). */
  maxAccuracyMeters: number;
  /** `record`: GPS arrival logs the phase; `offer`: the crew confirms. */
  arrivalMode: 'record' | 'offer';
  sceneRadiusMeters: number;
  hospitalRadiusMeters: number;
  slowSpeedMps: number;
  dwellSeconds: number;
}

/** Thrown for a setting that cannot be used; names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration; every variable has an embedded default, so an
 * empty environment starts the demo city on PGlite and in-process state.
 * @throws ConfigError naming the variable and what was expected
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    city: env.CITY || undefined,
    databaseUrl,
    dataDir: env.DATA_DIR || path.resolve(BUNDLED_CITIES_DIR, '..', '.data'),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? '',
    adminPassword: env.DISPATCH_ADMIN_PASSWORD || undefined,
    demo: boolean(env, 'DISPATCH_DEMO', databaseUrl === undefined),
    targetSeconds: integer(env, 'DISPATCH_TARGET_SECONDS', 180, 1, 3600),
    tokenTtlSeconds: integer(
      env,
      'DISPATCH_TOKEN_TTL_SECONDS',
      12 * 3600,
      1,
      30 * 24 * 3600,
    ),
    autoDispatchPriority1: boolean(env, 'DISPATCH_AUTO_DISPATCH', false),
    fixFreshSeconds: integer(env, 'DISPATCH_FIX_FRESH_SECONDS', 60, 1, 3600),
    duplicateMeters: integer(env, 'DISPATCH_DUPLICATE_METERS', 200, 1, 5000),
    duplicateMinutes: integer(env, 'DISPATCH_DUPLICATE_MINUTES', 30, 1, 1440),
    responsePlan: responsePlan(env.DISPATCH_RESPONSE_PLAN),
    loginMaxFailures: integer(env, 'DISPATCH_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: integer(
      env,
      'DISPATCH_LOGIN_WINDOW_SECONDS',
      900,
      1,
      86400,
    ),
    bodyLimitBytes: integer(env, 'DISPATCH_BODY_LIMIT_BYTES', 65536, 1024, 1e7),
    tileUrl: env.TILE_URL || undefined,
    tileAttribution: env.TILE_ATTRIBUTION || undefined,
    consoleDir: env.CONSOLE_DIR || CONSOLE_DIST,
    tracker: {
      osmandPort:
        env.OSMAND_PORT === 'off'
          ? null
          : integer(env, 'OSMAND_PORT', 5055, 0, 65535),
      maxSpeedMps: integer(env, 'TRACKER_MAX_SPEED_MPS', 70, 5, 300),
      maxAccuracyMeters: integer(
        env,
        'TRACKER_MAX_ACCURACY_METERS',
        100,
        1,
        10_000,
      ),
      arrivalMode: oneOf(env, 'ARRIVAL_MODE', ['record', 'offer'], 'record'),
      sceneRadiusMeters: integer(
        env,
        'ARRIVAL_SCENE_RADIUS_METERS',
        75,
        5,
        1000,
      ),
      hospitalRadiusMeters: integer(
        env,
        'ARRIVAL_HOSPITAL_RADIUS_METERS',
        150,
        5,
        2000,
      ),
      slowSpeedMps: integer(env, 'ARRIVAL_SLOW_SPEED_MPS', 2, 0, 30),
      dwellSeconds: integer(env, 'ARRIVAL_DWELL_SECONDS', 15, 0, 600),
    },
  };
}

function oneOf<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!(values as readonly string[]).includes(text)) {
    throw new ConfigError(
      `${name}: expected one of ${values.join(', ')}, got ${JSON.stringify(text)}`,
    );
  }
  return text as T;
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function boolean(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: boolean,
): boolean {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(
    `${name}: expected true or false, got ${JSON.stringify(text)}`,
  );
}

/**
 * `DISPATCH_RESPONSE_PLAN`: JSON such as
 * `{"1":{"ALS":0,"BLS":120},"2":{"ALS":0,"BLS":0},"3":{"BLS":0}}`,
 * seconds of penalty per capability; a capability left out is not sent.
 */
function responsePlan(text: string | undefined): ResponsePlan {
  if (text === undefined || text === '') return DEFAULT_RESPONSE_PLAN;
  const fail = (why: string): never => {
    throw new ConfigError(`DISPATCH_RESPONSE_PLAN: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) fail('expected an object');
  const plan = {} as ResponsePlan;
  for (const priority of PRIORITIES) {
    const entry = (parsed as Record<string, unknown>)[String(priority)];
    if (typeof entry !== 'object' || entry === null) {
      fail(`expected an object for priority ${priority}`);
    }
    const penalties: Partial<Record<(typeof CAPABILITIES)[number], number>> =
      {};
    for (const [capability, seconds] of Object.entries(entry as object)) {
      if (!(CAPABILITIES as readonly string[]).includes(capability)) {
        fail(`unknown capability ${capability} (expected ALS or BLS)`);
      }
      if (typeof seconds !== 'number' || !(seconds >= 0)) {
        fail(`priority ${priority} ${capability}: expected seconds >= 0`);
      }
      penalties[capability as 'ALS' | 'BLS'] = seconds as number;
    }
    if (Object.keys(penalties).length === 0) {
      fail(`priority ${priority} sends no capability`);
    }
    plan[priority] = penalties;
  }
  return plan;
}
