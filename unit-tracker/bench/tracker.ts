/**
 * `npm run bench:tracker`: GPS ingest end to end, on the real dispatch
 * server started in this process with persistence on: PGlite in a
 * temporary folder, or a fresh PostgreSQL database when `DATABASE_URL` is
 * set; the live state in Redis when `REDIS_URL` is set (under a key
 * prefix of its own, deleted at the end, unless REDIS_PREFIX is given),
 * else memory.
 * Simulated crew tablets connect to `/tablet` over loopback socket.io
 * (websocket transport) and one console listens on `/console` like a
 * dispatcher's screen. Prints a table, then one JSON line (the last line).
 *
 * The clients run in two worker threads (tablets; console), so the main
 * thread's event loop carries the server alone, as in production, and a
 * console's receipt time is not held up by the server's own work.
 *
 * Phase 1, latency at the realistic rate: every unit sends one `position`
 * a second (starts staggered over the first second), driving at 10 m/s
 * up and down a 2 km stretch of its own inside the service area. For each
 * position the console receives, ingest -> console is `Date.now() -
 * Date.parse(receivedAt)`: `receivedAt` is stamped by the tracker when it
 * accepts the fix (the fix's arrival on the server), and client and
 * server share this machine's clock. Also measured: tablet emit ->
 * console (the device time is the moment of sending), emit -> ack, and
 * whether each unit's positions reach the console in order (device time
 * never going back).
 *
 * Phase 2, throughput: every tablet sends `positions` batches back to
 * back, one in flight, acked (or paced to BENCH_RATE fixes a second in
 * all); accepted fixes per second, and fixes persisted per second counting
 * the writer's drain (the writer drops fixes past its queue limit, and the
 * run then fails). Device times are
 * 50 ms apart (a 20 Hz receiver), not 1 s: the filter refuses fixes more
 * than 60 s ahead of the server's clock, and at thousands of fixes a
 * second 1 s steps would run ahead of it within seconds. A tablet whose
 * next batch would end more than 45 s ahead waits (counted as clock
 * waits). Then the track writer must drain, and after an OsmAnd (Traccar
 * Client) HTTP run the `unit_track` rows must equal the accepted fixes.
 *
 * Where the time goes: server internals are timed by wrapping, at run
 * time and on this process's objects only, the tracker's `ingest`, the
 * live store's `set`, the database's `query` (track inserts) and the bus's
 * `emit` (console fan-out); no server code changes. The main thread's
 * event-loop utilisation, loop delay and GC pauses are recorded per phase,
 * and BENCH_PROFILE=1 adds a CPU profile of the main thread per phase
 * (which slows the server: compare figures of runs without it).
 * Last, the tracker is driven in process, without sockets, to split the
 * socket cost from the pipeline's.
 *
 * Login is skipped on purpose: 500 crew logins would cost 500 scrypt
 * hashes (about 100 ms each), and `AuthService.createUser` hashes too. The
 * crew users are inserted in one statement with one shared hash (of a
 * random password nobody knows), and their tokens go straight into
 * `auth_tokens` (SHA-256 of the token, as `hashToken` stores it).
 *
 * Settings: BENCH_UNITS (500), BENCH_SECONDS (20, phase 1, after 2 s of
 * warm-up), BENCH_THROUGHPUT_SECONDS (10), BENCH_BATCH (20 fixes a batch),
 * BENCH_RATE (0: as fast as acks come; else fixes a second in phase 2),
 * BENCH_OSMAND_SECONDS (5; 0 skips it), BENCH_OSMAND_CLIENTS (16),
 * BENCH_PROFILE (0). The goals (>= 5,000 fixes/s; p99 <= 100 ms at 1 fix
 * a second per unit; no order violation) are reported, not enforced; an
 * unexpected error, a refused fix or a track row count that differs from
 * the accepted fixes fails the run (exit 1, after the report).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Profiler } from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import {
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
} from 'node:perf_hooks';
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
  insetPoints,
  runBench,
  seeded,
  setting,
  sleep,
  stretchPoint,
  tsxWorker,
  type StretchPlan,
} from '../../scripts/bench/kit.ts';

import type { DispatchServer } from '../../dispatch-server/src/index.ts';
import type {
  Ack,
  TabletFix,
} from '../../dispatch-server/src/realtime/contract.ts';
import type {
  Fix,
  FixResult,
  LivePosition,
  TrackWriter,
} from '../src/index.ts';

const UNITS = setting('BENCH_UNITS', 500);
const SECONDS = setting('BENCH_SECONDS', 20);
const THROUGHPUT_SECONDS = setting('BENCH_THROUGHPUT_SECONDS', 10);
const BATCH = setting('BENCH_BATCH', 20);
const OSMAND_SECONDS = setting('BENCH_OSMAND_SECONDS', 5, 0);
const OSMAND_CLIENTS = setting('BENCH_OSMAND_CLIENTS', 16);
const RATE = setting('BENCH_RATE', 0, 0);
const PROFILE = setting('BENCH_PROFILE', 0, 0) > 0;

/** Phase 1 runs this long before it is measured (JIT, first fixes). */
const WARMUP_SECONDS = 2;
const SPEED_MPS = 10;
/** Each unit drives up and down a stretch this long. */
const SEGMENT_METERS = 2000;
const ACCURACY_METERS = 8;
/** Device-time step of phase 2 and of the OsmAnd run (see above). */
const FAST_SPACING_MS = 50;
/** How far ahead of the clock a tablet may send (the filter allows 60 s). */
const FUTURE_GUARD_MS = 45_000;
const ACK_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 25;
const API_CONCURRENCY = 8;
/** Wait after a phase for the last positions to reach the console. */
const GRACE_MS = 500;
const DRAIN_TIMEOUT_MS = 180_000;
const IN_PROCESS_SECONDS = 3;
/** Below the track writer's queue limit (200,000), so nothing is dropped. */
const IN_PROCESS_DB_MAX_FIXES = 100_000;
const FILTER_RUNS = 1_000_000;
const MPS_PER_KNOT = 0.514444;
const ADMIN_PASSWORD = 'bench-admin-password';
const GOAL_FIXES_PER_SECOND = 5000;
const GOAL_P99_MS = 100;

// ---------------------------------------------------------------- shared

/** One simulated unit: its stretch of road and its credentials. */
interface UnitPlan extends StretchPlan {
  trackerId: string;
}

interface Summary {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** What a run of fixes came to, as the senders saw the answers. */
interface Counts {
  sent: number;
  accepted: number;
  rejected: number;
  errors: number;
  /** Batches refused while the track backlog was full, then resent. */
  backPressure: number;
  reasons: Record<string, number>;
  firstError: string | null;
}

interface LatencyRun extends Counts {
  ack: Summary;
  /** Event-loop utilisation of the tablets' thread. */
  clientBusy: number;
}

interface ThroughputRun extends Counts {
  batches: number;
  seconds: number;
  /** Accepted fixes acked in each whole second. */
  perSecond: number[];
  ack: Summary;
  clockWaits: number;
  clientBusy: number;
}

interface OsmandRun {
  requests: number;
  ok: number;
  refused: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  latency: Summary;
  clientBusy: number;
}

interface ConsoleWindow {
  label: string;
  /** Entries received with `receivedAt` in the window. */
  delivered: number;
  batches: number;
  latency: Summary;
  sendToConsole: Summary | null;
  violations: number;
  duplicates: number;
}

interface ConsoleReport {
  windows: ConsoleWindow[];
  entries: number;
  violations: number;
  duplicates: number;
}

type WorkerData =
  | {
      role: 'tablets';
      url: string;
      osmandUrl: string | null;
      originMs: number;
      units: UnitPlan[];
    }
  | { role: 'console'; url: string; token: string };

type Command =
  | { cmd: 'connect' }
  | {
      cmd: 'latency';
      startAt: number;
      warmupSeconds: number;
      seconds: number;
    }
  | {
      cmd: 'throughput';
      startAt: number;
      seconds: number;
      batch: number;
      spacingMs: number;
      /** Fixes a second for all tablets together; 0: as fast as acked. */
      rate: number;
    }
  | {
      cmd: 'osmand';
      startAt: number;
      seconds: number;
      clients: number;
      spacingMs: number;
    }
  | {
      cmd: 'open';
      label: string;
      from: number;
      measureFrom: number;
      endToEnd: boolean;
    }
  | { cmd: 'shut'; label: string }
  | { cmd: 'report' }
  | { cmd: 'close' };

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'failure'; message: string };

const round2 = (n: number) => Math.round(n * 100) / 100;
const sleepUntil = (epochMs: number) => sleep(epochMs - Date.now());

function summarize(samples: readonly number[]): Summary {
  let sum = 0;
  for (const sample of samples) sum += sample;
  return {
    ...latencySummary(samples, 2),
    meanMs: samples.length === 0 ? 0 : round2(sum / samples.length),
  };
}

/** Where a unit is at device time `atMs`: at 10 m/s from `originMs`. */
function pointAt(plan: UnitPlan, originMs: number, atMs: number) {
  return stretchPoint(
    plan,
    (SPEED_MPS * (atMs - originMs)) / 1000,
    SEGMENT_METERS,
  );
}

class Tally implements Counts {
  sent = 0;
  accepted = 0;
  rejected = 0;
  errors = 0;
  backPressure = 0;
  reasons: Record<string, number> = {};
  firstError: string | null = null;

  result(result: FixResult): void {
    if (result.accepted) {
      this.accepted++;
      return;
    }
    this.rejected++;
    this.reasons[result.reason] = (this.reasons[result.reason] ?? 0) + 1;
  }

  error(message: string): void {
    this.errors++;
    this.firstError ??= message;
  }

  counts(): Counts {
    return {
      sent: this.sent,
      accepted: this.accepted,
      rejected: this.rejected,
      errors: this.errors,
      backPressure: this.backPressure,
      reasons: this.reasons,
      firstError: this.firstError,
    };
  }
}

// --------------------------------------------------------------- workers

function runWorker(data: WorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('runWorker outside a worker thread');
  const fail = (message: string) =>
    port.postMessage({ event: 'failure', message } satisfies Reply);
  const handle =
    data.role === 'tablets'
      ? tabletWorker(data, fail)
      : consoleWorker(data, fail);
  port.on('message', (message: { id: number; command: Command }) => {
    handle(message.command).then(
      (value) =>
        port.postMessage({ id: message.id, ok: true, value } satisfies Reply),
      (err: unknown) =>
        port.postMessage({
          id: message.id,
          ok: false,
          error:
            err instanceof Error ? (err.stack ?? err.message) : String(err),
        } satisfies Reply),
    );
  });
}

interface Tablet {
  plan: UnitPlan;
  socket: Socket | undefined;
  /** Device time of the last fix sent (ms). */
  lastAt: number;
}

function tabletWorker(
  data: Extract<WorkerData, { role: 'tablets' }>,
  fail: (message: string) => void,
): (command: Command) => Promise<unknown> {
  const tablets: Tablet[] = data.units.map((plan) => ({
    plan,
    socket: undefined,
    lastAt: 0,
  }));
  let closing = false;
  const fixAt = (plan: UnitPlan, atMs: number): TabletFix => {
    const point = pointAt(plan, data.originMs, atMs);
    return {
      lat: point.lat,
      lon: point.lon,
      at: new Date(atMs).toISOString(),
      speedMps: SPEED_MPS,
      headingDeg: point.headingDeg,
      accuracyMeters: ACCURACY_METERS,
    };
  };
  const socketOf = (tablet: Tablet) => {
    if (!tablet.socket) throw new Error('tablets not connected');
    return tablet.socket;
  };

  const latency = async (
    command: Extract<Command, { cmd: 'latency' }>,
  ): Promise<LatencyRun> => {
    const measureFrom = command.startAt + command.warmupSeconds * 1000;
    const endAt = measureFrom + command.seconds * 1000;
    const tally = new Tally();
    const acks: number[] = [];
    const busy = performance.eventLoopUtilization();
    await new Promise<void>((resolve) => {
      let running = tablets.length;
      let inFlight = 0;
      const settle = () => {
        if (running === 0 && inFlight === 0) resolve();
      };
      tablets.forEach((tablet, i) => {
        const socket = socketOf(tablet);
        let due = command.startAt + Math.floor((i * 1000) / tablets.length);
        const tick = () => {
          if (due >= endAt) {
            running--;
            settle();
            return;
          }
          // The device time is the moment of sending.
          const atMs = Math.max(Date.now(), tablet.lastAt + 1);
          tablet.lastAt = atMs;
          const sentAt = performance.now();
          inFlight++;
          tally.sent++;
          socket
            .timeout(ACK_TIMEOUT_MS)
            .emit(
              'position',
              fixAt(tablet.plan, atMs),
              (err: Error | null, answer: Ack<{ result: FixResult }>) => {
                inFlight--;
                if (err) tally.error(`position ack: ${err.message}`);
                else if (!answer.ok) {
                  tally.error(
                    `position: ${answer.error.code} ${answer.error.message}`,
                  );
                } else tally.result(answer.result);
                if (atMs >= measureFrom) acks.push(performance.now() - sentAt);
                settle();
              },
            );
          due += 1000;
          setTimeout(tick, due - Date.now());
        };
        setTimeout(tick, due - Date.now());
      });
    });
    return {
      ...tally.counts(),
      ack: summarize(acks),
      clientBusy: performance.eventLoopUtilization(busy).utilization,
    };
  };

  const throughput = async (
    command: Extract<Command, { cmd: 'throughput' }>,
  ): Promise<ThroughputRun> => {
    await sleepUntil(command.startAt);
    const tally = new Tally();
    const acks: number[] = [];
    const perSecond = new Array<number>(command.seconds).fill(0);
    let batches = 0;
    let clockWaits = 0;
    const busy = performance.eventLoopUtilization();
    const started = performance.now();
    const deadline = started + command.seconds * 1000;
    // Paced: each tablet sends a batch every `period` ms, starts spread.
    const period =
      command.rate > 0
        ? (tablets.length * command.batch * 1000) / command.rate
        : 0;
    let lastAck = started;
    await Promise.all(
      tablets.map(async (tablet, i) => {
        const socket = socketOf(tablet);
        let due = started + (period * i) / tablets.length;
        while (performance.now() < deadline) {
          if (period > 0) {
            await sleep(due - performance.now());
            due += period;
            if (performance.now() >= deadline) break;
          }
          const fixes: TabletFix[] = [];
          for (let k = 0; k < command.batch; k++) {
            tablet.lastAt += command.spacingMs;
            fixes.push(fixAt(tablet.plan, tablet.lastAt));
          }
          const early = tablet.lastAt - FUTURE_GUARD_MS - Date.now();
          if (early > 0) {
            clockWaits++;
            await sleep(early);
          }
          const sentAt = performance.now();
          tally.sent += fixes.length;
          batches++;
          let answer: Ack<{ results: FixResult[] }>;
          try {
            answer = await socket
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck('positions', fixes);
          } catch (err) {
            tally.error(`positions ack: ${messageOf(err)}`);
            return;
          }
          const now = performance.now();
          acks.push(now - sentAt);
          lastAck = Math.max(lastAck, now);
          if (!answer.ok && answer.error.code === 'STORAGE_UNAVAILABLE') {
            // Back-pressure: the track cannot keep up and nothing of the
            // batch was taken. Resend the same fixes after a pause, as a
            // tablet's outbox does.
            tally.backPressure++;
            tally.sent -= fixes.length;
            tablet.lastAt -= command.batch * command.spacingMs;
            await sleep(100);
            continue;
          }
          if (!answer.ok) {
            tally.error(
              `positions: ${answer.error.code} ${answer.error.message}`,
            );
            continue;
          }
          let accepted = 0;
          for (const result of answer.results) {
            tally.result(result);
            if (result.accepted) accepted++;
          }
          const second = Math.floor((now - started) / 1000);
          if (second < command.seconds) {
            perSecond[second] = (perSecond[second] ?? 0) + accepted;
          }
        }
      }),
    );
    return {
      ...tally.counts(),
      batches,
      seconds: (lastAck - started) / 1000,
      perSecond,
      ack: summarize(acks),
      clockWaits,
      clientBusy: performance.eventLoopUtilization(busy).utilization,
    };
  };

  const osmand = async (
    command: Extract<Command, { cmd: 'osmand' }>,
  ): Promise<OsmandRun> => {
    const base = data.osmandUrl;
    if (!base) throw new Error('the server runs no OsmAnd endpoint');
    await sleepUntil(command.startAt);
    const latencies: number[] = [];
    const run: Omit<OsmandRun, 'latency' | 'clientBusy' | 'seconds'> = {
      requests: 0,
      ok: 0,
      refused: 0,
      errors: 0,
      firstError: null,
    };
    let cursor = 0;
    const busy = performance.eventLoopUtilization();
    const started = performance.now();
    const deadline = started + command.seconds * 1000;
    let last = started;
    const client = async () => {
      while (performance.now() < deadline) {
        const tablet = tablets[cursor++ % tablets.length] as Tablet;
        tablet.lastAt += command.spacingMs;
        const atMs = tablet.lastAt;
        const early = atMs - FUTURE_GUARD_MS - Date.now();
        if (early > 0) await sleep(early);
        const point = pointAt(tablet.plan, data.originMs, atMs);
        // The Traccar Client's request: POST, everything in the query.
        const query = new URLSearchParams({
          id: tablet.plan.trackerId,
          lat: String(point.lat),
          lon: String(point.lon),
          timestamp: String(atMs),
          speed: (SPEED_MPS / MPS_PER_KNOT).toFixed(3),
          bearing: String(point.headingDeg),
          accuracy: String(ACCURACY_METERS),
        });
        const sentAt = performance.now();
        run.requests++;
        try {
          const response = await fetch(`${base}/?${query}`, {
            method: 'POST',
          });
          const text = await response.text();
          if (response.status === 200) run.ok++;
          else {
            run.refused++;
            run.firstError ??= `${response.status} ${text}`;
          }
        } catch (err) {
          run.errors++;
          run.firstError ??= messageOf(err);
        }
        last = performance.now();
        latencies.push(last - sentAt);
      }
    };
    await Promise.all(Array.from({ length: command.clients }, client));
    return {
      ...run,
      seconds: (last - started) / 1000,
      latency: summarize(latencies),
      clientBusy: performance.eventLoopUtilization(busy).utilization,
    };
  };

  return async (command) => {
    switch (command.cmd) {
      case 'connect': {
        const started = performance.now();
        await eachLimited(tablets, CONNECT_CONCURRENCY, async (tablet) => {
          const socket = await connect(`${data.url}/tablet`, tablet.plan.token);
          socket.on('disconnect', (reason) => {
            if (!closing) {
              fail(
                `tablet of unit ${tablet.plan.unitId} disconnected: ${reason}`,
              );
            }
          });
          tablet.socket = socket;
        });
        return { ms: performance.now() - started };
      }
      case 'latency':
        return latency(command);
      case 'throughput':
        return throughput(command);
      case 'osmand':
        return osmand(command);
      case 'close':
        closing = true;
        for (const tablet of tablets) tablet.socket?.disconnect();
        return {};
      default:
        throw new Error(`tablets: unknown command ${command.cmd}`);
    }
  };
}

interface Window {
  label: string;
  from: number;
  measureFrom: number;
  endToEnd: boolean;
  open: boolean;
  delivered: number;
  batches: number;
  latency: number[];
  sendToConsole: number[];
  violations: number;
  duplicates: number;
}

function consoleWorker(
  data: Extract<WorkerData, { role: 'console' }>,
  fail: (message: string) => void,
): (command: Command) => Promise<unknown> {
  let socket: Socket | undefined;
  let closing = false;
  const windows: Window[] = [];
  const newest = new Map<number, number>();
  let entries = 0;
  let violations = 0;
  let duplicates = 0;

  const onPositions = (positions: LivePosition[]) => {
    const now = Date.now();
    const touched = new Set<Window>();
    for (const position of positions) {
      entries++;
      const at = Date.parse(position.at);
      const receivedAt = Date.parse(position.receivedAt);
      const before = newest.get(position.unitId);
      const backwards = before !== undefined && at < before;
      const repeated = before === at;
      if (backwards) violations++;
      if (repeated) duplicates++;
      if (before === undefined || at > before) newest.set(position.unitId, at);
      for (const window of windows) {
        if (!window.open || receivedAt < window.from) continue;
        window.delivered++;
        touched.add(window);
        if (backwards) window.violations++;
        if (repeated) window.duplicates++;
        if (receivedAt >= window.measureFrom) {
          window.latency.push(now - receivedAt);
          if (window.endToEnd) window.sendToConsole.push(now - at);
        }
      }
    }
    for (const window of touched) window.batches++;
  };

  const windowOf = (label: string) => {
    const window = windows.find((w) => w.label === label);
    if (!window) throw new Error(`console: no window ${label}`);
    return window;
  };

  return async (command) => {
    switch (command.cmd) {
      case 'connect': {
        const started = performance.now();
        socket = await connect(`${data.url}/console`, data.token);
        socket.on('unit:positions', onPositions);
        socket.on('disconnect', (reason) => {
          if (!closing) fail(`console disconnected: ${reason}`);
        });
        return { ms: performance.now() - started };
      }
      case 'open':
        windows.push({
          label: command.label,
          from: command.from,
          measureFrom: command.measureFrom,
          endToEnd: command.endToEnd,
          open: true,
          delivered: 0,
          batches: 0,
          latency: [],
          sendToConsole: [],
          violations: 0,
          duplicates: 0,
        });
        return {};
      case 'shut':
        windowOf(command.label).open = false;
        return {};
      case 'report':
        return {
          windows: windows.map((w) => ({
            label: w.label,
            delivered: w.delivered,
            batches: w.batches,
            latency: summarize(w.latency),
            sendToConsole: w.endToEnd ? summarize(w.sendToConsole) : null,
            violations: w.violations,
            duplicates: w.duplicates,
          })),
          entries,
          violations,
          duplicates,
        } satisfies ConsoleReport;
      case 'close':
        closing = true;
        socket?.disconnect();
        return {};
      default:
        throw new Error(`console: unknown command ${command.cmd}`);
    }
  };
}

/** The main thread's handle on a worker: commands in, answers out. */
class WorkerClient {
  readonly #worker: Worker;
  readonly #role: string;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (err: Error) => void }
  >();
  #next = 0;

  constructor(data: WorkerData, onFailure: (message: string) => void) {
    this.#role = data.role;
    this.#worker = tsxWorker(import.meta.url, data);
    this.#worker.on('message', (message: Reply) => {
      if ('event' in message) {
        onFailure(message.message);
        return;
      }
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(`${this.#role}: ${message.error}`));
    });
    this.#worker.on('error', (err) => {
      onFailure(`${this.#role} worker: ${err.message}`);
      this.#rejectAll(err);
    });
    this.#worker.on('exit', (code) =>
      this.#rejectAll(new Error(`${this.#role} worker exited (${code})`)),
    );
  }

  call<T>(command: Command): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#worker.postMessage({ id, command });
    });
  }

  /** Disconnects the worker's sockets and ends the thread. */
  async close(): Promise<void> {
    await this.call({ cmd: 'close' }).catch(() => {});
    await this.#worker.terminate();
  }

  #rejectAll(err: Error) {
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }
}

// ------------------------------------------------------ server probes

interface ProbeResult {
  label: string;
  seconds: number;
  /** Event-loop utilisation of the main (server) thread. */
  serverBusy: number;
  /** Process CPU (every thread) as a share of one core. */
  processCpu: number;
  loopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  gc: { pauses: number; totalMs: number; maxMs: number };
  inserts: Summary & { rows: number; rowsPerSecond: number; failed: number };
  ingest: Summary & { fixes: number };
  storeSet: Summary;
  fanoutEmit: Summary & { entries: number };
  acceptToFanout: Summary;
  profile: ProfileSummary | undefined;
}

interface ProfileSummary {
  wallMs: number;
  self: Array<[string, number]>;
  inclusive: Array<[string, number]>;
  /** Functions with the most self time, named `function (file)`. */
  functions: Array<[string, number]>;
}

/** The probe that wrapped server calls report to; one at a time. */
let active: Probe | undefined;

class Probe {
  readonly label: string;
  readonly #started = performance.now();
  readonly #elu = performance.eventLoopUtilization();
  readonly #cpu = process.cpuUsage();
  readonly #delay = monitorEventLoopDelay({ resolution: 5 });
  #session: import('node:inspector/promises').Session | undefined;
  gcPauses: number[] = [];
  inserts: number[] = [];
  insertRows = 0;
  insertFailures = 0;
  ingest: number[] = [];
  ingestFixes = 0;
  storeSet: number[] = [];
  fanoutEmit: number[] = [];
  fanoutEntries = 0;
  acceptToFanout: number[] = [];

  constructor(label: string) {
    this.label = label;
    this.#delay.enable();
  }

  async profile(): Promise<void> {
    const { Session } = await import('node:inspector/promises');
    this.#session = new Session();
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.#session.post('Profiler.start');
  }

  async finish(): Promise<ProbeResult> {
    const elapsedMs = performance.now() - this.#started;
    this.#delay.disable();
    const busy = performance.eventLoopUtilization(this.#elu).utilization;
    const cpu = process.cpuUsage(this.#cpu);
    let profile: ProfileSummary | undefined;
    if (this.#session) {
      const stopped = await this.#session.post('Profiler.stop');
      this.#session.disconnect();
      profile = summarizeProfile(stopped.profile);
    }
    const delayMs = (ns: number) => round2(Number.isFinite(ns) ? ns / 1e6 : 0);
    const insertMs = this.inserts.reduce((sum, ms) => sum + ms, 0);
    return {
      label: this.label,
      seconds: elapsedMs / 1000,
      serverBusy: busy,
      processCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
      loopDelay: {
        p50Ms: delayMs(this.#delay.percentile(50)),
        p99Ms: delayMs(this.#delay.percentile(99)),
        maxMs: delayMs(this.#delay.max),
      },
      gc: {
        pauses: this.gcPauses.length,
        totalMs: round2(this.gcPauses.reduce((sum, ms) => sum + ms, 0)),
        maxMs: round2(Math.max(0, ...this.gcPauses)),
      },
      inserts: {
        ...summarize(this.inserts),
        rows: this.insertRows,
        rowsPerSecond: insertMs > 0 ? (this.insertRows / insertMs) * 1000 : 0,
        failed: this.insertFailures,
      },
      ingest: { ...summarize(this.ingest), fixes: this.ingestFixes },
      storeSet: summarize(this.storeSet),
      fanoutEmit: {
        ...summarize(this.fanoutEmit),
        entries: this.fanoutEntries,
      },
      acceptToFanout: summarize(this.acceptToFanout),
      profile,
    };
  }
}

async function begin(label: string, profiled: boolean): Promise<Probe> {
  const probe = new Probe(label);
  active = probe;
  if (profiled) await probe.profile();
  return probe;
}

async function end(probe: Promise<Probe>): Promise<ProbeResult> {
  const started = await probe;
  if (active === started) active = undefined;
  return started.finish();
}

/**
 * Wraps, on these objects only, the server calls the probes time: track
 * inserts, tracker ingest, live-store writes and console fan-out.
 */
function instrument(server: DispatchServer): void {
  const db = server.db;
  const query = db.query.bind(db);
  db.query = async <Row extends object>(
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]> => {
    const probe = active;
    if (!probe || !text.startsWith('INSERT INTO unit_track')) {
      return query<Row>(text, params);
    }
    const started = performance.now();
    try {
      const rows = await query<Row>(text, params);
      probe.inserts.push(performance.now() - started);
      probe.insertRows += (params?.[0] as unknown[] | undefined)?.length ?? 0;
      return rows;
    } catch (err) {
      probe.insertFailures++;
      throw err;
    }
  };

  const tracker = server.tracker;
  const ingest = tracker.ingest.bind(tracker);
  tracker.ingest = (unitId, fixes, source) => {
    const probe = active;
    const started = performance.now();
    const results = ingest(unitId, fixes, source);
    if (probe) {
      results.then(
        () => {
          probe.ingest.push(performance.now() - started);
          probe.ingestFixes += fixes.length;
        },
        () => {},
      );
    }
    return results;
  };

  const store = tracker.store;
  const set = store.set.bind(store);
  store.set = async (position) => {
    const probe = active;
    const started = performance.now();
    const written = await set(position);
    probe?.storeSet.push(performance.now() - started);
    return written;
  };

  const bus = server.bus as unknown as {
    emit(event: string, ...args: unknown[]): boolean;
  };
  const emit = bus.emit.bind(bus);
  bus.emit = (event, ...args) => {
    const probe = active;
    if (!probe || event !== 'unit:positions') return emit(event, ...args);
    const batch = args[0] as LivePosition[];
    const now = Date.now();
    for (const position of batch) {
      probe.acceptToFanout.push(now - Date.parse(position.receivedAt));
    }
    const started = performance.now();
    const delivered = emit(event, ...args);
    probe.fanoutEmit.push(performance.now() - started);
    probe.fanoutEntries += batch.length;
    return delivered;
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      active?.gcPauses.push(entry.duration);
  }).observe({ entryTypes: ['gc'] });
}

const REPO_ROOT = new URL('../../', import.meta.url).href;

/** Groups a profile frame: package, repository file, or V8's own. */
function categoryOf(frame: Profiler.ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    return functionName.startsWith('(')
      ? functionName
      : `builtin ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('wasm://')) return 'wasm (PGlite)';
  if (url.startsWith('node:')) {
    const rest = url.slice(5).replace(/^internal\//, '');
    return `node:${rest.split('/')[0]}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 14).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url);
  }
  return url.startsWith(REPO_ROOT) ? url.slice(REPO_ROOT.length) : url;
}

/** Self time and time on the stack per category, in ms. */
function summarizeProfile(profile: Profiler.Profile): ProfileSummary {
  const byId = new Map<number, Profiler.ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const categories = new Map<number, string>();
  const category = (id: number) => {
    let name = categories.get(id);
    if (name === undefined) {
      const node = byId.get(id);
      name = node ? categoryOf(node.callFrame) : '?';
      categories.set(id, name);
    }
    return name;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // A sample lasts until the next one is taken.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const leaf = samples[i] as number;
    const name = category(leaf);
    self.set(name, (self.get(name) ?? 0) + ms);
    const frame = byId.get(leaf)?.callFrame;
    if (frame?.url) {
      // By name and file: tsx's transpiled line numbers do not match.
      const key = `${frame.functionName || '(anonymous)'} (${name.split('/').pop()})`;
      functions.set(key, (functions.get(key) ?? 0) + ms);
    }
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined;) {
      seen.add(category(id));
      id = parentOf.get(id);
    }
    for (const onStack of seen) {
      inclusive.set(onStack, (inclusive.get(onStack) ?? 0) + ms);
    }
  }
  const top = (map: Map<string, number>) =>
    [...map.entries()]
      .filter(([name]) => !['(root)', '(idle)', '(program)'].includes(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 14)
      .map(([name, ms]): [string, number] => [name, round2(ms)]);
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    self: [
      ...top(self),
      ['(idle)', round2(self.get('(idle)') ?? 0)],
      ['(program)', round2(self.get('(program)') ?? 0)],
    ],
    inclusive: top(inclusive),
    functions: top(functions).slice(0, 12),
  };
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const [{ readConfig, startServer }, { createLogger }, { freshPostgres }] =
    await Promise.all([
      import('../../dispatch-server/src/index.ts'),
      import('../../dispatch-server/src/log.ts'),
      import('../../dispatch-server/test/harness.ts'),
    ]);
  const postgres = await freshPostgres();
  const dataDir = postgres
    ? undefined
    : fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-bench-'));
  const redisUrl = process.env.REDIS_URL || undefined;
  // Keys of its own in a shared Redis, unless told otherwise.
  const ownPrefix = process.env.REDIS_PREFIX === undefined;
  const redisPrefix =
    process.env.REDIS_PREFIX ??
    `bench-tracker-${crypto.randomBytes(4).toString('hex')}:`;
  const failures: string[] = [];
  const workers: WorkerClient[] = [];
  let server: DispatchServer | undefined;
  let summary: string;
  try {
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    const startedAt = performance.now();
    server = await startServer(
      readConfig({
        PORT: '0',
        OSMAND_PORT: '0',
        DATA_DIR: dataDir ?? 'memory://',
        DISPATCH_DEMO: 'false',
        DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...(process.env.CITY ? { CITY: process.env.CITY } : {}),
        ...(postgres ? { DATABASE_URL: postgres.url } : {}),
        ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : {}),
      }),
      {
        log: createLogger({ level: process.env.LOG_LEVEL || 'warn' }),
        // The embedded router only, whatever the environment says.
        env: { ...process.env, OSRM_URL: '' },
      },
    );
    summary = await run(
      server,
      {
        where: postgres
          ? `fresh database ${new URL(postgres.url).pathname.slice(1)}`
          : `temporary folder ${dataDir}`,
        startSeconds: (performance.now() - startedAt) / 1000,
        rssBefore,
        redisPrefix,
      },
      workers,
      failures,
    );
  } finally {
    for (const worker of workers) await worker.close();
    await server?.close();
    await postgres?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (redisUrl && ownPrefix) await dropRedisKeys(redisUrl, redisPrefix);
  }
  // Last, after the server is closed: nothing it logs can follow it.
  console.log(summary);
  if (failures.length > 0) {
    console.error(`bench:tracker: ${failures.length} problem(s):`);
    for (const failure of failures.slice(0, 20)) console.error(`  ${failure}`);
    process.exitCode = 1;
  }
}

async function run(
  server: DispatchServer,
  setup: {
    where: string;
    startSeconds: number;
    rssBefore: number;
    redisPrefix: string;
  },
  workers: WorkerClient[],
  failures: string[],
): Promise<string> {
  const fail = (message: string) => failures.push(message);
  const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  const heapMb = () => Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  let rssPeak = 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, mb());
  }, 250);
  sampler.unref();
  const rssStart = mb();
  const loadAtStart = os.loadavg()[0] as number;
  instrument(server);

  // --- Fleet: units over the API; crews and tokens straight in SQL.
  const setupStarted = performance.now();
  const login = await api<{ token: string }>(
    server,
    undefined,
    'POST',
    '/api/auth/login',
    { username: 'admin', password: ADMIN_PASSWORD },
  );
  const adminToken = login.token;
  const random = seeded(20261204);
  const stationPoint = insetPoints(
    server.city.serviceArea,
    SEGMENT_METERS + 200,
    random,
  );
  const plans: UnitPlan[] = Array.from({ length: UNITS }, (_, i) => {
    const station = stationPoint();
    return {
      unitId: 0,
      trackerId: `bench-${String(i + 1).padStart(4, '0')}-${crypto
        .randomBytes(8)
        .toString('hex')}`,
      token: '',
      lat0: station.lat,
      lon0: station.lon,
      bearingDeg: Math.floor(random() * 360),
    };
  });
  await eachLimited(plans, API_CONCURRENCY, async (plan, i) => {
    const callSign = `TRK${String(i + 1).padStart(4, '0')}`;
    const unit = await api<{ id: number }>(
      server,
      adminToken,
      'POST',
      '/api/units',
      {
        callSign,
        capability: i % 2 === 0 ? 'ALS' : 'BLS',
        station: { lat: plan.lat0, lon: plan.lon0 },
        stationName: `Bench station ${callSign}`,
        trackerId: plan.trackerId,
      },
      201,
    );
    plan.unitId = unit.id;
  });
  const unitsSeconds = (performance.now() - setupStarted) / 1000;
  const crewStarted = performance.now();
  await issueCrewTokens(server, plans, 'bench-crew-');
  const crewSeconds = (performance.now() - crewStarted) / 1000;
  const rssSetUp = mb();

  // --- Clients, in their threads.
  const originMs = Date.now();
  const tablets = new WorkerClient(
    {
      role: 'tablets',
      url: server.url,
      osmandUrl: server.osmandUrl ?? null,
      originMs,
      units: plans,
    },
    fail,
  );
  workers.push(tablets);
  const consoleClient = new WorkerClient(
    { role: 'console', url: server.url, token: adminToken },
    fail,
  );
  workers.push(consoleClient);
  const consoleConnect = await consoleClient.call<{ ms: number }>({
    cmd: 'connect',
  });
  const tabletsConnect = await tablets.call<{ ms: number }>({ cmd: 'connect' });
  const rssConnected = mb();
  const heapConnected = heapMb();

  // --- Phase 1: latency at one fix a second per unit.
  const latencyStart = Date.now() + 500;
  const measureFrom = latencyStart + WARMUP_SECONDS * 1000;
  await consoleClient.call({
    cmd: 'open',
    label: 'latency',
    from: latencyStart,
    measureFrom,
    endToEnd: true,
  });
  const latencyProbe = sleepUntil(measureFrom).then(() =>
    begin('latency', PROFILE),
  );
  const latency = await tablets.call<LatencyRun>({
    cmd: 'latency',
    startAt: latencyStart,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
  });
  await sleep(GRACE_MS);
  await consoleClient.call({ cmd: 'shut', label: 'latency' });
  const latencyServer = await end(latencyProbe);
  const rssLatency = mb();

  // --- Phase 2: throughput, batches back to back.
  const writerBefore = server.tracker.trackStats;
  const throughputStart = Date.now() + 500;
  await consoleClient.call({
    cmd: 'open',
    label: 'throughput',
    from: throughputStart,
    measureFrom: throughputStart,
    endToEnd: false,
  });
  const throughputProbe = sleepUntil(throughputStart).then(() =>
    begin('throughput', PROFILE),
  );
  const throughput = await tablets.call<ThroughputRun>({
    cmd: 'throughput',
    startAt: throughputStart,
    seconds: THROUGHPUT_SECONDS,
    batch: BATCH,
    spacingMs: FAST_SPACING_MS,
    rate: RATE,
  });
  const drainStarted = performance.now();
  const queuedAtEnd = server.tracker.trackStats.queued;
  await drained(server);
  const drainMs = performance.now() - drainStarted;
  const throughputServer = await end(throughputProbe);
  const writerAfter = server.tracker.trackStats;
  const persisted = writerAfter.written - writerBefore.written;
  const droppedInPhase = writerAfter.dropped - writerBefore.dropped;
  const persistedPerSecond = Math.round(
    persisted / (throughput.seconds + drainMs / 1000),
  );
  await sleep(GRACE_MS);
  await consoleClient.call({ cmd: 'shut', label: 'throughput' });
  const rssThroughput = mb();

  // --- OsmAnd (Traccar Client) over HTTP keep-alive, one fix a request.
  let osmand: OsmandRun | undefined;
  let osmandServer: ProbeResult | undefined;
  let osmandDrainMs = 0;
  if (OSMAND_SECONDS > 0 && server.osmandUrl) {
    const osmandStart = Date.now() + 300;
    await consoleClient.call({
      cmd: 'open',
      label: 'osmand',
      from: osmandStart,
      measureFrom: osmandStart,
      endToEnd: false,
    });
    const probe = sleepUntil(osmandStart).then(() => begin('osmand', PROFILE));
    osmand = await tablets.call<OsmandRun>({
      cmd: 'osmand',
      startAt: osmandStart,
      seconds: OSMAND_SECONDS,
      clients: OSMAND_CLIENTS,
      spacingMs: FAST_SPACING_MS,
    });
    const started = performance.now();
    await drained(server);
    osmandDrainMs = performance.now() - started;
    osmandServer = await end(probe);
    await sleep(GRACE_MS);
    await consoleClient.call({ cmd: 'shut', label: 'osmand' });
  }
  const consoleReport = await consoleClient.call<ConsoleReport>({
    cmd: 'report',
  });

  // --- Persistence: every accepted fix must be a row.
  const rows = await server.db.query<{ source: string; n: number }>(
    'SELECT source, count(*)::int AS n FROM unit_track GROUP BY source',
  );
  const rowsOf = (source: string) =>
    rows.find((row) => row.source === source)?.n ?? 0;
  const trackRows = rows.reduce((sum, row) => sum + row.n, 0);
  const tabletAccepted = latency.accepted + throughput.accepted;
  const osmandOk = osmand?.ok ?? 0;
  const expectedRows = tabletAccepted + osmandOk;
  const trackStats = server.tracker.trackStats;
  const persistenceOk =
    rowsOf('tablet') === tabletAccepted &&
    rowsOf('osmand') === osmandOk &&
    trackRows === expectedRows &&
    trackStats.dropped === 0;
  const adapter = server.io.of('/console').adapter as unknown as {
    packets?: Array<{ data: unknown[] }>;
  };
  const retainedPackets = adapter.packets?.length ?? 0;
  const retainedEntries = (adapter.packets ?? []).reduce(
    (sum, packet) =>
      sum +
      (packet.data[0] === 'unit:positions' && Array.isArray(packet.data[1])
        ? packet.data[1].length
        : 0),
    0,
  );
  const rssSockets = mb();
  const heapSockets = heapMb();

  // The clients are done: free their threads for the in-process runs.
  for (const worker of workers.splice(0)) await worker.close();
  const inProcess = await runInProcess(server, plans);
  const rssEnd = mb();
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssEnd);

  // --- Checks.
  for (const [name, counts] of [
    ['latency', latency],
    ['throughput', throughput],
  ] as const) {
    if (counts.errors > 0) {
      fail(`${name}: ${counts.errors} errors, first: ${counts.firstError}`);
    }
    if (counts.rejected > 0) {
      fail(
        `${name}: ${counts.rejected} fixes refused ${JSON.stringify(counts.reasons)}`,
      );
    }
  }
  if (osmand && (osmand.errors > 0 || osmand.refused > 0)) {
    fail(
      `osmand: ${osmand.errors} errors, ${osmand.refused} refused, first: ${osmand.firstError}`,
    );
  }
  if (!persistenceOk) {
    fail(
      `unit_track: ${trackRows} rows (tablet ${rowsOf('tablet')}, osmand ${rowsOf('osmand')}), expected ${expectedRows} (tablet ${tabletAccepted}, osmand ${osmandOk}); writer ${JSON.stringify(trackStats)}`,
    );
  }
  if (consoleReport.violations > 0) {
    fail(`console: ${consoleReport.violations} positions out of order`);
  }
  for (const probe of [latencyServer, throughputServer, osmandServer]) {
    if (probe && probe.inserts.failed > 0) {
      fail(`${probe.label}: ${probe.inserts.failed} track inserts failed`);
    }
  }

  // --- Report.
  const windowOf = (label: string) =>
    consoleReport.windows.find((w) => w.label === label);
  const latencyConsole = windowOf('latency');
  const throughputConsole = windowOf('throughput');
  const osmandConsole = windowOf('osmand');
  const fixesPerSecond = Math.round(throughput.accepted / throughput.seconds);
  /** With persistence: what the writer stored counts too. */
  const sustained = Math.min(fixesPerSecond, persistedPerSecond);
  const wholeSeconds = throughput.perSecond.slice(
    0,
    Math.floor(throughput.seconds),
  );
  const p99 = latencyConsole?.latency.p99Ms ?? Infinity;
  const fmt = (t: Summary) =>
    `p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms, max ${t.maxMs} ms`;
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
  const perFixUs = (probe: ProbeResult, fixes: number) =>
    fixes > 0
      ? Math.round(((probe.serverBusy * probe.seconds) / fixes) * 1e6)
      : 0;
  const line = (label: string, text: string) =>
    console.log(`${label.padEnd(21)}${text}`);
  const serverLines = (probe: ProbeResult, fixes: number) => {
    line(
      '  server thread',
      `busy ${pct(probe.serverBusy)} over ${probe.seconds.toFixed(1)} s (${perFixUs(probe, fixes)} µs of it per accepted fix); process CPU ${pct(probe.processCpu)} of one core (server and clients)`,
    );
    line(
      '  event loop delay',
      `p50 ${probe.loopDelay.p50Ms} ms, p99 ${probe.loopDelay.p99Ms} ms, max ${probe.loopDelay.maxMs} ms; GC ${probe.gc.pauses} pauses, ${probe.gc.totalMs} ms, longest ${probe.gc.maxMs} ms`,
    );
    line(
      '  tracker.ingest',
      `${fmt(probe.ingest)} per call (${probe.ingest.n} calls, ${thousands(probe.ingest.fixes)} fixes; includes waiting for the unit's previous batch)`,
    );
    line(
      '  live store set',
      `${fmt(probe.storeSet)} (${server.tracker.store.kind})`,
    );
    line(
      '  accept -> fan-out',
      `${fmt(probe.acceptToFanout)} (receivedAt to the console broadcast: the 50 ms merge)`,
    );
    line(
      '  fan-out emit',
      `${fmt(probe.fanoutEmit)} per batch, synchronous (socket.io encode and write), ${probe.fanoutEmit.n} batches, ${probe.fanoutEmit.n > 0 ? Math.round(probe.fanoutEmit.entries / probe.fanoutEmit.n) : 0} entries each`,
    );
    line(
      '  track inserts',
      `${probe.inserts.n} INSERTs, ${thousands(probe.inserts.rows)} rows, ${fmt(probe.inserts)} each; ${thousands(probe.inserts.rowsPerSecond)} rows/s while inserting`,
    );
    if (probe.profile) printProfile(probe.profile);
  };

  line('city', `${server.city.name} (${server.city.id})`);
  line('storage', `${server.db.kind} (${setup.where})`);
  line(
    'live state',
    server.tracker.store.kind === 'memory'
      ? 'memory (REDIS_URL unset)'
      : `redis (key prefix ${JSON.stringify(setup.redisPrefix)})`,
  );
  line('server start', `${setup.startSeconds.toFixed(2)} s`);
  line(
    'machine',
    `${os.cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at start, ${(os.loadavg()[0] as number).toFixed(1)} at end; clients in 2 worker threads of this process`,
  );
  line(
    'fleet',
    `${UNITS} units via POST /api/units in ${unitsSeconds.toFixed(1)} s; crew users and tokens in SQL in ${crewSeconds.toFixed(2)} s (login skipped on purpose)`,
  );
  line(
    'sockets',
    `${UNITS} tablets (/tablet, websocket) in ${(tabletsConnect.ms / 1000).toFixed(1)} s, 1 console (/console, admin) in ${Math.round(consoleConnect.ms)} ms`,
  );
  line(
    'memory (rss)',
    `${setup.rssBefore} MB before the server, ${rssStart} MB after its start, ${rssSetUp} MB after setup, ${rssConnected} MB connected, ${rssLatency} MB after latency, ${rssThroughput} MB after throughput, ${rssSockets} MB after OsmAnd, ${rssEnd} MB at the end; peak ${rssPeak} MB`,
  );
  line(
    'memory (heap)',
    `server thread's V8 heap: ${heapConnected} MB used once connected, ${heapSockets} MB after the socket phases`,
  );
  console.log('');
  console.log(
    `latency phase: ${UNITS} units, 1 position/s each, ${SECONDS} s measured after ${WARMUP_SECONDS} s of warm-up`,
  );
  if (latencyConsole) {
    line(
      '  ingest -> console',
      `${fmt(latencyConsole.latency)} (${thousands(latencyConsole.latency.n)} entries); goal p99 <= ${GOAL_P99_MS} ms: ${met(p99 <= GOAL_P99_MS)}`,
    );
    if (latencyConsole.sendToConsole) {
      line(
        '  emit -> console',
        `${fmt(latencyConsole.sendToConsole)} (tablet emit to console receipt, transport and parsing included)`,
      );
    }
  }
  line('  emit -> ack', `${fmt(latency.ack)} (tablet's position ack)`);
  line(
    '  fixes',
    `${thousands(latency.sent)} sent, ${thousands(latency.accepted)} accepted, ${latency.rejected} refused, ${latency.errors} errors; console got ${thousands(latencyConsole?.delivered ?? 0)} of them in ${thousands(latencyConsole?.batches ?? 0)} batches`,
  );
  line(
    '  order',
    `${latencyConsole?.violations ?? 0} violations, ${latencyConsole?.duplicates ?? 0} repeats; goal 0: ${met((latencyConsole?.violations ?? 0) === 0)}`,
  );
  line('  tablets thread', `busy ${pct(latency.clientBusy)}`);
  serverLines(latencyServer, latencyServer.ingest.fixes);
  console.log('');
  console.log(
    `throughput phase: ${UNITS} tablets, positions batches of ${BATCH} (device times ${FAST_SPACING_MS} ms apart), one in flight each, ${RATE > 0 ? `paced at ${thousands(RATE)} fixes/s` : 'as fast as acked'}, ${THROUGHPUT_SECONDS} s`,
  );
  line(
    '  accepted',
    `${thousands(fixesPerSecond)} fixes/s sustained over ${throughput.seconds.toFixed(1)} s (each second: min ${thousands(Math.min(...wholeSeconds))}, max ${thousands(Math.max(...wholeSeconds))}); goal >= ${thousands(GOAL_FIXES_PER_SECOND)} with persistence (the lower of accepted and persisted): ${met(sustained >= GOAL_FIXES_PER_SECOND)}`,
  );
  line(
    '  fixes',
    `${thousands(throughput.sent)} sent in ${thousands(throughput.batches)} batches, ${thousands(throughput.accepted)} accepted, ${throughput.rejected} refused, ${throughput.errors} errors; ${throughput.backPressure} batches refused for back-pressure and resent; ${throughput.clockWaits} clock waits`,
  );
  line('  emit -> ack', `${fmt(throughput.ack)} per batch`);
  if (throughputConsole) {
    line(
      '  ingest -> console',
      `${fmt(throughputConsole.latency)} under load (${thousands(throughputConsole.delivered)} entries, merged per unit per batch)`,
    );
  }
  line(
    '  persisted',
    `${thousands(persistedPerSecond)} fixes/s counting the drain (${thousands(persisted)} written, ${thousands(droppedInPhase)} dropped by the writer's queue limit); ${thousands(queuedAtEnd)} queued at the last ack, drained in ${Math.round(drainMs)} ms`,
  );
  line('  tablets thread', `busy ${pct(throughput.clientBusy)}`);
  serverLines(throughputServer, throughputServer.ingest.fixes);
  if (osmand && osmandServer) {
    console.log('');
    console.log(
      `OsmAnd phase: ${OSMAND_CLIENTS} HTTP keep-alive clients, one fix per POST, ${OSMAND_SECONDS} s`,
    );
    line(
      '  reports',
      `${thousands(osmand.ok / osmand.seconds)} fixes/s (${thousands(osmand.requests)} requests, ${osmand.ok} answered 200, ${osmand.refused} refused, ${osmand.errors} errors); ${fmt(osmand.latency)} per request`,
    );
    if (osmandConsole) {
      line(
        '  ingest -> console',
        `${fmt(osmandConsole.latency)} (${thousands(osmandConsole.delivered)} entries)`,
      );
    }
    line(
      '  track writer',
      `drained in ${Math.round(osmandDrainMs)} ms; client thread busy ${pct(osmand.clientBusy)}`,
    );
    serverLines(osmandServer, osmandServer.ingest.fixes);
  }
  console.log('');
  line(
    'persistence',
    `unit_track has ${thousands(trackRows)} rows (tablet ${thousands(rowsOf('tablet'))}, osmand ${thousands(rowsOf('osmand'))}) for ${thousands(expectedRows)} accepted fixes: ${persistenceOk ? 'verified' : 'MISMATCH'}; writer written ${thousands(trackStats.written)}, dropped ${trackStats.dropped}, queued ${trackStats.queued}`,
  );
  line(
    'console order',
    `${thousands(consoleReport.entries)} entries in all, ${consoleReport.violations} out of order, ${consoleReport.duplicates} repeats`,
  );
  line(
    'recovery buffer',
    `/console keeps ${thousands(retainedPackets)} broadcast packets (${thousands(retainedEntries)} position entries) for connection-state recovery`,
  );
  console.log('');
  console.log('in process, no sockets (where the time goes):');
  line(
    '  filter (judgeFix)',
    `${inProcess.filterNs} ns per fix (${thousands(FILTER_RUNS)} fixes)`,
  );
  line(
    '  tracker, no db',
    `${thousands(inProcess.noDb.perSecond)} fixes/s (${thousands(inProcess.noDb.accepted)} accepted in ${inProcess.noDb.seconds.toFixed(1)} s; memory store, writer on a no-op database: ${Math.round(1e6 / inProcess.noDb.perSecond)} µs per fix)`,
  );
  line(
    '  tracker + db',
    `${thousands(inProcess.db.perSecond)} fixes/s ingest, ${thousands(inProcess.db.withDrainPerSecond)} fixes/s counting the drain (${Math.round(inProcess.db.drainMs)} ms); inserts ${thousands(inProcess.probe.inserts.rowsPerSecond)} rows/s, ${fmt(inProcess.probe.inserts)} per INSERT of up to 2,000 rows`,
  );
  // Server-thread time per fix at saturation, split with the in-process
  // figures. PGlite executes on this thread, so its INSERT time counts;
  // PostgreSQL executes elsewhere (this thread only serialises arrays).
  const serverUs = perFixUs(throughputServer, throughputServer.ingest.fixes);
  const pipelineUs = 1e6 / inProcess.noDb.perSecond;
  const insertUs =
    server.db.kind === 'pglite' && throughputServer.inserts.rows > 0
      ? (throughputServer.inserts.meanMs * throughputServer.inserts.n * 1000) /
        throughputServer.inserts.rows
      : 0;
  line(
    RATE > 0 ? '  per fix' : '  per fix, saturated',
    `${serverUs} µs of server thread in the throughput phase ≈ tracker pipeline ${pipelineUs.toFixed(1)} µs (in process, no db) + track INSERT ${server.db.kind === 'pglite' ? `${insertUs.toFixed(1)} µs (PGlite runs on this thread)` : 'off this thread (PostgreSQL)'} + ${(serverUs - pipelineUs - insertUs).toFixed(1)} µs for the rest: socket.io/engine.io/ws decode and acks, fix validation, GC`,
  );
  return JSON.stringify({
    fixesPerSecond,
    ingestToConsole: {
      p50Ms: latencyConsole?.latency.p50Ms ?? null,
      p99Ms: latencyConsole?.latency.p99Ms ?? null,
    },
    rssMb: rssSockets,
    storage: server.db.kind,
    liveStore: server.tracker.store.kind,
    units: UNITS,
    ingestToConsoleMaxMs: latencyConsole?.latency.maxMs ?? null,
    emitToConsole: latencyConsole?.sendToConsole
      ? {
          p50Ms: latencyConsole.sendToConsole.p50Ms,
          p99Ms: latencyConsole.sendToConsole.p99Ms,
        }
      : null,
    orderViolations: consoleReport.violations,
    accepted: tabletAccepted + osmandOk,
    rejected: latency.rejected + throughput.rejected,
    errors: latency.errors + throughput.errors + (osmand?.errors ?? 0),
    backPressure: throughput.backPressure,
    persistedPerSecond,
    dropped: trackStats.dropped,
    rate: RATE,
    drainMs: Math.round(drainMs),
    trackRows,
    persistenceVerified: persistenceOk,
    osmandFixesPerSecond: osmand
      ? Math.round(osmand.ok / osmand.seconds)
      : null,
    rssPeakMb: rssPeak,
    inProcess: {
      filterNs: inProcess.filterNs,
      serverUsPerFix: serverUs,
      trackerNoDbPerSecond: Math.round(inProcess.noDb.perSecond),
      trackerDbPerSecond: Math.round(inProcess.db.withDrainPerSecond),
      insertRowsPerSecond: Math.round(inProcess.probe.inserts.rowsPerSecond),
    },
    goals: {
      fixesPerSecond: sustained >= GOAL_FIXES_PER_SECOND,
      p99: p99 <= GOAL_P99_MS,
      order: consoleReport.violations === 0,
    },
  });
}

function printProfile(profile: ProfileSummary): void {
  const share = (ms: number) =>
    `${((100 * ms) / profile.wallMs).toFixed(1).padStart(5)}%`;
  console.log(
    `  CPU profile of the server thread, ${Math.round(profile.wallMs)} ms (share of wall time):`,
  );
  console.log('    self time                               on the stack');
  const rows = Math.max(profile.self.length, profile.inclusive.length);
  for (let i = 0; i < rows; i++) {
    const self = profile.self[i];
    const onStack = profile.inclusive[i];
    const left = self ? `${share(self[1])} ${self[0]}` : '';
    const right = onStack ? `${share(onStack[1])} ${onStack[0]}` : '';
    console.log(`    ${left.slice(0, 38).padEnd(40)}${right.slice(0, 44)}`);
  }
  console.log('    hot functions (self time):');
  for (const [name, ms] of profile.functions) {
    console.log(`    ${share(ms)} ${name}`);
  }
}

/** Waits for the track writer's queue to empty. */
async function drained(server: DispatchServer): Promise<void> {
  const started = performance.now();
  while (server.tracker.trackStats.queued > 0) {
    if (performance.now() - started > DRAIN_TIMEOUT_MS) {
      throw new Error(
        `track writer not drained in ${DRAIN_TIMEOUT_MS} ms: ${JSON.stringify(server.tracker.trackStats)}`,
      );
    }
    await sleep(5);
  }
}

interface PipelineRun {
  accepted: number;
  rejected: number;
  seconds: number;
  perSecond: number;
  drainMs: number;
  withDrainPerSecond: number;
}

/**
 * The tracker without sockets: the filter alone, then a fresh Tracker
 * (memory store) fed batches for every unit, first with a writer on a
 * database that does nothing, then on the server's database.
 */
async function runInProcess(server: DispatchServer, plans: UnitPlan[]) {
  const {
    DEFAULT_FILTER_LIMITS,
    MemoryLiveStore,
    Tracker,
    TrackWriter,
    judgeFix,
  } = await import('../src/index.ts');

  // The filter, on one unit's fixes a second apart.
  const limits = {
    ...DEFAULT_FILTER_LIMITS,
    serviceArea: server.city.serviceArea,
  };
  const plan = plans[0] as UnitPlan;
  const filterOrigin = Date.now() - 7 * 24 * 3600 * 1000;
  const fixes: Fix[] = Array.from({ length: 10_000 }, (_, i) => {
    const at = filterOrigin + i * 1000;
    const point = pointAt(plan, filterOrigin, at);
    return {
      lat: point.lat,
      lon: point.lon,
      at: new Date(at),
      speedMps: SPEED_MPS,
      headingDeg: point.headingDeg,
      accuracyMeters: ACCURACY_METERS,
    };
  });
  const now = new Date();
  let accepted = 0;
  const filterStarted = performance.now();
  for (let pass = 0; pass < FILTER_RUNS / fixes.length; pass++) {
    const recent = new Set<number>();
    const history = { last: undefined as Fix | undefined, recentTimes: recent };
    for (const fix of fixes) {
      const verdict = judgeFix(fix, history, limits, now);
      if (!verdict.accept) continue;
      accepted++;
      recent.add(fix.at.getTime());
      if (recent.size > 64) recent.delete(fix.at.getTime() - 64_000);
      history.last = fix;
    }
  }
  const filterNs = Math.round(
    ((performance.now() - filterStarted) * 1e6) / FILTER_RUNS,
  );
  if (accepted !== FILTER_RUNS) {
    throw new Error(`filter: ${FILTER_RUNS - accepted} fixes refused`);
  }

  const pipeline = async (
    writer: TrackWriter,
    originMs: number,
    maxFixes: number,
  ): Promise<PipelineRun> => {
    const tracker = new Tracker({
      store: new MemoryLiveStore(),
      writer,
      router: server.routing.emergency,
      log: server.log,
      limits: { serviceArea: server.city.serviceArea },
      hospitals: [],
      on: {
        positions: () => {},
        eta: () => {},
        arrival: () => {},
        stale: () => {},
      },
    });
    const clock = plans.map(() => originMs);
    let taken = 0;
    let refused = 0;
    const started = performance.now();
    while (
      performance.now() - started < IN_PROCESS_SECONDS * 1000 &&
      taken + refused + plans.length * BATCH <= maxFixes
    ) {
      await Promise.all(
        plans.map(async (unit, i) => {
          const batch: Fix[] = [];
          for (let k = 0; k < BATCH; k++) {
            const at = (clock[i] as number) + 1000;
            clock[i] = at;
            const point = pointAt(unit, originMs, at);
            batch.push({
              lat: point.lat,
              lon: point.lon,
              at: new Date(at),
              speedMps: SPEED_MPS,
              headingDeg: point.headingDeg,
              accuracyMeters: ACCURACY_METERS,
            });
          }
          for (const result of await tracker.ingest(
            unit.unitId,
            batch,
            'tablet',
          )) {
            if (result.accepted) taken++;
            else refused++;
          }
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const closing = performance.now();
    await tracker.close();
    const drainMs = performance.now() - closing;
    if (refused > 0) throw new Error(`in process: ${refused} fixes refused`);
    if (writer.stats.written !== taken) {
      throw new Error(
        `in process: ${writer.stats.written} of ${taken} fixes written`,
      );
    }
    return {
      accepted: taken,
      rejected: refused,
      seconds,
      perSecond: taken / seconds,
      drainMs,
      withDrainPerSecond: taken / (seconds + drainMs / 1000),
    };
  };

  const log = server.log;
  const noDb = await pipeline(
    new TrackWriter({ db: { query: async () => undefined }, log }),
    Date.now() - 3 * 24 * 3600 * 1000,
    Infinity,
  );
  const probe = begin('in process', false);
  const db = await pipeline(
    new TrackWriter({ db: server.db, log }),
    Date.now() - 2 * 24 * 3600 * 1000,
    IN_PROCESS_DB_MAX_FIXES,
  );
  return { filterNs, noDb, db, probe: await end(probe) };
}

if (isMainThread) {
  runBench('bench:tracker', main);
} else {
  runWorker(workerData as WorkerData);
}
