/**
 * `npm run bench:load [-- --seconds N]`: the dispatch server under a
 * steady day's load for N seconds (default 300), on PostgreSQL and Redis.
 *
 * Requires DATABASE_URL (a PostgreSQL server with PostGIS: a fresh
 * database is created on it for the run and dropped at the end, as the
 * tests do) and REDIS_URL (the run keeps to a key prefix of its own,
 * deleted at the end). Exits 2 when either is missing.
 *
 * One server runs as a child process (`node --import tsx
 * dispatch-server/bin/start.ts`), so its memory is its own and sampled
 * from /proc every 10 s. The clients run in this process, in two worker
 * threads so that a console's receipt time is not held up by the
 * tablets' sends:
 * - 500 crew tablets on `/tablet`, each sending one `position` a second
 *   (the tablet app's path), driving up and down a 2 km stretch of its
 *   own at 10 m/s; a tablet that is sent an assignment acknowledges it
 *   and reports `en_route`;
 * - 20 dispatcher consoles on `/console`: ingest to console is the time
 *   from a fix's sending (its device time, stamped at `emit`) to its
 *   entry in a `unit:positions` batch, at each console;
 * - every 10 s a call is taken the console's way: intake
 *   (`POST /api/incidents`), recommendation (`GET .../recommendations`)
 *   and assignment of the top-ranked unit (`POST .../assign`), timed.
 * Errors (goal 0) are failed or refused requests and acks, refused
 * fixes, dropped sockets and the server's error log lines. The last line
 * is one JSON object. Settings: BENCH_UNITS (500), BENCH_CONSOLES (20),
 * BENCH_CALL_SECONDS (10), LOG_LEVEL of the server (warn).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isMainThread,
  parentPort,
  type Worker,
  workerData,
} from 'node:worker_threads';

import type { Socket } from 'socket.io-client';

import {
  api,
  connect,
  dropRedisKeys,
  eachLimited,
  issueCrewTokens,
  latencySummary,
  messageOf,
  offsetPoint,
  runBench,
  seeded,
  setting,
  sleep,
  stretchPoint,
  tsxWorker,
  type StretchPlan,
} from '../../scripts/bench/kit.ts';

const UNITS = setting('BENCH_UNITS', 500);
const CONSOLES = setting('BENCH_CONSOLES', 20);
const CALL_SECONDS = setting('BENCH_CALL_SECONDS', 10);
const SAMPLE_SECONDS = 10;
const SPEED_MPS = 10;
const SEGMENT_METERS = 2000;
const ACK_TIMEOUT_MS = 10_000;
const ADMIN_PASSWORD = `bench-${crypto.randomBytes(9).toString('base64url')}`;
const REPO = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
/** Latency histogram: 0.1 ms buckets up to 60 s. */
const BUCKET_MS = 0.1;
const BUCKETS = 600_000;

type WorkerData =
  | { role: 'tablets'; url: string; units: StretchPlan[] }
  | { role: 'consoles'; url: string; token: string; count: number };

/** What a worker reports when asked, and at the end. */
interface Counts {
  sent: number;
  accepted: number;
  errors: number;
  firstError: string | null;
  /** Consoles: position entries received, and the latency histogram. */
  entries?: number;
  histogram?: Uint32Array;
}

// ------------------------------------------------------------------ main

function secondsArg(): number {
  const i = process.argv.indexOf('--seconds');
  if (i < 0) return 300;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 10) {
    console.error('--seconds: expected an integer >= 10');
    process.exit(2);
  }
  return value;
}

const round = (n: number) => Math.round(n * 10) / 10;

function histogramSummary(histogram: Uint32Array) {
  let n = 0;
  for (const count of histogram) n += count;
  const at = (p: number) => {
    const rank = Math.ceil((p / 100) * n);
    let seen = 0;
    for (let i = 0; i < histogram.length; i++) {
      seen += histogram[i] as number;
      if (seen >= rank) return round((i + 1) * BUCKET_MS);
    }
    return round(histogram.length * BUCKET_MS);
  };
  let max = 0;
  for (let i = histogram.length - 1; i >= 0; i--) {
    if ((histogram[i] as number) > 0) {
      max = round((i + 1) * BUCKET_MS);
      break;
    }
  }
  return { n, p50Ms: at(50), p99Ms: at(99), maxMs: max };
}

/** Resident memory of a process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** The server as a child process; resolves once it listens. */
async function startServerProcess(env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'dispatch-server/bin/start.ts'],
    { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const errors = { count: 0, first: null as string | null };
  let url: string | undefined;
  const listening = new Promise<string>((resolve, reject) => {
    const onLine = (line: string) => {
      const match = / on (http:\/\/\S+)$/.exec(line);
      if (match && !url) {
        url = match[1] as string;
        resolve(url);
        return;
      }
      // pino lines: level 50 (error) and 60 (fatal) count as errors.
      if (/^\{.*"level":(5|6)0\b/.test(line)) {
        errors.count++;
        errors.first ??= line.slice(0, 400);
      }
    };
    let buffered = '';
    const read = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8').trim();
      if (text) {
        errors.count++;
        errors.first ??= text.slice(0, 400);
      }
    });
    child.once('exit', (code) => {
      if (!url)
        reject(new Error(`server exited with ${code}: ${errors.first}`));
    });
  });
  const timeout = sleep(120_000).then(() => {
    throw new Error('server did not listen within 120 s');
  });
  return { child, url: await Promise.race([listening, timeout]), errors };
}

async function main(): Promise<void> {
  const seconds = secondsArg();
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    console.error(
      'bench:load needs DATABASE_URL (a PostgreSQL server with PostGIS; a ' +
        'fresh database is created on it) and REDIS_URL, e.g.\n' +
        '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres ' +
        'REDIS_URL=redis://127.0.0.1:6379 npm run bench:load',
    );
    process.exit(2);
  }
  const [{ freshPostgres }, routingModule, { PostgresDatabase }] =
    await Promise.all([
      import('../test/harness.ts'),
      import('@dispatch/routing'),
      import('../src/storage/postgres.ts'),
    ]);
  const postgres = await freshPostgres();
  if (!postgres) throw new Error('no database');
  const redisPrefix = `bench-load-${crypto.randomBytes(4).toString('hex')}:`;
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  const workers: Worker[] = [];
  try {
    const city = routingModule.loadCityPack(process.env.CITY);
    const routing = routingModule.createRouting(city, {
      ...process.env,
      OSRM_URL: '',
    });
    const started = performance.now();
    server = await startServerProcess({
      ...process.env,
      DATABASE_URL: postgres.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      PORT: '0',
      HOST: '127.0.0.1',
      DISPATCH_DEMO: 'false',
      DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      OSMAND_PORT: 'off',
      OSRM_URL: '',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    });
    const startSeconds = (performance.now() - started) / 1000;
    const { child, url, errors: serverErrors } = server;
    const target = { url } as Parameters<typeof api>[0];

    const random = seeded(20261204);
    const [minLon, minLat, maxLon, maxLat] = city.serviceArea;
    const inside = (p: { lat: number; lon: number }) =>
      p.lat > minLat && p.lat < maxLat && p.lon > minLon && p.lon < maxLon;
    const roadPoint = async () => {
      for (let attempt = 0; attempt < 1000; attempt++) {
        const point = {
          lat: minLat + random() * (maxLat - minLat),
          lon: minLon + random() * (maxLon - minLon),
        };
        const snap = await routing.embedded.snap(point);
        if (snap && snap.offsetMeters <= 200) return point;
      }
      throw new Error('no road point in 1000 tries');
    };

    // Setup: the fleet, a dispatcher, crew tokens.
    const admin = await api<{ token: string }>(
      target,
      undefined,
      'POST',
      '/api/auth/login',
      {
        username: 'admin',
        password: ADMIN_PASSWORD,
      },
    );
    const stations = [];
    for (let i = 0; i < UNITS; i++) stations.push(await roadPoint());
    const plans: StretchPlan[] = [];
    await eachLimited(stations, 8, async (station, i) => {
      const callSign = `LD${String(i + 1).padStart(3, '0')}`;
      const unit = await api<{ id: number }>(
        target,
        admin.token,
        'POST',
        '/api/units',
        {
          callSign,
          capability: i % 2 === 0 ? 'ALS' : 'BLS',
          station,
        },
        201,
      );
      let bearingDeg = 0;
      for (let k = 0; k < 36; k++) {
        bearingDeg = Math.floor(random() * 360);
        if (inside(offsetPoint(station, bearingDeg, SEGMENT_METERS))) break;
      }
      plans.push({
        unitId: unit.id,
        token: '',
        lat0: station.lat,
        lon0: station.lon,
        bearingDeg,
      });
    });
    const dispatcherPassword = crypto.randomBytes(12).toString('base64url');
    await api(
      target,
      admin.token,
      'POST',
      '/api/users',
      {
        username: 'bench-dispatcher',
        password: dispatcherPassword,
        role: 'dispatcher',
      },
      201,
    );
    const dispatcher = await api<{ token: string }>(
      target,
      undefined,
      'POST',
      '/api/auth/login',
      {
        username: 'bench-dispatcher',
        password: dispatcherPassword,
      },
    );
    const db = new PostgresDatabase(postgres.url);
    try {
      await issueCrewTokens({ db }, plans, 'bench-crew-');
    } finally {
      await db.close();
    }
    const callPoints = [];
    for (let i = 0; i < Math.ceil(seconds / CALL_SECONDS) + 5; i++) {
      callPoints.push(await roadPoint());
    }

    const consoles = spawnWorker({
      role: 'consoles',
      url,
      token: dispatcher.token,
      count: CONSOLES,
    });
    const tablets = spawnWorker({ role: 'tablets', url, units: plans });
    workers.push(consoles.worker, tablets.worker);
    await Promise.all([consoles.ready, tablets.ready]);
    const rssStart = rssMb(child.pid as number);
    const loadAtStart = os.loadavg()[0] as number;
    console.log(
      `server              child process ${child.pid}, started in ${startSeconds.toFixed(1)} s on ${url}`,
    );
    console.log(
      `storage             PostgreSQL (fresh database ${new URL(postgres.url).pathname.slice(1)}), Redis (prefix ${redisPrefix})`,
    );
    console.log(
      `load                ${UNITS} tablets x 1 position/s, ${CONSOLES} consoles, a call every ${CALL_SECONDS} s, ${seconds} s`,
    );
    console.log('');
    console.log('   t (s)   rss (MB)   fixes acked   calls   errors');

    // The run: calls on this thread, tablets and consoles in theirs.
    const intake: number[] = [];
    const recommend: number[] = [];
    const assign: number[] = [];
    let callErrors = 0;
    let firstCallError: string | null = null;
    const rss: { t: number; mb: number }[] = [{ t: 0, mb: rssStart }];
    consoles.post({ type: 'start' });
    tablets.post({ type: 'start' });
    const runStarted = performance.now();
    const elapsed = () => (performance.now() - runStarted) / 1000;
    let nextCall = 0;
    let nextSample = SAMPLE_SECONDS;
    let calls = 0;
    const timed = async <T>(samples: number[], work: () => Promise<T>) => {
      const t0 = performance.now();
      const value = await work();
      samples.push(performance.now() - t0);
      return value;
    };
    while (elapsed() < seconds) {
      if (elapsed() >= nextCall) {
        nextCall += CALL_SECONDS;
        const location = callPoints[calls % callPoints.length];
        calls++;
        try {
          const incident = await timed(intake, () =>
            api<{ id: number }>(
              target,
              dispatcher.token,
              'POST',
              '/api/incidents',
              {
                location,
                priority: 1 + (calls % 3),
                complaint: 'load benchmark',
              },
              201,
            ),
          );
          const ranked = await timed(recommend, () =>
            api<{ unitId: number }[]>(
              target,
              dispatcher.token,
              'GET',
              `/api/incidents/${incident.id}/recommendations`,
              undefined,
            ),
          );
          const top = ranked[0];
          if (!top)
            throw new Error(`incident ${incident.id}: no unit recommended`);
          await timed(assign, () =>
            api(
              target,
              dispatcher.token,
              'POST',
              `/api/incidents/${incident.id}/assign`,
              { unitId: top.unitId },
            ),
          );
        } catch (err) {
          callErrors++;
          firstCallError ??= messageOf(err);
        }
      }
      if (elapsed() >= nextSample) {
        const t = Math.round(nextSample);
        nextSample += SAMPLE_SECONDS;
        const mb = rssMb(child.pid as number);
        rss.push({ t, mb });
        const tab = (await tablets.ask()) as Counts;
        const con = (await consoles.ask()) as Counts;
        const errors =
          tab.errors + con.errors + callErrors + serverErrors.count;
        console.log(
          `${String(t).padStart(8)} ${String(mb).padStart(10)} ${String(tab.accepted).padStart(13)} ${String(calls).padStart(7)} ${String(errors).padStart(8)}`,
        );
      }
      await sleep(
        Math.min(nextCall, nextSample) * 1000 -
          (performance.now() - runStarted),
      );
    }
    const durationSeconds = round(elapsed());
    const tab = (await tablets.stop()) as Counts;
    // The last fixes' batches reach the consoles within 50 ms.
    await sleep(500);
    const con = (await consoles.stop()) as Counts;
    const rssEnd = rssMb(child.pid as number);
    const ingest = histogramSummary(con.histogram as Uint32Array);
    const errors = tab.errors + con.errors + callErrors + serverErrors.count;
    const intakeS = latencySummary(intake);
    const recommendS = latencySummary(recommend);
    const assignS = latencySummary(assign);
    const fmt = (s: {
      n: number;
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
    }) => `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms (n ${s.n})`;
    console.log('');
    console.log(
      `duration            ${durationSeconds} s; machine ${os.cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at start, ${(os.loadavg()[0] as number).toFixed(1)} at end (clients, server, PostgreSQL and Redis share them)`,
    );
    console.log(
      `errors              ${errors} (goal 0): tablets ${tab.errors}, consoles ${con.errors}, calls ${callErrors}, server log ${serverErrors.count}`,
    );
    for (const first of [
      tab.firstError,
      con.firstError,
      firstCallError,
      serverErrors.first,
    ]) {
      if (first) console.log(`  first             ${first}`);
    }
    console.log(
      `fixes               ${tab.sent} sent, ${tab.accepted} accepted (${round(tab.accepted / durationSeconds)}/s)`,
    );
    console.log(`intake              ${fmt(intakeS)}`);
    console.log(`recommend           ${fmt(recommendS)}`);
    console.log(`assign              ${fmt(assignS)}`);
    console.log(
      `ingest -> console   ${fmt(ingest)}, over ${CONSOLES} consoles (fix sent -> unit:positions received)`,
    );
    console.log(
      `memory (server rss) ${rss.map((s) => `${s.t}s ${s.mb}`).join(', ')}, ${rssEnd} MB at the end`,
    );
    console.log(
      JSON.stringify({
        durationSeconds,
        errors,
        intake: { p99Ms: intakeS.p99Ms },
        recommend: { p99Ms: recommendS.p99Ms },
        ingestToConsole: { p99Ms: ingest.p99Ms },
        rssMbStart: rssStart,
        rssMbEnd: rssEnd,
        assign: { p99Ms: assignS.p99Ms },
        rssMb: rss.map((s) => s.mb),
        units: UNITS,
        consoles: CONSOLES,
        calls,
        fixesAccepted: tab.accepted,
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    if (server) {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => {
        if (server?.child.exitCode !== null) resolve(undefined);
        server?.child.once('exit', resolve);
        setTimeout(() => {
          server?.child.kill('SIGKILL');
          resolve(undefined);
        }, 15_000).unref();
      });
    }
    await postgres.drop();
    await dropRedisKeys(redisUrl, redisPrefix);
  }
}

/** A worker thread running this file in `role`, and its commands. */
function spawnWorker(data: WorkerData) {
  const worker = tsxWorker(import.meta.url, data);
  const waiting: ((value: unknown) => void)[] = [];
  let failure: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on(
      'message',
      (message: { type: string; value?: unknown; error?: string }) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'failed')
          reject(new Error(`${data.role}: ${message.error}`));
        else waiting.shift()?.(message.value);
      },
    );
    worker.on('error', (err) => {
      failure = err;
      reject(err);
    });
  });
  const ask = (type = 'counts') => {
    if (failure) return Promise.reject(failure);
    return new Promise<unknown>((resolve) => {
      waiting.push(resolve);
      worker.postMessage({ type });
    });
  };
  return {
    worker,
    ready,
    post: (message: { type: string }) => worker.postMessage(message),
    ask: () => ask('counts'),
    stop: () => ask('stop'),
  };
}

// --------------------------------------------------------------- workers

async function runWorker(data: WorkerData): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const counts: Counts = { sent: 0, accepted: 0, errors: 0, firstError: null };
  let stopping = false;
  const fail = (what: string) => {
    counts.errors++;
    counts.firstError ??= what;
  };
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let begin: () => void = () => {};

  if (data.role === 'consoles') {
    const histogram = new Uint32Array(BUCKETS);
    counts.histogram = histogram;
    counts.entries = 0;
    for (let i = 0; i < data.count; i++) {
      const socket = await connect(`${data.url}/console`, data.token);
      sockets.push(socket);
      socket.on('unit:positions', (positions: { at: string }[]) => {
        const now = Date.now();
        for (const position of positions) {
          const ms = now - Date.parse(position.at);
          const bucket = Math.min(
            BUCKETS - 1,
            Math.max(0, Math.floor(ms / BUCKET_MS)),
          );
          histogram[bucket] = (histogram[bucket] ?? 0) + 1;
          counts.entries = (counts.entries ?? 0) + 1;
        }
      });
      socket.on('disconnect', (reason) => {
        if (!stopping) fail(`console disconnected: ${reason}`);
      });
    }
  } else {
    const originMs = Date.now();
    await eachLimited(data.units, 25, async (plan) => {
      const socket = await connect(`${data.url}/tablet`, plan.token);
      sockets.push(socket);
      socket.on('disconnect', (reason) => {
        if (!stopping) fail(`tablet ${plan.unitId} disconnected: ${reason}`);
      });
      socket.on(
        'assignment',
        async (assignment: { incident: { id: number } }) => {
          for (const [event, payload] of [
            ['assignment:ack', { incidentId: assignment.incident.id }],
            [
              'status',
              { status: 'en_route', eventId: `load-${assignment.incident.id}` },
            ],
          ] as const) {
            try {
              const answer = await socket
                .timeout(ACK_TIMEOUT_MS)
                .emitWithAck(event, payload);
              if (!answer.ok) fail(`${event}: ${JSON.stringify(answer.error)}`);
            } catch (err) {
              fail(`${event}: ${messageOf(err)}`);
            }
          }
        },
      );
    });
    begin = () => {
      data.units.forEach((plan, i) => {
        const socket = sockets[i] as Socket;
        const send = async () => {
          if (stopping) return;
          const now = Date.now();
          const point = stretchPoint(
            plan,
            (SPEED_MPS * (now - originMs)) / 1000,
            SEGMENT_METERS,
          );
          counts.sent++;
          try {
            const answer = await socket
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck('position', {
                ...point,
                at: new Date(now).toISOString(),
                speedMps: SPEED_MPS,
                accuracyMeters: 8,
              });
            if (!answer.ok) fail(`position: ${JSON.stringify(answer.error)}`);
            else if (!answer.result.accepted)
              fail(`position refused: ${answer.result.reason}`);
            else counts.accepted++;
          } catch (err) {
            fail(`position: ${messageOf(err)}`);
          }
        };
        // Staggered over the first second, then once a second each.
        timers.push(
          setTimeout(
            () => {
              void send();
              timers.push(setInterval(() => void send(), 1000));
            },
            (1000 * i) / data.units.length,
          ),
        );
      });
    };
  }
  // The histogram (2.4 MB) goes out once, at the end.
  const snapshot = (withHistogram = false) => {
    const { histogram, ...rest } = counts;
    return withHistogram && histogram ? { ...rest, histogram } : rest;
  };
  port.on('message', (message: { type: string }) => {
    if (message.type === 'start') begin();
    else if (message.type === 'counts')
      port.postMessage({ type: 'counts', value: snapshot() });
    else if (message.type === 'stop') {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      // Answers in flight still count: wait for them briefly.
      setTimeout(() => {
        for (const socket of sockets) socket.close();
        port.postMessage({ type: 'stopped', value: snapshot(true) });
      }, 1000);
    }
  });
  port.postMessage({ type: 'ready' });
}

if (isMainThread) {
  runBench('bench:load', main);
} else {
  runWorker(workerData as WorkerData).catch((err: unknown) => {
    parentPort?.postMessage({ type: 'failed', error: messageOf(err) });
  });
}
