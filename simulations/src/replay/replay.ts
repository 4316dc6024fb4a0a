import { setTimeout as delay } from 'node:timers/promises';

import {
  createRouting,
  loadCityPack,
  type CityPlace,
  type LatLon,
} from '@dispatch/routing';
import type { IncidentView, UnitView } from '@dispatch/server';
import { percentile } from '@dispatch/server/policy';
import type { ResponseTimeReport } from '../../../dispatch-server/src/metrics/response-times.ts';
import { connect, eachLimited } from '../../../scripts/bench/kit.ts';

import { generateCalls } from '../demand.ts';
import { sampler } from '../distributions.ts';
import { randomStream } from '../random.ts';
import { loadScenario } from '../scenario/validate.ts';
import type { ReplayOptions } from './args.ts';
import { handleCall } from './caller.ts';
import { isAbort, ReplayClock } from './clock.ts';
import { ConsoleWatch, type ConsoleReport } from './consoles.ts';
import { ReplayError } from './errors.ts';
import { ApiClient } from './http.ts';
import { matchFleet, onDutyAt, runShiftChanges } from './shifts.ts';
import { newStats, recordError, type ReplayStats } from './stats.ts';
import { SimTablet, type TabletSocket } from './tablet.ts';

/** Answer of {@link runReplay}; printed as the last line by the command. */
export interface ReplaySummary {
  url: string;
  scenario: string;
  seed: string;
  speed: number;
  simulatedMinutes: number;
  wallSeconds: number;
  /** Units with a simulated tablet. */
  units: number;
  calls: number;
  incidents: {
    created: number;
    /** Read back from the server at the end. */
    dispatched: number;
    onScene: number;
    closed: number;
    stillOpen: number;
    waitedForUnit: number;
    neverAssigned: number;
    transports: number;
  };
  incidentIds: number[];
  statusReports: number;
  statusRefused: number;
  /** The scenario's shifts as the tablets kept them. */
  shifts: {
    /** Units off shift when the run started (out of service). */
    offAtStart: number;
    /** Crews that went out of service at a shift's end during the run. */
    ended: number;
    /** Of `ended`: after finishing the job in hand. */
    endedAfterJob: number;
    /** Crews that came available at a shift's start. */
    started: number;
    /** Scenario units the server does not have: not replayed. */
    notOnServer: string[];
    /** Server units the scenario does not list: no tablet, never sent. */
    notInScenario: string[];
  };
  /** What the `--consoles` dispatcher consoles received. */
  consoles: ConsoleReport;
  fixes: { sent: number; accepted: number; refused: Record<string, number> };
  requests: { count: number; p50Ms: number | null; p90Ms: number | null };
  /**
   * The server's own response times for this run's incidents, multiplied
   * by the speed: the simulated-clock equivalent.
   */
  simulatedResponse: {
    measured: number;
    p50Seconds: number | null;
    p90Seconds: number | null;
    withinTargetRatio: number | null;
  };
  /** GET /api/metrics/response-times from the run's start, as the server reports it (real clock). */
  serverMetrics: Pick<ResponseTimeReport, 'count' | 'intervals'> | null;
  errors: { count: number; first: string[] };
}

/** Options of {@link runReplay} besides the command line's. */
export interface ReplayHooks {
  /** Where progress lines go; default stdout. */
  log?: (line: string) => void;
  /** Settings for the local router (hospital and home legs). */
  env?: NodeJS.ProcessEnv;
  /**
   * Ends the run early (Ctrl-C): no more calls, no more waiting; the
   * summary is still read back and returned.
   */
  signal?: AbortSignal;
}

/** Real milliseconds between two looks at whether the run is over. */
const POLL_MS = 200;

/**
 * Drives a running dispatch server through its REST API and sockets:
 * a simulated dispatcher takes the scenario's calls of the window at the
 * accelerated clock, simulated tablets (one per unit whose crew can log
 * in) work the assignments and send GPS. Ends when every call is closed
 * or the drain time has passed, and reads the outcome back from the
 * server.
 * @throws ReplayError when the server is unreachable, runs another city,
 *   or refuses the dispatcher's login
 */
export async function runReplay(
  options: ReplayOptions,
  hooks: ReplayHooks = {},
): Promise<ReplaySummary> {
  const started = Date.now();
  const scenario = loadScenario(options.scenario);
  scenario.demand.callsPerHour = scenario.demand.callsPerHour.map(
    (perHour) => perHour * options.demandFactor,
  );
  const city = loadCityPack(scenario.city);
  const latencies: number[] = [];
  const dispatcher = new ApiClient(options.url, latencies);
  const clockLabel = (clock: ReplayClock | undefined) =>
    wallClock(options.startSeconds + (clock?.now() ?? 0));
  let clock: ReplayClock | undefined;
  const print = hooks.log ?? ((line: string) => console.log(line));
  const log = (line: string) => print(`[${clockLabel(clock)}] ${line}`);
  await dispatcher.login(options.dispatcherUser, options.dispatcherPassword);
  const serverCity = await dispatcher.json<{
    id: string;
    hospitals: CityPlace[];
  }>('GET', '/api/city');
  if (serverCity.id !== city.id) {
    throw new ReplayError(
      'REPLAY_SERVER_REFUSED',
      `the server runs city ${serverCity.id}, the scenario is for ${city.id}`,
    );
  }
  const serverUnits = await dispatcher.json<UnitView[]>('GET', '/api/units');
  const windowStart = options.startSeconds;
  const windowSeconds = options.minutes * 60;
  const giveUpAt = windowSeconds + options.drainMinutes * 60;
  // Scenario units are the server's of the same call sign; only those are
  // replayed, each on its scenario shifts.
  const fleet = matchFleet(scenario, city, serverUnits, windowStart, giveUpAt);
  if (fleet.notOnServer.length) {
    print(
      `scenario units the server does not have (not replayed; their calls go to the others): ${fleet.notOnServer.join(', ')}`,
    );
  }
  if (fleet.notInScenario.length) {
    print(
      `server units the scenario does not list (no tablet, never sent): ${fleet.notInScenario.join(', ')}`,
    );
  }
  for (const difference of fleet.differences) print(`note: ${difference}`);
  const units = serverUnits.filter((u) => fleet.duty.has(u.id));
  const consoles = new ConsoleWatch();
  try {
    await consoles.open(options.url, dispatcher.token!, options.consoles);
  } catch (err) {
    consoles.close();
    throw new ReplayError(
      'REPLAY_SERVER_REFUSED',
      `the /console socket refused the dispatcher: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const router = createRouting(city, hooks.env ?? process.env).emergency;
  const stats = newStats();
  const emergencyHospitals = serverCity.hospitals.filter((h) => h.emergency);
  const hospitals: LatLon[] = (
    emergencyHospitals.length ? emergencyHospitals : serverCity.hospitals
  ).map((h) => h.location);
  // The clock starts once the tablets are on line; until then `now()` is 0.
  const tabletClock = new ReplayClock(options.speed);
  const seed = options.seed;
  const tabletContext = {
    clock: tabletClock,
    router,
    hospitals,
    turnout: sampler(
      scenario.times.turnout,
      randomStream(seed, 'replay-turnout'),
    ),
    onScene: sampler(
      scenario.times.onScene,
      randomStream(seed, 'replay-on-scene'),
    ),
    handover: sampler(
      scenario.times.handover,
      randomStream(seed, 'replay-handover'),
    ),
    transportProbability: scenario.times.transportProbability,
    transportDraws: randomStream(seed, 'replay-transport'),
    gpsSeconds: options.gpsSeconds,
    stats,
    log,
    consoles,
  };
  const tablets = new Map<number, SimTablet>();
  const skipped: string[] = [];
  await eachLimited(units, 4, async (unit) => {
    const crew = new ApiClient(options.url, latencies);
    try {
      await crew.login(
        `crew-${unit.callSign.toLowerCase()}`,
        options.crewPassword,
      );
      const socket = (await connect(
        `${options.url}/tablet`,
        crew.token!,
      )) as unknown as TabletSocket;
      const tablet = new SimTablet(tabletContext, unit, socket);
      await tablet.start(onDutyAt(fleet.duty.get(unit.id)!, 0));
      tablets.set(unit.id, tablet);
    } catch (err) {
      skipped.push(
        `${unit.callSign} (${(err as Error).message.split(';')[0]})`,
      );
    }
  });
  if (tablets.size === 0) {
    consoles.close();
    throw new ReplayError(
      'REPLAY_SERVER_REFUSED',
      `no crew could log in: ${skipped.join(', ') || 'the server has no unit of the scenario'}`,
    );
  }
  if (skipped.length) {
    print(`units without a simulated tablet (not sent): ${skipped.join(', ')}`);
  }
  const offAtStart = [...tablets.values()].filter(
    (t) => t.status === 'out_of_service',
  );
  if (offAtStart.length) {
    print(
      `off shift at the start (out of service): ${offAtStart.map((t) => t.unit.callSign).join(', ')}`,
    );
  }
  const days = Math.ceil((windowStart + windowSeconds) / 86_400);
  const calls = generateCalls(scenario, { days, seed }).filter(
    (c) =>
      c.atSeconds >= windowStart && c.atSeconds < windowStart + windowSeconds,
  );
  print(
    `replaying ${calls.length} calls of ${scenario.name} from ${wallClock(windowStart)} ` +
      `for ${options.minutes} simulated minutes at ${options.speed}x on ${options.url}, ` +
      `${tablets.size} tablets`,
  );
  if (options.speed > 3) {
    print(
      `note: at ${options.speed}x a unit seems to move ${options.speed} times faster to the ` +
        `server; run it with TRACKER_MAX_SPEED_MPS=${Math.min(300, Math.ceil(30 * options.speed))} ` +
        'or fixes are refused as implausible jumps',
    );
  }
  clock = new ReplayClock(options.speed);
  Object.assign(tabletContext, { clock });
  const stop = new AbortController();
  hooks.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const shiftChanges = runShiftChanges(
    tablets,
    fleet.duty,
    clock,
    giveUpAt,
    stop.signal,
  );
  const incidentIds: number[] = [];
  const callerContext = {
    api: dispatcher,
    clock,
    drivenUnits: new Set(tablets.keys()),
    callProcessing: sampler(
      scenario.times.callProcessing,
      randomStream(seed, 'replay-call-processing'),
    ),
    retrySeconds: 20,
    giveUpAt,
    stats,
    incidentIds,
    log,
    signal: stop.signal,
  };
  const handling: Promise<void>[] = [];
  try {
    for (const call of calls) {
      await clock.until(call.atSeconds - windowStart, stop.signal);
      handling.push(handleCall(callerContext, call));
    }
  } catch (err) {
    if (!isAbort(err)) throw err;
    print('stopped: no more calls');
  }
  await Promise.all(handling);
  while (
    !stop.signal.aborted &&
    clock.now() < giveUpAt &&
    [...tablets.values()].some((t) => t.busy)
  ) {
    await delay(POLL_MS);
  }
  stop.abort();
  await shiftChanges;
  await Promise.all([...tablets.values()].map((tablet) => tablet.stop()));
  // The last positions batch (every 50 ms at most) reaches the consoles.
  await delay(POLL_MS);
  consoles.close();
  const summary = await summarise({
    options,
    scenarioName: scenario.name,
    dispatcher,
    stats,
    incidentIds,
    units: tablets.size,
    calls: calls.length,
    started,
    latencies,
    targetSeconds: scenario.targetSeconds,
    shifts: {
      offAtStart: offAtStart.length,
      notOnServer: fleet.notOnServer,
      notInScenario: fleet.notInScenario,
    },
    consoles: consoles.report(),
  });
  print(
    `done: ${summary.incidents.created} incidents, ${summary.incidents.dispatched} dispatched, ` +
      `${summary.incidents.onScene} on scene, ${summary.incidents.closed} closed; ` +
      `${summary.fixes.accepted}/${summary.fixes.sent} fixes accepted; ` +
      `${summary.shifts.ended} went off shift, ${summary.shifts.started} on; ` +
      `consoles got ${Object.values(summary.consoles.events).reduce((a, b) => a + b, 0)} events, ` +
      `GPS to console p50 ${summary.consoles.positionLatency.p50Ms} ms; ` +
      `response p50 ${summary.simulatedResponse.p50Seconds ?? '–'} s (simulated clock); ` +
      `${summary.errors.count} errors in ${summary.wallSeconds} s`,
  );
  return summary;
}

async function summarise(input: {
  options: ReplayOptions;
  scenarioName: string;
  dispatcher: ApiClient;
  stats: ReplayStats;
  incidentIds: number[];
  units: number;
  calls: number;
  started: number;
  latencies: number[];
  targetSeconds: number;
  shifts: Pick<
    ReplaySummary['shifts'],
    'offAtStart' | 'notOnServer' | 'notInScenario'
  >;
  consoles: ConsoleReport;
}): Promise<ReplaySummary> {
  const { options, dispatcher, stats, incidentIds } = input;
  const incidents: IncidentView[] = [];
  for (const id of incidentIds) {
    try {
      incidents.push(
        await dispatcher.json<IncidentView>('GET', `/api/incidents/${id}`),
      );
    } catch (err) {
      recordError(stats, `read incident ${id}: ${(err as Error).message}`);
    }
  }
  const reached = (phase: string) =>
    incidents.filter((i) => i.timeline.some((e) => e.phase === phase)).length;
  const responses = incidents
    .map((i) => i.intervals.response)
    .filter((v): v is number => v !== null)
    .map((v) => v * options.speed);
  let serverMetrics: ReplaySummary['serverMetrics'] = null;
  try {
    const report = await dispatcher.json<ResponseTimeReport>(
      'GET',
      `/api/metrics/response-times?from=${encodeURIComponent(new Date(input.started).toISOString())}`,
    );
    serverMetrics = { count: report.count, intervals: report.intervals };
  } catch (err) {
    recordError(stats, `metrics: ${(err as Error).message}`);
  }
  const round = (v: number | null) =>
    v === null ? null : Math.round(v * 10) / 10;
  return {
    url: options.url,
    scenario: input.scenarioName,
    seed: options.seed,
    speed: options.speed,
    simulatedMinutes: options.minutes,
    wallSeconds: Math.round((Date.now() - input.started) / 100) / 10,
    units: input.units,
    calls: input.calls,
    incidents: {
      created: stats.incidentsCreated,
      dispatched: reached('dispatched'),
      onScene: reached('on_scene'),
      closed: reached('closed'),
      stillOpen: incidents.filter((i) => i.open).length,
      waitedForUnit: stats.waitedForUnit,
      neverAssigned: stats.neverAssigned,
      transports: stats.transports,
    },
    incidentIds,
    statusReports: stats.statusReports,
    statusRefused: stats.statusRefused,
    shifts: {
      ...input.shifts,
      ended: stats.shiftsEnded,
      endedAfterJob: stats.offAfterJob,
      started: stats.shiftsStarted,
    },
    consoles: input.consoles,
    fixes: {
      sent: stats.fixesSent,
      accepted: stats.fixesAccepted,
      refused: stats.fixesRefused,
    },
    requests: {
      count: input.latencies.length,
      p50Ms: round(percentile(input.latencies, 0.5)),
      p90Ms: round(percentile(input.latencies, 0.9)),
    },
    simulatedResponse: {
      measured: responses.length,
      p50Seconds: round(percentile(responses, 0.5)),
      p90Seconds: round(percentile(responses, 0.9)),
      withinTargetRatio:
        responses.length === 0
          ? null
          : responses.filter((v) => v <= input.targetSeconds).length /
            responses.length,
    },
    serverMetrics,
    errors: { count: stats.errorCount, first: stats.errors },
  };
}

/** Seconds since midnight as HH:MM:SS (days wrap). */
function wallClock(seconds: number): string {
  const s = Math.floor(seconds) % 86_400;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}
