/**
 * Crash safety: a write acknowledged to a client (a 2xx answer) was
 * committed before the answer, so it survives the server process being
 * killed abruptly. The real server runs as a child process (PGlite on disk
 * in a temporary folder, or a fresh PostgreSQL database when
 * `DATABASE_URL` is set); a stream of intakes, assignments, unit status
 * reports and GPS fixes runs against it, the process is killed with
 * SIGKILL in the middle of the stream, restarted on the same storage, and
 * every acknowledged write is looked up over the API: present exactly
 * once. Writes in flight at the kill were not acknowledged, so either
 * outcome is fine for them, but never twice.
 *
 * GPS fixes too: the track is written in batches every 200 ms, and a
 * fix is acknowledged only once its batch is stored, so every
 * acknowledged fix is in `unit_track`, once.
 *
 * After the restart, open incidents keep their phase times (so their
 * timers go on from the same instants), and a console and a tablet that
 * were connected reconnect by themselves and load a snapshot equal to
 * the server's state.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { IncidentView } from '../src/incidents/views.ts';
import type { StatusResult, UnitView } from '../src/units/views.ts';
import pg from 'pg';

import { PgliteDatabase } from '../src/storage/pglite.ts';
import { freshPostgres } from './harness.ts';
import {
  connect,
  DISPATCHER,
  eventually,
  type Answer,
  freePort,
  login,
  request,
  ServerProcess,
  serverEnv,
  sleep,
  waitHealthy,
} from './processes.ts';

const ADMIN_PASSWORD = 'crash-test-admin-password';
/** The stream runs at least this long before the kill... */
const MIN_STREAM_MS = 4_000;
/** ...and until this many writes of each kind are acknowledged. */
const MIN_ACKNOWLEDGED = {
  total: 20,
  incidents: 5,
  assignments: 3,
  statuses: 5,
  fixes: 50,
};
const MAX_STREAM_MS = 60_000;

/** The demo city's streets (inside its service area). */
const AREA = { minLat: -30.08, maxLat: -30.0, minLon: -51.23, maxLon: -51.15 };

/** The phases a crew reports after an assignment, in order. */
const CREW_STEPS = ['en_route', 'on_scene', 'available'] as const;
type CrewStatus = (typeof CREW_STEPS)[number];

/** Runs `work` on every item, at most `limit` at a time, in order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

interface Assignment {
  incidentId: number;
  unitId: number;
}

interface StatusReport {
  unitId: number;
  incidentId: number;
  status: CrewStatus;
  eventId: string;
}

interface AckedFix {
  unitId: number;
  at: string;
}

/** A unit's state as its last acknowledged write left it. */
interface UnitState {
  status: string;
  incidentId: number | null;
}

/** What the stream sent and what the server acknowledged. */
class Ledger {
  /** Acknowledged intakes, as answered. */
  readonly incidents = new Map<number, IncidentView>();
  /** Intakes sent without a complete answer. */
  intakesInDoubt = 0;
  readonly assignments: Assignment[] = [];
  readonly assignmentsInDoubt: Assignment[] = [];
  readonly statuses: StatusReport[] = [];
  readonly statusesInDoubt: StatusReport[] = [];
  /** Per unit: its state after its last write, or in doubt. */
  readonly units = new Map<number, UnitState | 'in-doubt'>();
  /** GPS fixes the server accepted, with when the answer came. */
  readonly fixes: AckedFix[] = [];
  /** Dispatched times as the assignment answers gave them. */
  readonly dispatchedAt = new Map<string, string>();
  /** Answers that should not happen while the server runs. */
  readonly unexpected: string[] = [];
  inFlight = 0;

  get acknowledged(): number {
    return this.incidents.size + this.assignments.length + this.statuses.length;
  }

  enough(): boolean {
    return (
      this.acknowledged >= MIN_ACKNOWLEDGED.total &&
      this.incidents.size >= MIN_ACKNOWLEDGED.incidents &&
      this.assignments.length >= MIN_ACKNOWLEDGED.assignments &&
      this.statuses.length >= MIN_ACKNOWLEDGED.statuses &&
      this.fixes.length >= MIN_ACKNOWLEDGED.fixes
    );
  }
}

/**
 * The write stream: intake loops take calls, dispatcher loops assign
 * available units to them, crew loops move assigned units through their
 * phases (some units stay on scene or en route, so some incidents stay
 * open). Each unit has at most one write in flight at a time, so the
 * order of its acknowledgements is the order of its commits.
 */
function startStream(
  base: string,
  token: string,
  gpsToken: string,
  ledger: Ledger,
  units: UnitView[],
  runId: string,
) {
  let stopped = false;
  let killed = false;
  let intakeCount = 0;
  let eventCount = 0;
  /** Acknowledged incidents waiting for a unit. */
  const queued: number[] = [];
  /** Units no loop is writing for, available after their last write. */
  const free = new Set(
    units.filter((u) => u.status === 'available').map((u) => u.id),
  );
  /** Assigned units and the next phase their crew reports. */
  const working: (Assignment & { step: number })[] = [];
  let parked = 0;
  const maxParked = Math.floor(units.length / 4);

  /** One write; undefined when its outcome is unknown. */
  const send = async <T>(
    method: string,
    urlPath: string,
    body?: unknown,
  ): Promise<Answer<T> | undefined> => {
    ledger.inFlight++;
    try {
      return await request<T>(base, method, urlPath, { token, body });
    } catch (err) {
      if (!killed) {
        ledger.unexpected.push(
          `${method} ${urlPath} failed before the kill: ${String((err as Error).cause ?? err)}`,
        );
      }
      return undefined;
    } finally {
      ledger.inFlight--;
    }
  };
  const refused = (what: string, answer: Answer<unknown>) =>
    ledger.unexpected.push(
      `${what}: ${answer.status} ${JSON.stringify(answer.body)}`,
    );

  const intake = async () => {
    while (!stopped) {
      const n = ++intakeCount;
      const answer = await send<IncidentView>('POST', '/api/incidents', {
        location: {
          lat: AREA.minLat + Math.random() * (AREA.maxLat - AREA.minLat),
          lon: AREA.minLon + Math.random() * (AREA.maxLon - AREA.minLon),
        },
        priority: 1 + (n % 3),
        complaint: `crash test ${runId} call ${n}`,
      });
      if (!answer) {
        ledger.intakesInDoubt++;
        return;
      }
      if (answer.status !== 201) {
        refused('intake', answer);
        continue;
      }
      ledger.incidents.set(answer.body.id, answer.body);
      queued.push(answer.body.id);
    }
  };

  const dispatcher = async () => {
    while (!stopped) {
      const incidentId = queued.shift();
      if (incidentId === undefined) {
        await sleep(10);
        continue;
      }
      const list = await send<UnitView[]>('GET', '/api/units');
      if (!list) return;
      if (list.status !== 200) {
        refused('list units', list);
        queued.unshift(incidentId);
        continue;
      }
      const candidates = list.body.filter(
        (u) => u.status === 'available' && free.has(u.id),
      );
      const unit = candidates[Math.floor(Math.random() * candidates.length)];
      if (!unit) {
        queued.unshift(incidentId);
        await sleep(20);
        continue;
      }
      free.delete(unit.id);
      const assignment = { incidentId, unitId: unit.id };
      const answer = await send<{ unit: UnitView; incident: IncidentView }>(
        'POST',
        `/api/incidents/${incidentId}/assign`,
        { unitId: unit.id },
      );
      if (!answer) {
        ledger.assignmentsInDoubt.push(assignment);
        ledger.units.set(unit.id, 'in-doubt');
        return;
      }
      if (answer.status !== 200) {
        refused(`assign unit ${unit.id} to ${incidentId}`, answer);
        free.add(unit.id);
        queued.unshift(incidentId);
        continue;
      }
      ledger.assignments.push(assignment);
      const dispatched = answer.body.incident.timeline.find(
        (e) => e.phase === 'dispatched' && e.unitId === unit.id,
      );
      if (dispatched) {
        ledger.dispatchedAt.set(`${incidentId}:${unit.id}`, dispatched.at);
      }
      ledger.units.set(unit.id, {
        status: answer.body.unit.status,
        incidentId: answer.body.unit.incidentId,
      });
      working.push({ ...assignment, step: 0 });
    }
  };

  const crew = async () => {
    while (!stopped) {
      const job = working.shift();
      if (!job) {
        await sleep(10);
        continue;
      }
      const report: StatusReport = {
        unitId: job.unitId,
        incidentId: job.incidentId,
        status: CREW_STEPS[job.step] as CrewStatus,
        eventId: `crash-${runId}-${++eventCount}`,
      };
      const answer = await send<StatusResult>(
        'POST',
        `/api/units/${job.unitId}/status`,
        { status: report.status, eventId: report.eventId },
      );
      if (!answer) {
        ledger.statusesInDoubt.push(report);
        ledger.units.set(job.unitId, 'in-doubt');
        return;
      }
      if (answer.status !== 200 || answer.body.duplicate !== false) {
        refused(`unit ${job.unitId} ${report.status}`, answer);
        continue;
      }
      ledger.statuses.push(report);
      ledger.units.set(job.unitId, {
        status: answer.body.unit.status,
        incidentId: answer.body.unit.incidentId,
      });
      if (report.status === 'available') {
        free.add(job.unitId);
      } else if (parked < maxParked && Math.random() < 0.2) {
        parked++; // stays on its incident: the incident stays open
      } else {
        working.push({ ...job, step: job.step + 1 });
      }
    }
  };

  // GPS as a gateway sends it: small moves around each station, device
  // time now (so never implausibly fast, never a duplicate time).
  const gps = async () => {
    let turn = 0;
    while (!stopped) {
      const unit = units[turn++ % units.length] as UnitView;
      const fixes = [0, 1].map((i) => ({
        lat: unit.station.lat + (Math.random() - 0.5) * 1e-4,
        lon: unit.station.lon + (Math.random() - 0.5) * 1e-4,
        at: new Date(Date.now() - 1 + i).toISOString(),
        speedMps: 3,
      }));
      ledger.inFlight++;
      let answer: Answer<{ results: { accepted: boolean }[] }>;
      try {
        answer = await request(
          base,
          'POST',
          `/api/units/${unit.id}/positions`,
          {
            token: gpsToken,
            body: { fixes },
          },
        );
      } catch (err) {
        if (!killed) {
          ledger.unexpected.push(`gps failed before the kill: ${String(err)}`);
        }
        return;
      } finally {
        ledger.inFlight--;
      }
      if (answer.status !== 200) {
        refused(`gps unit ${unit.id}`, answer);
        continue;
      }
      answer.body.results.forEach((result, i) => {
        if (result.accepted) {
          ledger.fixes.push({ unitId: unit.id, at: fixes[i]!.at });
        }
      });
      await sleep(5);
    }
  };

  const loops = [intake, intake, dispatcher, dispatcher, crew, crew, crew, gps];
  const done = Promise.all(loops.map((loop) => loop())).then(() => {});
  return {
    done,
    /** Marks what follows as the kill's fallout and stops the loops. */
    kill() {
      killed = true;
      stopped = true;
    },
  };
}

/** `phase:unitId` keys of a timeline, with how often each occurs. */
function countEvents(incident: IncidentView): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of incident.timeline) {
    const key = `${event.phase}:${event.unitId ?? '-'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Every row of `unit_track`, from PostgreSQL or the PGlite folder. */
async function readTrack(
  postgresUrl: string | undefined,
  dataDir: string | undefined,
): Promise<{ unit_id: number; at: string | Date }[]> {
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      return (await client.query('SELECT unit_id, at FROM unit_track')).rows;
    } finally {
      await client.end();
    }
  }
  // The server is gone: its folder is ours to open.
  const db = await PgliteDatabase.open(path.join(dataDir!, 'pglite'));
  try {
    return await db.query('SELECT unit_id, at FROM unit_track');
  } finally {
    await db.close();
  }
}

describe('crash safety', () => {
  let server: ServerProcess | undefined;
  let postgres: Awaited<ReturnType<typeof freshPostgres>>;
  let dataDir: string | undefined;
  const killOnExit = () => server?.killNow();
  process.once('exit', killOnExit);

  afterAll(async () => {
    process.removeListener('exit', killOnExit);
    await server?.kill();
    await postgres?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write, exactly once, across a SIGKILL', async () => {
    postgres = await freshPostgres();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = serverEnv(port, { DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD });
    // With Redis (as CI runs it), live state of this run's own.
    if (env.REDIS_URL)
      env.REDIS_PREFIX = `crash-${crypto.randomBytes(4).toString('hex')}:`;
    if (postgres) {
      env.DATABASE_URL = postgres.url;
      delete env.DATA_DIR;
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-crash-'));
      env.DATA_DIR = dataDir;
      delete env.DATABASE_URL;
    }

    server = new ServerProcess(env);
    await waitHealthy(base, server);
    const token = await login(base, DISPATCHER.username, DISPATCHER.password);
    const fleet = await request<UnitView[]>(base, 'GET', '/api/units', {
      token,
    });
    expect(fleet.status).toBe(200);
    expect(fleet.body.length).toBeGreaterThanOrEqual(4);
    const gateway = await login(base, 'admin', ADMIN_PASSWORD);

    // A console and a crew tablet that reconnect by themselves, as the
    // real ones do, through the kill and the restart.
    const consoleSocket = await connect(base, '/console', token, {
      reconnect: true,
    });
    const tabletUnit = fleet.body[0] as UnitView;
    const crewToken = await login(
      base,
      `crew-${tabletUnit.callSign.toLowerCase()}`,
      'crew-demo-pass',
    );
    const tabletSocket = await connect(base, '/tablet', crewToken, {
      reconnect: true,
    });
    const reconnects = { console: 0, tablet: 0 };
    consoleSocket.io.on('reconnect', () => reconnects.console++);
    tabletSocket.io.on('reconnect', () => reconnects.tablet++);

    // The stream, and the kill in the middle of it.
    const ledger = new Ledger();
    const runId = crypto.randomBytes(4).toString('hex');
    const stream = startStream(base, token, gateway, ledger, fleet.body, runId);
    const started = Date.now();
    while (
      (Date.now() - started < MIN_STREAM_MS || !ledger.enough()) &&
      Date.now() - started < MAX_STREAM_MS &&
      ledger.unexpected.length === 0
    ) {
      await sleep(50);
    }
    await sleep(Math.random() * 300);
    const atKill = {
      acknowledged: ledger.acknowledged,
      incidents: ledger.incidents.size,
      assignments: ledger.assignments.length,
      statuses: ledger.statuses.length,
      fixes: ledger.fixes.length,
      inFlight: ledger.inFlight,
    };
    stream.kill();
    await server.kill();
    await stream.done;
    expect(ledger.unexpected).toEqual([]);
    expect(atKill.acknowledged).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED.total);
    expect(atKill.incidents).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED.incidents);
    expect(atKill.assignments).toBeGreaterThanOrEqual(
      MIN_ACKNOWLEDGED.assignments,
    );
    expect(atKill.statuses).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED.statuses);
    expect(atKill.fixes).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED.fixes);

    // Same storage, same settings: the server must come back.
    server = new ServerProcess(env);
    await waitHealthy(base, server);
    const dispatcher = await login(
      base,
      DISPATCHER.username,
      DISPATCHER.password,
    );
    const admin = await login(base, 'admin', ADMIN_PASSWORD);
    const api = <T>(method: string, urlPath: string, body?: unknown) =>
      request<T>(base, method, urlPath, { token: dispatcher, body });

    // A tablet that got no answer sends again with the same eventId:
    // applied now, or found applied before; either way once.
    for (const report of ledger.statusesInDoubt) {
      const answer = await api<StatusResult>(
        'POST',
        `/api/units/${report.unitId}/status`,
        { status: report.status, eventId: report.eventId },
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      ledger.statuses.push(report);
      ledger.units.set(report.unitId, {
        status: answer.body.unit.status,
        incidentId: answer.body.unit.incidentId,
      });
    }

    // Every acknowledged incident exists, exactly once, as answered.
    const all = await api<IncidentView[]>('GET', '/api/incidents?limit=5000');
    expect(all.status).toBe(200);
    const seen = new Map<number, number>();
    for (const incident of all.body) {
      seen.set(incident.id, (seen.get(incident.id) ?? 0) + 1);
    }
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    const missing = [...ledger.incidents.keys()].filter((id) => !seen.has(id));
    expect(missing, 'acknowledged incidents lost').toEqual([]);
    expect(all.body.length).toBeLessThanOrEqual(
      ledger.incidents.size + ledger.intakesInDoubt,
    );

    // Each incident's timeline holds exactly the acknowledged phases,
    // once each; a write in doubt at the kill at most once.
    const must = new Map<number, Map<string, number>>();
    const may = new Map<number, Set<string>>();
    const add = (id: number, key: string) => {
      const keys = must.get(id) ?? new Map<string, number>();
      keys.set(key, (keys.get(key) ?? 0) + 1);
      must.set(id, keys);
    };
    for (const id of ledger.incidents.keys()) add(id, 'received:-');
    for (const { incidentId, unitId } of ledger.assignments) {
      add(incidentId, `dispatched:${unitId}`);
    }
    for (const { incidentId, unitId } of ledger.assignmentsInDoubt) {
      may.set(
        incidentId,
        (may.get(incidentId) ?? new Set()).add(`dispatched:${unitId}`),
      );
    }
    for (const { incidentId, unitId, status } of ledger.statuses) {
      add(
        incidentId,
        status === 'available' ? 'closed:-' : `${status}:${unitId}`,
      );
    }
    const closed = new Set(
      ledger.statuses
        .filter((s) => s.status === 'available')
        .map((s) => s.incidentId),
    );
    const incidents = new Map<number, IncidentView>();
    await mapLimit([...ledger.incidents.values()], 8, async (acked) => {
      const answer = await api<IncidentView>(
        'GET',
        `/api/incidents/${acked.id}`,
      );
      expect(answer.status, `incident ${acked.id}`).toBe(200);
      const incident = answer.body;
      incidents.set(incident.id, incident);
      expect({
        id: incident.id,
        location: incident.location,
        priority: incident.priority,
        complaint: incident.complaint,
        receivedAt: incident.receivedAt,
      }).toEqual({
        id: acked.id,
        location: acked.location,
        priority: acked.priority,
        complaint: acked.complaint,
        receivedAt: acked.receivedAt,
      });
      const counts = countEvents(incident);
      const expected = must.get(incident.id) ?? new Map<string, number>();
      const optional = may.get(incident.id) ?? new Set<string>();
      for (const [key, n] of counts) {
        const want = expected.get(key);
        const timeline = JSON.stringify(incident.timeline);
        if (want !== undefined) {
          expect(n, `incident ${incident.id} ${key}: ${timeline}`).toBe(want);
        } else {
          expect(optional.has(key), `incident ${incident.id} ${key}`).toBe(
            true,
          );
          expect(n, `incident ${incident.id} ${key}: ${timeline}`).toBe(1);
        }
      }
      for (const key of expected.keys()) {
        expect(counts.has(key), `incident ${incident.id} lost ${key}`).toBe(
          true,
        );
      }
      expect(incident.open, `incident ${incident.id} open`).toBe(
        !closed.has(incident.id),
      );
    });

    // Sending an acknowledged report again changes nothing.
    await mapLimit(ledger.statuses, 4, async (report) => {
      const answer = await api<StatusResult>(
        'POST',
        `/api/units/${report.unitId}/status`,
        { status: report.status, eventId: report.eventId },
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.duplicate, report.eventId).toBe(true);
    });
    const audit = await request<
      { action: string; details: Record<string, unknown> | string }[]
    >(base, 'GET', '/api/audit?limit=5000', { token: admin });
    expect(audit.status).toBe(200);
    expect(audit.body.length).toBeLessThan(5000);
    const applied = new Map<string, number>();
    for (const row of audit.body) {
      if (row.action !== 'unit.status') continue;
      const details =
        typeof row.details === 'string'
          ? (JSON.parse(row.details) as Record<string, unknown>)
          : row.details;
      const eventId = String(details.eventId);
      applied.set(eventId, (applied.get(eventId) ?? 0) + 1);
    }
    for (const report of ledger.statuses) {
      expect(applied.get(report.eventId), report.eventId).toBe(1);
    }
    expect(
      [...applied.keys()].filter((id) => id.startsWith(`crash-${runId}-`)),
    ).toHaveLength(ledger.statuses.length);

    // Units are where their last acknowledged write left them.
    const unitsNow = await api<UnitView[]>('GET', '/api/units');
    expect(unitsNow.status).toBe(200);
    for (const unit of unitsNow.body) {
      const state = ledger.units.get(unit.id);
      const now = { status: unit.status, incidentId: unit.incidentId };
      if (state === undefined) {
        expect(now, `unit ${unit.id}`).toEqual({
          status: 'available',
          incidentId: null,
        });
      } else if (state === 'in-doubt') {
        const doubt = ledger.assignmentsInDoubt.find(
          (a) => a.unitId === unit.id,
        );
        expect(doubt, `unit ${unit.id} in doubt`).toBeDefined();
        expect([
          { status: 'available', incidentId: null },
          { status: 'dispatched', incidentId: doubt?.incidentId },
        ]).toContainEqual(now);
      } else {
        expect(now, `unit ${unit.id}`).toEqual(state);
      }
    }

    // Open incidents are still on the board, received when they were.
    const open = await api<IncidentView[]>(
      'GET',
      '/api/incidents?open=true&limit=5000',
    );
    expect(open.status).toBe(200);
    const board = new Map(open.body.map((i) => [i.id, i]));
    for (const acked of ledger.incidents.values()) {
      if (closed.has(acked.id)) {
        expect(board.has(acked.id), `closed ${acked.id} on board`).toBe(false);
      } else {
        expect(board.get(acked.id)?.receivedAt, `open ${acked.id}`).toBe(
          acked.receivedAt,
        );
      }
    }

    // Their timers go on from the same instants: every acknowledged
    // dispatch time is as answered, and the intervals follow from them.
    for (const [key, at] of ledger.dispatchedAt) {
      const [incidentId, unitId] = key.split(':').map(Number);
      const incident = incidents.get(incidentId as number);
      const event = incident?.timeline.find(
        (e) => e.phase === 'dispatched' && e.unitId === unitId,
      );
      expect(event?.at, `dispatched ${key}`).toBe(at);
    }
    for (const incident of incidents.values()) {
      const dispatched = incident.timeline.find(
        (e) => e.phase === 'dispatched',
      );
      if (!dispatched) continue;
      expect(incident.intervals.callProcessing, `incident ${incident.id}`).toBe(
        (Date.parse(dispatched.at) - Date.parse(incident.receivedAt)) / 1000,
      );
    }

    // The console and the tablet came back by themselves; their snapshot
    // after the reconnect is the server's state.
    await eventually('console and tablet reconnected', () =>
      reconnects.console > 0 &&
      reconnects.tablet > 0 &&
      consoleSocket.connected &&
      tabletSocket.connected
        ? true
        : undefined,
    );
    const snapshot = (await consoleSocket
      .timeout(10_000)
      .emitWithAck('snapshot')) as {
      ok: boolean;
      incidents: IncidentView[];
      units: UnitView[];
    };
    expect(snapshot.ok).toBe(true);
    const openNow = await api<IncidentView[]>(
      'GET',
      '/api/incidents?open=true&limit=5000',
    );
    const summary = (list: IncidentView[]) =>
      list
        .map((i) => ({
          id: i.id,
          phase: i.phase,
          unitIds: i.unitIds,
          receivedAt: i.receivedAt,
          timeline: i.timeline.map((e) => `${e.phase}@${e.at}:${e.unitId}`),
        }))
        .sort((a, b) => a.id - b.id);
    expect(summary(snapshot.incidents)).toEqual(summary(openNow.body));
    const unitsAgain = await api<UnitView[]>('GET', '/api/units');
    const unitSummary = (list: UnitView[]) =>
      list
        .map((u) => ({ id: u.id, status: u.status, incidentId: u.incidentId }))
        .sort((a, b) => a.id - b.id);
    expect(unitSummary(snapshot.units)).toEqual(unitSummary(unitsAgain.body));
    const tabletView = (await tabletSocket
      .timeout(10_000)
      .emitWithAck('snapshot')) as { ok: boolean; unit: UnitView };
    expect(tabletView.ok).toBe(true);
    expect(unitSummary([tabletView.unit])).toEqual(
      unitSummary(unitsAgain.body.filter((u) => u.id === tabletUnit.id)),
    );
    consoleSocket.disconnect();
    tabletSocket.disconnect();

    // And it takes calls again.
    const call = await api<IncidentView>('POST', '/api/incidents', {
      location: { lat: -30.03, lon: -51.2 },
      priority: 1,
      complaint: `crash test ${runId} after restart`,
    });
    expect(call.status, JSON.stringify(call.body)).toBe(201);
    const stored = await api<IncidentView>(
      'GET',
      `/api/incidents/${call.body.id}`,
    );
    expect(stored.status).toBe(200);
    expect(stored.body.receivedAt).toBe(call.body.receivedAt);
    expect(stored.body.open).toBe(true);

    // GPS: every acknowledged fix is in the track, once.
    expect(ledger.fixes.length).toBeGreaterThan(0);
    await server.kill();
    server = undefined;
    const rows = await readTrack(postgres?.url, dataDir);
    const inTrack = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.unit_id}@${new Date(row.at).toISOString()}`;
      inTrack.set(key, (inTrack.get(key) ?? 0) + 1);
    }
    expect([...inTrack.values()].filter((n) => n !== 1)).toEqual([]);
    const lost = ledger.fixes.filter(
      (fix) => !inTrack.has(`${fix.unitId}@${fix.at}`),
    );
    expect(lost, 'acknowledged fixes lost from the track').toEqual([]);

    console.log(
      `crash test on ${postgres ? 'PostgreSQL' : 'PGlite'}: ` +
        `at the kill ${atKill.acknowledged} writes acknowledged ` +
        `(${atKill.incidents} intakes, ${atKill.assignments} assignments, ` +
        `${atKill.statuses} status reports) and ${atKill.inFlight} in ` +
        `flight; in doubt: ${ledger.intakesInDoubt} intakes, ` +
        `${ledger.assignmentsInDoubt.length} assignments, ` +
        `${ledger.statusesInDoubt.length} status reports (re-sent); ` +
        `${ledger.fixes.length} GPS fixes acknowledged, all in the track; ` +
        `${all.body.length} incidents stored, ${closed.size} closed`,
    );
  }, 360_000);
});
