/**
 * What the benchmarks share: settings from the environment, a seeded
 * random stream, bounded concurrency, JSON requests, socket clients,
 * crew tokens without logins, latency summaries, crews driving up and
 * down a stretch of road, worker threads under tsx, Redis clean-up and
 * the entry point. No server code is imported at load time, so
 * the tracker benchmark's worker threads can import this cheaply.
 */
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

import { io as connectSocket, type Socket } from 'socket.io-client';

import type { DispatchServer } from '../../dispatch-server/src/index.ts';

/** An integer setting from the environment; exits 2 when it is not one. */
export function setting(name: string, fallback: number, min = 1): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(
      `${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`,
    );
    process.exit(2);
  }
  return value;
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export const messageOf = (err: unknown) =>
  err instanceof Error ? err.message : String(err);

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, lane),
  );
}

/** One JSON request as `token`; the parsed answer, which must be `expected`. */
export async function api<T>(
  server: DispatchServer,
  token: string | undefined,
  method: string,
  urlPath: string,
  body: unknown,
  expected = 200,
): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(server.url + urlPath, {
    method,
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(
      `${method} ${urlPath}: expected ${expected}, got ${response.status}: ${text.slice(0, 300)}`,
    );
  }
  return JSON.parse(text) as T;
}

/** A socket.io client, connected (its own connection, no reconnects). */
export function connect(url: string, token: string): Promise<Socket> {
  const socket = connectSocket(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`${url}: ${err.message}`));
    });
  });
}

/**
 * One crew user per unit and a bearer token each, without logins: the
 * benchmarks measure GPS ingest, not 500 scrypt hashes. One shared
 * password hash, two statements; sets each plan's `token`. `server` is a
 * server in this process, or only its database (a server in another
 * process): then the tokens are checked when the tablets connect.
 */
export async function issueCrewTokens(
  server: Pick<DispatchServer, 'db'> & Partial<Pick<DispatchServer, 'auth'>>,
  plans: { unitId: number; token: string }[],
  usernamePrefix: string,
): Promise<void> {
  const [{ hashToken }, { hashPassword }] = await Promise.all([
    import('../../dispatch-server/src/auth/auth-service.ts'),
    import('../../dispatch-server/src/auth/passwords.ts'),
  ]);
  const sharedHash = await hashPassword(
    crypto.randomBytes(24).toString('base64url'),
  );
  const users = await server.db.query<{ id: number; unit_id: number }>(
    `INSERT INTO users (username, role, unit_id, password_hash)
     SELECT $3::text || u, 'crew', u, $2::text
       FROM unnest($1::int[]) AS t(u)
     RETURNING id, unit_id`,
    [plans.map((plan) => plan.unitId), sharedHash, usernamePrefix],
  );
  const userOf = new Map(users.map((user) => [user.unit_id, user.id]));
  for (const plan of plans) {
    plan.token = crypto.randomBytes(32).toString('base64url');
  }
  await server.db.query(
    `INSERT INTO auth_tokens (token_hash, user_id, expires_at)
     SELECT h, u, $3::timestamptz FROM unnest($1::text[], $2::int[]) AS t(h, u)`,
    [
      plans.map((plan) => hashToken(plan.token)),
      plans.map((plan) => userOf.get(plan.unitId)),
      new Date(Date.now() + 6 * 3600 * 1000).toISOString(),
    ],
  );
  const first = plans[0];
  if (!first || !server.auth) return;
  const principal = await server.auth.authenticate(first.token);
  if (principal.role !== 'crew' || principal.unitId !== first.unitId) {
    throw new Error(`crew token of unit ${first.unitId}: ${principal.role}`);
  }
}

/** Metres in a degree of latitude (and of longitude at the equator). */
export const METERS_PER_DEGREE = (Math.PI / 180) * 6_371_008.8;

const roundTo = (n: number, decimals: number) => {
  const scale = 10 ** decimals;
  return Math.round(n * scale) / scale;
};

/** The nearest-rank percentile `p` (0 to 100) of ascending `sorted`; 0 when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, i)] as number;
}

/** Latency samples (ms) as count, p50, p99 and max, rounded to `decimals`. */
export function latencySummary(
  samples: readonly number[],
  decimals = 1,
): { n: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = Float64Array.from(samples).sort();
  return {
    n: sorted.length,
    p50Ms: roundTo(percentile(sorted, 50), decimals),
    p99Ms: roundTo(percentile(sorted, 99), decimals),
    maxMs: roundTo(sorted.at(-1) ?? 0, decimals),
  };
}

/**
 * A simulated crew: its unit, its token, and the straight stretch of road
 * it drives up and down, from its station along `bearingDeg`.
 */
export interface StretchPlan {
  unitId: number;
  token: string;
  lat0: number;
  lon0: number;
  bearingDeg: number;
}

/** The point `meters` from `from` along `bearingDeg` (flat earth: a few km). */
export function offsetPoint(
  from: { lat: number; lon: number },
  bearingDeg: number,
  meters: number,
): { lat: number; lon: number } {
  const bearing = (bearingDeg * Math.PI) / 180;
  return {
    lat: from.lat + (meters * Math.cos(bearing)) / METERS_PER_DEGREE,
    lon:
      from.lon +
      (meters * Math.sin(bearing)) /
        (METERS_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180)),
  };
}

/**
 * Random points of `serviceArea` ([minLon, minLat, maxLon, maxLat]) at
 * least `marginMeters` in from its edges, to the 6 decimals a tablet
 * sends: stations whose stretch stays inside the area.
 * @throws Error when the area is too small for the margin
 */
export function insetPoints(
  serviceArea: readonly [number, number, number, number],
  marginMeters: number,
  random: () => number,
): () => { lat: number; lon: number } {
  const [minLon, minLat, maxLon, maxLat] = serviceArea;
  const midLat = (minLat + maxLat) / 2;
  const marginLat = marginMeters / METERS_PER_DEGREE;
  const marginLon =
    marginMeters / (METERS_PER_DEGREE * Math.cos((midLat * Math.PI) / 180));
  if (maxLat - minLat <= 2 * marginLat || maxLon - minLon <= 2 * marginLon) {
    throw new Error(
      `the service area is too small for a ${marginMeters} m margin`,
    );
  }
  return () => ({
    lat: roundTo(
      minLat + marginLat + random() * (maxLat - minLat - 2 * marginLat),
      6,
    ),
    lon: roundTo(
      minLon + marginLon + random() * (maxLon - minLon - 2 * marginLon),
      6,
    ),
  });
}

/**
 * Where a unit is once it has driven `traveledMeters` up and down its
 * `stretchMeters` stretch (so consecutive fixes are always a plausible
 * move), to the 6 decimals a tablet sends, and which way it heads.
 */
export function stretchPoint(
  plan: StretchPlan,
  traveledMeters: number,
  stretchMeters: number,
): { lat: number; lon: number; headingDeg: number } {
  const lap = traveledMeters % (2 * stretchMeters);
  const outbound = lap <= stretchMeters;
  const point = offsetPoint(
    { lat: plan.lat0, lon: plan.lon0 },
    plan.bearingDeg,
    outbound ? lap : 2 * stretchMeters - lap,
  );
  return {
    lat: roundTo(point.lat, 6),
    lon: roundTo(point.lon, 6),
    headingDeg: outbound ? plan.bearingDeg : (plan.bearingDeg + 180) % 360,
  };
}

/**
 * A worker thread running the module at `moduleUrl` (the benchmark's own
 * file) with `data` as its `workerData`. tsx registers its loader in the
 * main thread only: the worker starts as plain JavaScript, registers tsx,
 * then loads the module.
 */
export function tsxWorker(moduleUrl: string, data: unknown): Worker {
  const boot =
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
    '.then(({ register }) => { register(); ' +
    `return import(${JSON.stringify(moduleUrl)}); })` +
    '.catch((err) => { console.error(err); process.exit(1); });';
  return new Worker(boot, { eval: true, workerData: data });
}

/** Deletes the Redis keys under `prefix`: a run's live state. */
export async function dropRedisKeys(
  url: string,
  prefix: string,
): Promise<void> {
  const { createClient } = await import('redis');
  const redis = createClient({ url });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*` })) {
      if (keys.length > 0) await redis.del(keys);
    }
  } finally {
    await redis.quit();
  }
}

/**
 * Runs a benchmark's `main` and exits: 0, or the exit code it set; 1
 * with `<name> failed: ...` (stack and cause too) when it throws.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(),
    (err: unknown) => {
      console.error(`${name} failed: ${messageOf(err)}`);
      if (err instanceof Error && err.stack) console.error(err.stack);
      if (err instanceof Error && err.cause) console.error(err.cause);
      process.exit(1);
    },
  );
}
