/**
 * `npm run bench:dispatch`: latencies of the dispatch server's hot paths
 * over real HTTP (Node's fetch, keep-alive), on a server started in this
 * process with the embedded router and the embedded database (PGlite in
 * a temporary folder), or a fresh PostgreSQL database when `DATABASE_URL`
 * is set. Prints a table, then one JSON line (the last line) for tools.
 *
 * 200 units stand at random points of the city's service area, and calls
 * come in at random points too, all drawn with a fixed seed. A point is
 * kept only when it snaps within 200 m of a road, so every drive time is
 * a real search of the graph rather than an off-network answer.
 *
 * Settings: BENCH_INTAKES (300), BENCH_QUERIES (200), BENCH_ASSIGNS (100),
 * BENCH_SECONDS (10). Figures only: no goal fails the run; a request that
 * fails unexpectedly does (exit 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  latencySummary,
  runBench,
  seeded,
  setting,
} from '../../scripts/bench/kit.ts';

import type { Actor } from '../src/audit/audit.ts';
import { readConfig, startServer, type DispatchServer } from '../src/index.ts';
import { createLogger } from '../src/log.ts';
import type { Recommendation } from '../src/policy/index.ts';
import { freshPostgres } from '../test/harness.ts';

const INTAKES = setting('BENCH_INTAKES', 300);
const QUERIES = setting('BENCH_QUERIES', 200);
const ASSIGNS = setting('BENCH_ASSIGNS', 100);
const SECONDS = setting('BENCH_SECONDS', 10);
const UNIT_COUNT = 200;
const FEW_UNITS = 50;
const CONCURRENCY = 8;
/** Untimed requests before each timed series, to warm the JIT and caches. */
const WARMUP = 20;
const MAX_SNAP_OFFSET_METERS = 200;
const ADMIN_PASSWORD = 'bench-admin-password';
const GOAL_RECOMMEND_P99_MS = 25;
const GOAL_INTAKE_P99_MS = 20;

interface Latency {
  p50Ms: number;
  p99Ms: number;
}

interface Point {
  lat: number;
  lon: number;
}

/** Latencies to the hundredth of a millisecond: these paths are fast. */
const latency = (samples: number[]) => latencySummary(samples, 2);

/** Times `fn` `runs` times after {@link WARMUP} untimed calls. */
async function timeAsync(
  runs: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const started = performance.now();
    await fn(i);
    if (i >= WARMUP) samples.push(performance.now() - started);
  }
  return samples;
}

const describe = (t: Latency & { maxMs: number }) =>
  `p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms, max ${t.maxMs} ms`;

const goal = (t: Latency, maxP99Ms: number) =>
  `goal p99 <= ${maxP99Ms} ms: ${t.p99Ms <= maxP99Ms ? 'met' : 'MISSED'}`;

async function main(): Promise<void> {
  const postgres = await freshPostgres();
  const dataDir = postgres
    ? undefined
    : fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-bench-'));
  let server: DispatchServer | undefined;
  try {
    const startedAt = performance.now();
    server = await startServer(
      readConfig({
        PORT: '0',
        DATA_DIR: dataDir ?? 'memory://',
        DISPATCH_DEMO: 'false',
        DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DISPATCH_LOGIN_MAX_FAILURES: '1000',
        ...(process.env.CITY ? { CITY: process.env.CITY } : {}),
        ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      }),
      {
        log: createLogger({ level: process.env.LOG_LEVEL || 'warn' }),
        // The embedded router only, whatever the environment says.
        env: { ...process.env, OSRM_URL: '' },
      },
    );
    const startSeconds = (performance.now() - startedAt) / 1000;
    await run(server, {
      storage: server.db.kind,
      where: postgres
        ? `fresh database ${new URL(postgres.url).pathname.slice(1)}`
        : `temporary folder ${dataDir}`,
      startSeconds,
    });
  } finally {
    await server?.close();
    await postgres?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function run(
  server: DispatchServer,
  setup: {
    storage: 'pglite' | 'postgres';
    where: string;
    startSeconds: number;
  },
): Promise<void> {
  const loadAtStart = os.loadavg()[0] as number;
  const random = seeded(20261203);
  const [minLon, minLat, maxLon, maxLat] = server.city.serviceArea;
  const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

  /** A random point of the service area within 200 m of a road. */
  const roadPoint = async (): Promise<Point> => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const point = {
        lat: round6(minLat + random() * (maxLat - minLat)),
        lon: round6(minLon + random() * (maxLon - minLon)),
      };
      const snap = await server.routing.embedded.snap(point);
      if (snap && snap.offsetMeters <= MAX_SNAP_OFFSET_METERS) return point;
    }
    throw new Error(
      `no point of the service area within ${MAX_SNAP_OFFSET_METERS} m ` +
        'of a road in 1000 tries',
    );
  };
  const call = (point: Point) => ({
    location: point,
    priority: 1 + Math.floor(random() * 3),
    complaint: 'benchmark call',
  });

  let token = '';
  /** One request; resolves with the status and raw body, timed. */
  const send = async (method: string, urlPath: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const response = await fetch(server.url + urlPath, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  };
  /** One request that must answer `expected`; the parsed body. */
  const request = async <T>(
    method: string,
    urlPath: string,
    body?: unknown,
    expected = 200,
  ): Promise<T> => {
    const { status, text } = await send(method, urlPath, body);
    if (status !== expected) {
      throw new Error(
        `${method} ${urlPath}: expected ${expected}, got ${status}: ` +
          text.slice(0, 500),
      );
    }
    return JSON.parse(text) as T;
  };

  // Every point is drawn first, so the requests below run back to back
  // (an idle keep-alive connection may be closed by the server meanwhile).
  const unitStations: Point[] = [];
  for (let i = 0; i < UNIT_COUNT; i++) unitStations.push(await roadPoint());
  const callPoints: Point[] = [];
  for (let i = 0; i < WARMUP + INTAKES + WARMUP + ASSIGNS + 500; i++) {
    callPoints.push(await roadPoint());
  }

  const login = await request<{ token: string }>('POST', '/api/auth/login', {
    username: 'admin',
    password: ADMIN_PASSWORD,
  });
  token = login.token;

  // The cheapest authenticated request: the HTTP, Express and token-check
  // floor under every figure below.
  const floor = latency(
    await timeAsync(QUERIES, () => request('GET', '/api/auth/me')),
  );

  // The fleet, at its random stations.
  const unitIds: number[] = [];
  for (const [i, station] of unitStations.entries()) {
    const callSign = `BN${String(i + 1).padStart(3, '0')}`;
    const unit = await request<{ id: number }>(
      'POST',
      '/api/units',
      {
        callSign,
        capability: i % 2 === 0 ? 'ALS' : 'BLS',
        station,
        stationName: `Bench station ${callSign}`,
      },
      201,
    );
    unitIds.push(unit.id);
  }
  let nextPoint = 0;
  const takePoint = () => callPoints[nextPoint++ % callPoints.length] as Point;

  // Intake, one call after the other.
  const intakeIds: number[] = [];
  const intakeSamples = await timeAsync(INTAKES, async () => {
    const incident = await request<{ id: number }>(
      'POST',
      '/api/incidents',
      call(takePoint()),
      201,
    );
    intakeIds.push(incident.id);
  });
  const intake = latency(intakeSamples);

  // Recommendations on the open incidents just taken.
  let legs = 0;
  let reachableLegs = 0;
  const recommend = (available: number) =>
    timeAsync(QUERIES, async (i) => {
      const id = intakeIds[i % intakeIds.length] as number;
      const lines = await request<Recommendation[]>(
        'GET',
        `/api/incidents/${id}/recommendations`,
      );
      if (lines.length !== available) {
        throw new Error(
          `incident ${id}: ${lines.length} recommendations, ` +
            `expected one per available unit (${available})`,
        );
      }
      legs += lines.length;
      reachableLegs += lines.filter((line) => line.reachable).length;
    });
  const statusSamples: number[] = [];
  const setStatus = async (unitId: number, status: string) => {
    const started = performance.now();
    await request('POST', `/api/units/${unitId}/status`, { status });
    statusSamples.push(performance.now() - started);
  };
  const resting = unitIds.slice(FEW_UNITS);
  for (const unitId of resting) await setStatus(unitId, 'out_of_service');
  const recommend50 = latency(await recommend(FEW_UNITS));
  for (const unitId of resting) await setStatus(unitId, 'available');
  const recommend200 = latency(await recommend(UNIT_COUNT));
  const status = latency(statusSamples);
  const reachableShare = Math.round((100 * reachableLegs) / legs);

  // Assignment of an available unit to a fresh incident; each incident is
  // then cancelled, which frees its unit for the next round.
  const assignIds: number[] = [];
  for (let i = 0; i < WARMUP + ASSIGNS; i++) {
    const incident = await request<{ id: number }>(
      'POST',
      '/api/incidents',
      call(takePoint()),
      201,
    );
    assignIds.push(incident.id);
  }
  const assignSamples: number[] = [];
  const cancelSamples: number[] = [];
  for (let i = 0; i < WARMUP + ASSIGNS; i++) {
    const incidentId = assignIds[i] as number;
    const unitId = unitIds[i % unitIds.length] as number;
    const assignStarted = performance.now();
    const result = await request<{ unit: { status: string } }>(
      'POST',
      `/api/incidents/${incidentId}/assign`,
      { unitId },
    );
    const assignMs = performance.now() - assignStarted;
    if (result.unit.status !== 'dispatched') {
      throw new Error(`unit ${unitId} is ${result.unit.status} once assigned`);
    }
    const cancelStarted = performance.now();
    await request('POST', `/api/incidents/${incidentId}/cancel`, {
      reason: 'benchmark',
    });
    if (i >= WARMUP) {
      assignSamples.push(assignMs);
      cancelSamples.push(performance.now() - cancelStarted);
    }
  }
  const assign = latency(assignSamples);
  const cancel = latency(cancelSamples);

  // Sustained intake: as many calls as possible, eight in flight.
  let created = 0;
  let errors = 0;
  let firstError: string | undefined;
  const sustainedSamples: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const { status, text, ms } = await send(
          'POST',
          '/api/incidents',
          call(takePoint()),
        );
        if (status === 201) {
          created++;
          sustainedSamples.push(ms);
        } else {
          errors++;
          firstError ??= `${status}: ${text.slice(0, 300)}`;
        }
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  const sustainedStarted = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const sustainedSeconds = (performance.now() - sustainedStarted) / 1000;
  const intakePerSecond = Math.round((created / sustainedSeconds) * 10) / 10;
  const sustained = latency(sustainedSamples);

  // Where a recommendation spends its time: its parts, called in process
  // with all units available again. Last, as it leaves HTTP idle.
  const principal = await server.auth.authenticate(token);
  const actor: Actor = { principal, ip: '127.0.0.1' };
  const incidentAt = (i: number) => intakeIds[i % intakeIds.length] as number;
  const locations = new Map<number, Point>();
  for (const id of intakeIds.slice(0, WARMUP + QUERIES)) {
    locations.set(id, (await server.incidents.get(id)).location);
  }
  const parts = {
    tokenCheck: latency(
      await timeAsync(QUERIES, () => server.auth.authenticate(token)),
    ),
    incidentRead: latency(
      await timeAsync(QUERIES, (i) => server.incidents.get(incidentAt(i))),
    ),
    unitList: latency(await timeAsync(QUERIES, () => server.units.list())),
    driveTimes: latency(
      await timeAsync(QUERIES, (i) =>
        server.routing.emergency.oneToMany(
          unitStations,
          locations.get(incidentAt(i)) as Point,
        ),
      ),
    ),
    recommend: latency(
      await timeAsync(QUERIES, (i) =>
        server.incidents.recommend(incidentAt(i)),
      ),
    ),
    intake: latency(
      await timeAsync(QUERIES, () =>
        server.incidents.create(
          {
            ...call(takePoint()),
            priority: 2,
            address: null,
            callerPhone: null,
            receivedAt: new Date(),
          },
          actor,
        ),
      ),
    ),
  };

  const [row] = await server.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM incidents',
  );
  const loaded = server.routing.loaded;
  const g = loaded.graph;
  console.log(`city                 ${server.city.name} (${server.city.id})`);
  console.log(`storage              ${setup.storage} (${setup.where})`);
  console.log(
    `routing              embedded, ${g.nodeCount} nodes, ${g.segmentCount} segments, graph from ${loaded.origin} in ${Math.round(loaded.durationMs)} ms`,
  );
  console.log(`server start         ${setup.startSeconds.toFixed(2)} s`);
  console.log(
    `machine              ${os.cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at start, ${(os.loadavg()[0] as number).toFixed(1)} at end (client and server share them)`,
  );
  console.log(
    `fleet                ${UNIT_COUNT} units (half ALS, half BLS), stations within ${MAX_SNAP_OFFSET_METERS} m of a road`,
  );
  console.log(
    `requests             sequential over HTTP keep-alive, ${WARMUP} untimed before each series`,
  );
  console.log('');
  console.log(
    `HTTP floor           ${describe(floor)} (GET /api/auth/me: keep-alive round trip, Express, token check)`,
  );
  console.log(
    `intake               ${describe(intake)} (${INTAKES} calls); ${goal(intake, GOAL_INTAKE_P99_MS)}`,
  );
  console.log(
    `recommend, ${FEW_UNITS} units  ${describe(recommend50)} (${QUERIES} queries)`,
  );
  console.log(
    `recommend, ${UNIT_COUNT} units ${describe(recommend200)} (${QUERIES} queries); ${goal(recommend200, GOAL_RECOMMEND_P99_MS)}`,
  );
  console.log(
    `                     ${reachableShare}% of the recommended units have a drive time`,
  );
  console.log(
    `status change        ${describe(status)} (${statusSamples.length} reports)`,
  );
  console.log(
    `assign               ${describe(assign)} (${ASSIGNS} assignments)`,
  );
  console.log(
    `cancel               ${describe(cancel)} (${ASSIGNS} cancellations, each freeing one unit)`,
  );
  console.log(
    `sustained intake     ${intakePerSecond} calls/s over ${sustainedSeconds.toFixed(1)} s, ${CONCURRENCY} in flight: ${created} created, ${errors} errors; ${describe(sustained)}`,
  );
  if (firstError)
    console.log(`                     first error: ${firstError}`);
  console.log('');
  console.log(
    `in process, ${UNIT_COUNT} units available, no HTTP (where the time goes):`,
  );
  console.log(`  token check        ${describe(parts.tokenCheck)}`);
  console.log(`  incident read      ${describe(parts.incidentRead)}`);
  console.log(`  unit list          ${describe(parts.unitList)}`);
  console.log(
    `  drive times        ${describe(parts.driveTimes)} (one-to-many, ${UNIT_COUNT} origins)`,
  );
  console.log(`  recommend (whole)  ${describe(parts.recommend)}`);
  console.log(`  intake (service)   ${describe(parts.intake)}`);
  console.log(`incidents stored     ${row?.n ?? 0} at the end`);
  const pick = ({ p50Ms, p99Ms }: Latency): Latency => ({ p50Ms, p99Ms });
  console.log(
    JSON.stringify({
      storage: setup.storage,
      httpFloor: pick(floor),
      intake: pick(intake),
      recommend50: pick(recommend50),
      recommend200: pick(recommend200),
      assign: pick(assign),
      intakePerSecond,
      errors,
      sustained: pick(sustained),
      status: pick(status),
      cancel: pick(cancel),
      inProcess: Object.fromEntries(
        Object.entries(parts).map(([name, t]) => [name, pick(t)]),
      ),
    }),
  );
}

runBench('bench:dispatch', main);
