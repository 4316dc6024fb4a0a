/**
 * `npm run bench:console`: the dispatcher's console in headless Chromium
 * while a fleet moves, to see what live positions cost the page.
 *
 * The dispatch server runs in this process (embedded router; PGlite in a
 * temporary folder, or a fresh PostgreSQL database when `DATABASE_URL` is
 * set). 200 units get stations at random points of the service area that
 * snap within 200 m of a road; each unit's crew tablet connects to
 * `/tablet` over socket.io and sends one `position` a second, driving at
 * 10 m/s up and down a 2 km stretch of its own (starts staggered over the
 * first second). Crew tokens go straight into `auth_tokens` (SHA-256, as
 * `hashToken` stores them) with one shared password hash, so no crew logs
 * in.
 *
 * The console (built first when its build is stale) is opened in Chromium
 * at 1400x900 and logged in as admin. First load: from `page.goto` to the
 * login form, plus from the click on "log in" to the console being ready
 * (connection online, basemap canvas and unit canvas on the map).
 *
 * Then, after a short warm-up, main-thread work is read with the Chrome
 * DevTools Protocol (`Performance.getMetrics`) at the start and end of
 * BENCH_SECONDS: the deltas of TaskDuration (every main-thread task),
 * ScriptDuration, LayoutDuration and RecalcStyleDuration, per second of
 * updates. The `unit:positions` batches the page receives are counted from
 * its WebSocket frames. BENCH_PROFILE=1 adds a CPU profile of the page
 * over the same window (which slows it: compare runs without it).
 *
 * Where the time goes: after that window, a trace of BENCH_TRACE_SECONDS
 * (timeline categories, which slow the page a little; outside the
 * measured window) splits the renderer main thread's time by event (self
 * time: paint, layout, GC, timers, socket messages...).
 *
 * Settings: BENCH_SECONDS (20), BENCH_UNITS (200), BENCH_PROFILE (0),
 * BENCH_TRACE_SECONDS (5; 0 skips the trace).
 * Prints a table, then one JSON line (the last line). The goal (under
 * 100 ms of main-thread work per second) is reported, not enforced; an
 * unexpected error, a page error or a refused fix fails the run (exit 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { CDPSession, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';

import {
  api,
  connect,
  eachLimited,
  issueCrewTokens,
  insetPoints,
  runBench,
  seeded,
  setting,
  sleep,
  stretchPoint,
  type StretchPlan,
} from '../../scripts/bench/kit.ts';

import {
  readConfig,
  startServer,
  type DispatchServer,
} from '../../dispatch-server/src/index.ts';
import { createLogger } from '../../dispatch-server/src/log.ts';
import { freshPostgres } from '../../dispatch-server/test/harness.ts';
import {
  CHROMIUM_PATH,
  ensureConsoleBuilt,
  HAS_CHROMIUM,
  launchChromium,
} from '../../tests/e2e/browser.ts';

const SECONDS = setting('BENCH_SECONDS', 20, 1);
const UNITS = setting('BENCH_UNITS', 200, 1);
const PROFILE = setting('BENCH_PROFILE', 0, 0) > 0;
const TRACE_SECONDS = setting('BENCH_TRACE_SECONDS', 5, 0);

const ADMIN_PASSWORD = 'bench-admin-password';
const VIEWPORT = { width: 1400, height: 900 };
const SPEED_MPS = 10;
const STRETCH_METERS = 2000;
const ACCURACY_METERS = 8;
const MAX_SNAP_OFFSET_METERS = 200;
/** Updates flow this long after the console is ready, before measuring. */
const WARMUP_MS = 3000;
const READY_TIMEOUT_MS = 60_000;
const ACK_TIMEOUT_MS = 30_000;
const API_CONCURRENCY = 8;
const CONNECT_CONCURRENCY = 25;
const GOAL_MS_PER_SECOND = 100;

type Plan = StretchPlan;

interface Ack {
  ok: boolean;
  result?: { accepted: boolean; reason?: string };
  error?: { code: string; message: string };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Where a unit is `ms` after it set off: up and down its stretch. */
function pointAt(plan: Plan, ms: number) {
  return stretchPoint(plan, (SPEED_MPS * ms) / 1000, STRETCH_METERS);
}

/** Stations that snap to a road, each with room for its 2 km stretch. */
async function planFleet(server: DispatchServer): Promise<Plan[]> {
  const random = seeded(20261205);
  const stationPoint = insetPoints(
    server.city.serviceArea,
    STRETCH_METERS + 200,
    random,
  );
  const plans: Plan[] = [];
  for (let attempt = 0; plans.length < UNITS; attempt++) {
    if (attempt > UNITS * 1000) {
      throw new Error(`only ${plans.length} stations near a road found`);
    }
    const point = stationPoint();
    const snap = await server.routing.embedded.snap(point);
    if (!snap || snap.offsetMeters > MAX_SNAP_OFFSET_METERS) continue;
    plans.push({
      unitId: 0,
      token: '',
      lat0: point.lat,
      lon0: point.lon,
      bearingDeg: Math.floor(random() * 360),
    });
  }
  return plans;
}

/** The crews' tablets: one `position` a second each, until stopped. */
class Fleet {
  readonly sockets: Socket[] = [];
  sent = 0;
  accepted = 0;
  rejected = 0;
  errors = 0;
  inFlight = 0;
  readonly problems: string[] = [];
  #timers: NodeJS.Timeout[] = [];
  #startedAt = 0;

  constructor(
    readonly url: string,
    readonly plans: Plan[],
  ) {}

  async connect(): Promise<void> {
    await eachLimited(this.plans, CONNECT_CONCURRENCY, async (plan) => {
      const socket = await connect(`${this.url}/tablet`, plan.token);
      socket.on('disconnect', (reason) => {
        if (this.#startedAt > 0 && this.#timers.length > 0) {
          this.#problem(`unit ${plan.unitId} tablet disconnected: ${reason}`);
        }
      });
      this.sockets.push(socket);
    });
  }

  start(): void {
    this.#startedAt = Date.now();
    this.plans.forEach((plan, i) => {
      const socket = this.sockets[i] as Socket;
      let due = this.#startedAt + Math.floor((i * 1000) / this.plans.length);
      let lastAt = 0;
      const tick = () => {
        const atMs = Math.max(Date.now(), lastAt + 1);
        lastAt = atMs;
        const point = pointAt(plan, atMs - this.#startedAt);
        this.sent++;
        this.inFlight++;
        socket.timeout(ACK_TIMEOUT_MS).emit(
          'position',
          {
            lat: point.lat,
            lon: point.lon,
            at: new Date(atMs).toISOString(),
            speedMps: SPEED_MPS,
            headingDeg: point.headingDeg,
            accuracyMeters: ACCURACY_METERS,
          },
          (err: Error | null, answer: Ack) => {
            this.inFlight--;
            if (err) {
              this.errors++;
              this.#problem(`position ack: ${err.message}`);
            } else if (!answer.ok) {
              this.errors++;
              this.#problem(
                `position: ${answer.error?.code} ${answer.error?.message}`,
              );
            } else if (answer.result?.accepted) {
              this.accepted++;
            } else {
              this.rejected++;
              this.#problem(`position refused: ${answer.result?.reason}`);
            }
          },
        );
        due += 1000;
        this.#timers[i] = setTimeout(tick, due - Date.now());
      };
      this.#timers[i] = setTimeout(tick, due - Date.now());
    });
  }

  /** Stops sending, waits for the last acks, then disconnects. */
  async stop(): Promise<void> {
    const timers = this.#timers;
    this.#timers = [];
    for (const timer of timers) clearTimeout(timer);
    const started = Date.now();
    while (this.inFlight > 0 && Date.now() - started < ACK_TIMEOUT_MS) {
      await sleep(10);
    }
    for (const socket of this.sockets) socket.disconnect();
  }

  #problem(message: string): void {
    if (this.problems.length < 20) this.problems.push(message);
  }
}

/** The metrics `Performance.getMetrics` gives, by name (seconds, counts). */
async function metrics(cdp: CDPSession): Promise<Map<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return new Map(list.map((m) => [m.name, m.value]));
}

/** Logs in as admin and waits for the map and the units to be drawn. */
async function firstLoad(page: Page, url: string) {
  const started = performance.now();
  await page.goto(`${url}/`);
  await page.getByTestId('login-username').waitFor({ state: 'visible' });
  const navigationMs = performance.now() - started;
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  const loginStarted = performance.now();
  await page.getByTestId('login-submit').click();
  await page.waitForFunction(
    () => {
      const state = document.querySelector('[data-testid="connection-state"]');
      return (
        /online/i.test(state?.textContent ?? '') &&
        document.querySelector('.leaflet-overlay-pane canvas') !== null &&
        document.querySelector('.leaflet-units-pane canvas') !== null
      );
    },
    undefined,
    { timeout: READY_TIMEOUT_MS, polling: 'raf' },
  );
  const loginToReadyMs = performance.now() - loginStarted;
  return {
    navigationMs,
    loginToReadyMs,
    firstLoadMs: navigationMs + loginToReadyMs,
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function of a CPU profile, the heaviest first. */
function hotFunctions(profile: {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] as number);
    if (!node) continue;
    const frame = node.callFrame;
    const file = frame.url ? frame.url.split('/').at(-1) : '';
    const name =
      `${frame.functionName || '(anonymous)'}` +
      (file ? ` ${file}:${frame.lineNumber + 1}` : '');
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * Self time per event name on the renderer main threads of a trace
 * (complete events and begin/end pairs, nested by time).
 */
function traceSelfTimes(trace: { traceEvents: TraceEvent[] }): {
  busyMs: number;
  byName: [string, number][];
} {
  const events = trace.traceEvents;
  const mainThreads = new Set(
    events
      .filter(
        (e) =>
          e.ph === 'M' &&
          e.name === 'thread_name' &&
          e.args?.name === 'CrRendererMain',
      )
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const spans = new Map<
    string,
    { name: string; start: number; end: number }[]
  >();
  const open = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (!mainThreads.has(thread)) continue;
    const list = spans.get(thread) ?? [];
    spans.set(thread, list);
    if (e.ph === 'X' && e.dur !== undefined) {
      list.push({ name: e.name, start: e.ts, end: e.ts + e.dur });
    } else if (e.ph === 'B') {
      const stack = open.get(thread) ?? [];
      open.set(thread, stack);
      stack.push(e);
    } else if (e.ph === 'E') {
      const begin = open.get(thread)?.pop();
      if (begin) list.push({ name: begin.name, start: begin.ts, end: e.ts });
    }
  }
  const self = new Map<string, number>();
  let busyUs = 0;
  for (const list of spans.values()) {
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    const stack: { name: string; end: number }[] = [];
    for (const span of list) {
      while (stack.length > 0 && (stack.at(-1)?.end ?? 0) <= span.start) {
        stack.pop();
      }
      const parent = stack.at(-1);
      const dur = span.end - span.start;
      if (parent) {
        self.set(parent.name, (self.get(parent.name) ?? 0) - dur);
      } else busyUs += dur;
      self.set(span.name, (self.get(span.name) ?? 0) + dur);
      stack.push({ name: span.name, end: span.end });
    }
  }
  return {
    busyMs: busyUs / 1000,
    byName: [...self.entries()]
      .map(([name, us]): [string, number] => [name, us / 1000])
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15),
  };
}

async function main(): Promise<void> {
  if (!HAS_CHROMIUM) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
    );
  }
  ensureConsoleBuilt();
  const postgres = await freshPostgres();
  const dataDir = postgres
    ? undefined
    : fs.mkdtempSync(path.join(os.tmpdir(), 'console-bench-'));
  let server: DispatchServer | undefined;
  let fleet: Fleet | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let summary: string;
  const problems: string[] = [];
  try {
    server = await startServer(
      readConfig({
        PORT: '0',
        OSMAND_PORT: 'off',
        DATA_DIR: dataDir ?? 'memory://',
        DISPATCH_DEMO: 'false',
        DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...(process.env.CITY ? { CITY: process.env.CITY } : {}),
        ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      }),
      {
        log: createLogger({ level: process.env.LOG_LEVEL || 'warn' }),
        // The embedded router only, whatever the environment says.
        env: { ...process.env, OSRM_URL: '' },
      },
    );
    const where = postgres
      ? `${server.db.kind}, fresh database ${new URL(postgres.url).pathname.slice(1)}`
      : `${server.db.kind}, temporary folder ${dataDir}`;

    // --- The fleet: units over the API, crews and tokens in SQL.
    const setupStarted = performance.now();
    const { token: adminToken } = await api<{ token: string }>(
      server,
      undefined,
      'POST',
      '/api/auth/login',
      { username: 'admin', password: ADMIN_PASSWORD },
    );
    const plans = await planFleet(server);
    await eachLimited(plans, API_CONCURRENCY, async (plan, i) => {
      const callSign = `CON${String(i + 1).padStart(3, '0')}`;
      const unit = await api<{ id: number }>(
        server as DispatchServer,
        adminToken,
        'POST',
        '/api/units',
        {
          callSign,
          capability: i % 2 === 0 ? 'ALS' : 'BLS',
          station: { lat: plan.lat0, lon: plan.lon0 },
          stationName: `Bench station ${callSign}`,
        },
        201,
      );
      plan.unitId = unit.id;
    });
    await issueCrewTokens(server, plans, 'bench-console-crew-');
    fleet = new Fleet(server.url, plans);
    await fleet.connect();
    fleet.start();
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    // --- The console.
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: VIEWPORT });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (response) => {
      const url = new URL(response.url());
      // Browsers ask for a favicon on their own; the console has none.
      if (response.status() >= 400 && url.pathname !== '/favicon.ico') {
        pageErrors.push(`${response.status()} for ${url.pathname}`);
      }
    });
    const load = await firstLoad(page, server.url);

    const cdp = await page.context().newCDPSession(page);
    let batches = 0;
    let entries = 0;
    let counting = false;
    cdp.on('Network.webSocketFrameReceived', ({ response }) => {
      if (!counting || response.opcode !== 1) return;
      const text = response.payloadData;
      if (!text.includes('"unit:positions"')) return;
      batches++;
      try {
        const packet = JSON.parse(text.slice(text.indexOf('['))) as [
          string,
          unknown,
        ];
        if (Array.isArray(packet[1])) entries += packet[1].length;
      } catch {
        // Counted as a batch; its size stays unknown.
      }
    });
    await cdp.send('Network.enable');
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    await sleep(WARMUP_MS);

    if (PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const before = await metrics(cdp);
    const wallStarted = performance.now();
    counting = true;
    await sleep(SECONDS * 1000);
    counting = false;
    const after = await metrics(cdp);
    const wallSeconds = (performance.now() - wallStarted) / 1000;
    const hot = PROFILE
      ? hotFunctions((await cdp.send('Profiler.stop')).profile)
      : [];
    const delta = (name: string) =>
      (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const seconds = delta('Timestamp') > 0 ? delta('Timestamp') : wallSeconds;
    const msPerSecond = (name: string) =>
      round1((1000 * delta(name)) / seconds);
    const perSecond = {
      task: msPerSecond('TaskDuration'),
      script: msPerSecond('ScriptDuration'),
      layout: msPerSecond('LayoutDuration'),
      style: msPerSecond('RecalcStyleDuration'),
    };
    const other = round1(
      perSecond.task - perSecond.script - perSecond.layout - perSecond.style,
    );
    const heapMb = Math.round((after.get('JSHeapUsedSize') ?? 0) / 2 ** 20);
    const nodes = after.get('Nodes') ?? 0;
    await cdp.detach();
    let trace: ReturnType<typeof traceSelfTimes> | undefined;
    if (TRACE_SECONDS > 0) {
      await browser.startTracing(page, {
        categories: [
          'devtools.timeline',
          'v8',
          'disabled-by-default-devtools.timeline',
        ],
      });
      await sleep(TRACE_SECONDS * 1000);
      const buffer = await browser.stopTracing();
      trace = traceSelfTimes(
        JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] },
      );
    }
    await fleet.stop();

    problems.push(...pageErrors.map((e) => `page: ${e}`), ...fleet.problems);
    const goalMet = perSecond.task < GOAL_MS_PER_SECOND;
    const line = (label: string, text: string) =>
      console.log(`${label.padEnd(22)}${text}`);
    line('city', `${server.city.name} (${server.city.id})`);
    line('storage', where);
    line(
      'machine',
      `${os.cpus().length} CPUs, load average ${(os.loadavg()[0] as number).toFixed(1)} (server, tablets and Chromium share them)`,
    );
    line(
      'fleet',
      `${plans.length} units, 1 position/s each at ${SPEED_MPS} m/s; set up in ${setupSeconds.toFixed(1)} s`,
    );
    line(
      'positions',
      `${fleet.sent} sent, ${fleet.accepted} accepted, ${fleet.rejected} refused, ${fleet.errors} errors`,
    );
    line(
      'viewport',
      `${VIEWPORT.width}x${VIEWPORT.height}, headless Chromium (${browser.version()})`,
    );
    line(
      'first load',
      `${Math.round(load.firstLoadMs)} ms = navigation to login form ${Math.round(load.navigationMs)} ms + login to map and units drawn ${Math.round(load.loginToReadyMs)} ms`,
    );
    line(
      'measured',
      `${seconds.toFixed(1)} s after ${WARMUP_MS / 1000} s of warm-up; ${batches} unit:positions batches (${round1(batches / seconds)}/s, ${entries} entries, ${round1(entries / seconds)}/s)`,
    );
    console.log('main thread, ms per second of updates:');
    line('  task (all)', `${perSecond.task}`);
    line('  script', `${perSecond.script}`);
    line('  layout', `${perSecond.layout}`);
    line('  style recalc', `${perSecond.style}`);
    line('  other (paint, GC…)', `${other}`);
    line('page', `JS heap ${heapMb} MB, ${nodes} DOM nodes`);
    line(
      'goal',
      `task < ${GOAL_MS_PER_SECOND} ms/s: ${goalMet ? 'met' : 'MISSED'}`,
    );
    if (trace) {
      console.log(
        `where the time goes (trace of ${TRACE_SECONDS} s, renderer main thread, self time, ms per second; ${round1(trace.busyMs / TRACE_SECONDS)} busy):`,
      );
      for (const [name, ms] of trace.byName) {
        console.log(
          `  ${round1(ms / TRACE_SECONDS)
            .toString()
            .padStart(7)}  ${name}`,
        );
      }
    }
    if (hot.length > 0) {
      console.log('hot functions of the page (self time, ms per second):');
      for (const [name, ms] of hot) {
        console.log(
          `  ${round1(ms / seconds)
            .toString()
            .padStart(7)}  ${name}`,
        );
      }
    }
    summary = JSON.stringify({
      firstLoadMs: Math.round(load.firstLoadMs),
      mainThreadMsPerSecond: perSecond.task,
      navigationMs: Math.round(load.navigationMs),
      loginToReadyMs: Math.round(load.loginToReadyMs),
      scriptMsPerSecond: perSecond.script,
      layoutMsPerSecond: perSecond.layout,
      recalcStyleMsPerSecond: perSecond.style,
      units: plans.length,
      seconds: round1(seconds),
      batchesPerSecond: round1(batches / seconds),
      entriesPerSecond: round1(entries / seconds),
      positionsAccepted: fleet.accepted,
      positionsRefused: fleet.rejected,
      pageErrors: pageErrors.length,
      storage: server.db.kind,
      goalMet,
    });
  } finally {
    await fleet?.stop();
    await browser?.close();
    await server?.close();
    await postgres?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(`bench:console: ${problems.length} problem(s):`);
    for (const problem of problems.slice(0, 20)) console.error(`  ${problem}`);
    process.exitCode = 1;
  }
  // Last, after everything is closed.
  console.log(summary);
}

runBench('bench:console', main);
