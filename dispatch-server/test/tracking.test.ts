/**
 * The unit tracker inside the dispatch server, end to end on a real
 * server: HTTP batches judged fix by fix, the track in PostGIS, merged
 * console fan-out, ETA updates, arrival from GPS (recorded, or offered to
 * the crew), stale units, and the live state in Redis when configured.
 */
import crypto from 'node:crypto';

import { createClient } from 'redis';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readConfig } from '../src/index.ts';
import {
  ADMIN_PASSWORD,
  DOWNTOWN,
  startTestServer,
  type TestServer,
} from './harness.ts';

interface Point {
  lat: number;
  lon: number;
}

interface SentFix extends Point {
  at: string;
  speedMps?: number;
  headingDeg?: number;
  accuracyMeters?: number;
  altitudeMeters?: number;
  batteryPercent?: number;
}

interface Position extends Point {
  unitId: number;
  at: string;
}

interface EtaUpdate {
  unitId: number;
  incidentId: number;
  etaSeconds: number | null;
  at: string;
}

interface PhaseEvent {
  phase: string;
  source: string;
  unitId: number | null;
  at: string;
}

/** The live-state keys in Redis (see unit-tracker/src/live-store.ts). */
const GEO_KEY = 'dispatch:positions:geo';
const RECORDS_KEY = 'dispatch:positions';

/**
 * A Redis key prefix of this file's own for one server (`REDIS_PREFIX`),
 * and the prefix the server's configuration makes of it: none on a
 * server that does not read `REDIS_PREFIX`, whose keys are shared.
 */
function redisSpace(name: string) {
  const env = {
    REDIS_PREFIX: `test-${name}-${crypto.randomBytes(4).toString('hex')}:`,
  };
  const config = readConfig(env) as { redisPrefix?: string };
  return { env, prefix: config.redisPrefix ?? '' };
}

/**
 * The demo units this file moves on its main server. Where test servers
 * share the live state by unit id (no key prefix), the test files keep
 * to different units (A13 and B04 must stay without a position for the
 * bad-input and security tests).
 */
const MAIN_UNITS = ['B08', 'A09', 'B10', 'A11', 'B12', 'B14'];
/** The one unit the ARRIVAL_MODE=offer server moves. */
const OFFER_UNIT = 'A07';

const mainRedis = redisSpace('tracking');
let t: TestServer;
let dispatcher: string;
let unitIds: Map<string, number>;
/** Units of the main server whose positions this file has set. */
const touched = new Set<number>();

beforeAll(async () => {
  // No dwell: one slow fix at the scene is an arrival.
  t = await startTestServer({ ARRIVAL_DWELL_SECONDS: '0', ...mainRedis.env });
  dispatcher = await t.login('dispatcher', 'dispatcher-demo');
  unitIds = await unitsByCallSign(t, dispatcher);
  for (const callSign of MAIN_UNITS) touched.add(unitId(callSign));
  await forgetLivePositions(mainRedis.prefix, [...touched]);
});

afterAll(async () => {
  await t?.close();
  // Leave no positions behind for the next server on this Redis.
  await forgetLivePositions(mainRedis.prefix, [...touched]);
});

function unitId(callSign: string, ids = unitIds): number {
  const id = ids.get(callSign);
  if (id === undefined) throw new Error(`no demo unit ${callSign}`);
  return id;
}

async function unitsByCallSign(server: TestServer, token: string) {
  const { body } = await server.request('GET', '/api/units', { token });
  return new Map<string, number>(
    (body as { id: number; callSign: string }[]).map((u) => [u.callSign, u.id]),
  );
}

/**
 * Drops what an earlier run left in Redis for these units, so the
 * tracker does not judge this run's fixes against it.
 */
async function forgetLivePositions(
  prefix: string,
  ids: number[],
): Promise<void> {
  const url = process.env.REDIS_URL;
  if (!url) return;
  const redis = createClient({ url });
  await redis.connect();
  try {
    const members = ids.map(String);
    await redis
      .multi()
      .hDel(prefix + RECORDS_KEY, members)
      .zRem(prefix + GEO_KEY, members)
      .exec();
  } finally {
    await redis.close();
  }
}

function crewToken(callSign: string, server = t): Promise<string> {
  return server.login(`crew-${callSign.toLowerCase()}`, 'crew-demo-pass');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `point` moved `north` and `east` meters, to six decimals. */
function moved(point: Point, north: number, east: number): Point {
  const metersPerDegree = 111_195;
  const lat = point.lat + north / metersPerDegree;
  const lon =
    point.lon +
    east / (metersPerDegree * Math.cos((point.lat * Math.PI) / 180));
  return { lat: Number(lat.toFixed(6)), lon: Number(lon.toFixed(6)) };
}

function meters(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) *
      Math.cos(b.lat * rad) *
      Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** Polls `probe` until it gives a value, or fails after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

/** Every `event` the socket gets from now on, in order. */
function collect<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (value: T) => seen.push(value));
  return seen;
}

function emitWithAck<T>(socket: Socket, event: string, ...args: unknown[]) {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<T>;
}

function postFixes(
  token: string,
  unit: number,
  body: unknown,
  server = t,
): Promise<{ status: number; body: any }> {
  return server.request('POST', `/api/units/${unit}/positions`, {
    token,
    body,
  });
}

async function getUnit(unit: number, server = t, token = dispatcher) {
  const answer = await server.request('GET', `/api/units/${unit}`, { token });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function timeline(
  incidentId: number,
  server = t,
  token = dispatcher,
): Promise<PhaseEvent[]> {
  const answer = await server.request('GET', `/api/incidents/${incidentId}`, {
    token,
  });
  expect(answer.status).toBe(200);
  return answer.body.timeline;
}

async function newIncident(location: Point, server = t, token = dispatcher) {
  const answer = await server.request('POST', '/api/incidents', {
    token,
    body: { location, priority: 2, complaint: 'fall, hip pain' },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number };
}

async function assign(
  incidentId: number,
  unit: number,
  server = t,
  token = dispatcher,
) {
  const answer = await server.request(
    'POST',
    `/api/incidents/${incidentId}/assign`,
    { token, body: { unitId: unit } },
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

async function reportStatus(
  token: string,
  unit: number,
  status: string,
): Promise<{ status: number; body: any }> {
  return t.request('POST', `/api/units/${unit}/status`, {
    token,
    body: { status },
  });
}

async function cancel(incidentId: number, server = t, token = dispatcher) {
  await server.request('POST', `/api/incidents/${incidentId}/cancel`, {
    token,
    body: { reason: 'test over' },
  });
}

describe('HTTP batches of fixes', () => {
  it('answers each fix of a crew’s batch with its verdict and puts the unit at the newest accepted fix', async () => {
    const unit = unitId('A09');
    const crew = await crewToken('A09');
    // Av. Bento Gonçalves at Base Sudeste, heading west.
    const start = { lat: -30.0645, lon: -51.157 };
    const next = moved(start, 0, -100);
    const newest = moved(start, 0, -290);
    const base = Date.now() - 60_000;
    const fixes: SentFix[] = [
      { ...start, at: iso(base), speedMps: 9 },
      { lat: 0, lon: 0, at: iso(base + 1_000) },
      // Canoas, north of the city's service area.
      { lat: -29.9, lon: -51.2, at: iso(base + 2_000) },
      { ...next, at: iso(Date.now() + 120_000) },
      { ...next, at: iso(base + 3_000), accuracyMeters: 500 },
      { ...start, at: iso(base) },
      { ...next, at: iso(base + 10_000), speedMps: 10 },
      // 5 km in 2 s.
      { ...moved(next, 0, -5_000), at: iso(base + 12_000) },
      {
        ...newest,
        at: iso(base + 20_000),
        speedMps: 11,
        headingDeg: 270,
        accuracyMeters: 6,
      },
    ];
    const answer = await postFixes(crew, unit, { fixes });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      accepted: 3,
      results: [
        { accepted: true, live: true },
        { accepted: false, reason: 'null_island' },
        { accepted: false, reason: 'outside_service_area' },
        { accepted: false, reason: 'in_future' },
        { accepted: false, reason: 'poor_accuracy' },
        { accepted: false, reason: 'duplicate' },
        { accepted: true, live: true },
        { accepted: false, reason: 'implausible_jump' },
        { accepted: true, live: true },
      ],
    });
    const expected = {
      ...newest,
      at: iso(base + 20_000),
      speedMps: 11,
      headingDeg: 270,
      accuracyMeters: 6,
    };
    expect((await getUnit(unit)).lastPosition).toEqual(expected);

    // A fix from before the newest (a replayed queue) goes into the track
    // but does not move the unit back.
    const late = await postFixes(crew, unit, {
      fixes: [{ ...moved(newest, 0, 95), at: iso(base + 15_000) }],
    });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({
      accepted: 1,
      results: [{ accepted: true, live: false }],
    });
    expect((await getUnit(unit)).lastPosition).toEqual(expected);
  });

  it('refuses a batch for another crew’s unit (403 NOT_OWN_UNIT), from planners and dispatchers (403 FORBIDDEN), and malformed batches (400), moving nothing', async () => {
    const unit = unitId('A09');
    const before = (await getUnit(unit)).lastPosition;
    // A fix the unit would take if the request were let through.
    const good: SentFix = {
      ...moved(before ?? { lat: -30.0645, lon: -51.157 }, 0, -30),
      at: iso(Date.now() - 1_000),
    };
    const expectError = (
      answer: { status: number; body: any },
      status: number,
      code?: string,
    ) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body.error.code).toEqual(code ?? expect.any(String));
    };

    expectError(
      await postFixes(await crewToken('B10'), unit, { fixes: [good] }),
      403,
      'NOT_OWN_UNIT',
    );
    for (const user of ['planner', 'dispatcher']) {
      const token = await t.login(user, `${user}-demo`);
      expectError(
        await postFixes(token, unit, { fixes: [good] }),
        403,
        'FORBIDDEN',
      );
    }

    const crew = await crewToken('A09');
    const cases: [string, unknown, string?][] = [
      ['no fixes', {}, 'VALIDATION_FAILED'],
      ['an empty list', { fixes: [] }, 'VALIDATION_FAILED'],
      ['a string for the list', { fixes: 'x' }, 'VALIDATION_FAILED'],
      ['a number for the body', 42, 'VALIDATION_FAILED'],
      ['a string lat', { fixes: [{ ...good, lat: '-30.02' }] }],
      ['no lon', { fixes: [{ lat: good.lat, at: good.at }] }],
      ['no time', { fixes: [{ lat: good.lat, lon: good.lon }] }],
      ['an unreadable time', { fixes: [{ ...good, at: 'yesterday' }] }],
      ['an unknown field in a fix', { fixes: [{ ...good, alt: 12 }] }],
      [
        'one bad fix behind a good one',
        { fixes: [good, { ...good, speedMps: 'fast' }] },
      ],
      ['broken JSON', '{"fixes": [', 'INVALID_JSON'],
    ];
    for (const [what, body, code] of cases) {
      const answer = await postFixes(crew, unit, body);
      expect
        .soft(answer.status, `${what}: ${JSON.stringify(answer.body)}`)
        .toBe(400);
      if (code) expect.soft(answer.body?.error?.code, what).toBe(code);
    }
    expect((await getUnit(unit)).lastPosition).toEqual(before);
    // The good fix itself is taken: the refusals were not about it.
    const taken = await postFixes(crew, unit, { fixes: [good] });
    expect(taken.body.results).toEqual([{ accepted: true, live: true }]);
  });

  it('refuses a batch with an unknown field beside the fixes (400 VALIDATION_FAILED), as every other body', async () => {
    const unit = unitId('A09');
    const crew = await crewToken('A09');
    const before = (await getUnit(unit)).lastPosition;
    const fix: SentFix = {
      ...moved(before ?? { lat: -30.0645, lon: -51.157 }, 0, -30),
      at: iso(Date.now() - 500),
    };
    // A client that thinks it names the unit, or misspells a field, must
    // hear about it rather than have the field dropped.
    const answer = await postFixes(crew, unit, {
      fixes: [fix],
      unitId: unitId('B10'),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    expect(answer.body.error.message).toContain('unitId');
    expect((await getUnit(unit)).lastPosition).toEqual(before);
  });
});

describe('the track in PostGIS', () => {
  it('stores every accepted fix, and no refused one, in unit_track in batches', async () => {
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const created = await t.request('POST', '/api/units', {
      token: admin,
      body: { callSign: 'TRK1', capability: 'BLS', station: DOWNTOWN },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const unit: number = created.body.id;
    touched.add(unit);
    await forgetLivePositions(mainRedis.prefix, [unit]);

    const base = Date.now() - 30_000;
    const first: SentFix = {
      ...DOWNTOWN,
      at: iso(base),
      speedMps: 8.5,
      headingDeg: 10,
      accuracyMeters: 4,
      altitudeMeters: 11,
      batteryPercent: 64,
    };
    const second: SentFix = {
      ...moved(DOWNTOWN, 80, 0),
      at: iso(base + 10_000),
    };
    const third: SentFix = {
      ...moved(DOWNTOWN, 160, 10),
      at: iso(base + 20_000),
    };
    const older: SentFix = { ...moved(DOWNTOWN, 40, 0), at: iso(base + 7_000) };
    // An admin may post for any unit (a gateway).
    const batch = await postFixes(admin, unit, {
      fixes: [
        first,
        { lat: 0, lon: 0, at: iso(base + 1_000) },
        { ...second, at: iso(base + 5_000), accuracyMeters: 250 },
        { ...first },
        second,
        { lat: -30.2, lon: -51.2, at: iso(base + 15_000) },
        third,
      ],
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    expect(batch.body).toEqual({
      accepted: 3,
      results: [
        { accepted: true, live: true },
        { accepted: false, reason: 'null_island' },
        { accepted: false, reason: 'poor_accuracy' },
        { accepted: false, reason: 'duplicate' },
        { accepted: true, live: true },
        { accepted: false, reason: 'outside_service_area' },
        { accepted: true, live: true },
      ],
    });
    const replay = await postFixes(admin, unit, { fixes: [older] });
    expect(replay.body.results).toEqual([{ accepted: true, live: false }]);
    const accepted = [first, older, second, third];

    const count = async () => {
      const [row] = await t.server.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM unit_track WHERE unit_id = $1',
        [unit],
      );
      return row?.n ?? 0;
    };
    await waitFor('the track written', async () =>
      (await count()) >= accepted.length ? true : undefined,
    );
    // One more flush period: nothing else comes.
    await sleep(500);
    expect(await count()).toBe(accepted.length);

    const rows = await t.server.db.query<{
      ms: number;
      lat: number;
      lon: number;
      speed: number | null;
      heading: number | null;
      accuracy: number | null;
      altitude: number | null;
      battery: number | null;
      source: string;
    }>(
      `SELECT (extract(epoch FROM at) * 1000)::float8 AS ms,
              ST_Y(location::geometry)::float8 AS lat,
              ST_X(location::geometry)::float8 AS lon,
              speed_mps AS speed, heading_deg AS heading,
              accuracy_meters AS accuracy, altitude_meters AS altitude,
              battery_percent AS battery, source
         FROM unit_track WHERE unit_id = $1 ORDER BY at`,
      [unit],
    );
    expect(rows.map((row) => iso(row.ms))).toEqual(accepted.map((f) => f.at));
    rows.forEach((row, i) => {
      const fix = accepted[i] as SentFix;
      expect(row.lat).toBeCloseTo(fix.lat, 9);
      expect(row.lon).toBeCloseTo(fix.lon, 9);
      expect(row.source).toBe('http');
    });
    expect(rows[0]).toMatchObject({
      speed: 8.5,
      heading: 10,
      accuracy: 4,
      altitude: 11,
      battery: 64,
    });
    expect(rows[1]).toMatchObject({ speed: null, accuracy: null });
  });
});

describe('console fan-out', () => {
  it('merges a burst of 20 tablet fixes into a few batches, one entry per unit each, in order, ending at the newest fix', async () => {
    const unit = unitId('B10');
    const console = await t.socket('/console', dispatcher);
    const batches = collect<Position[]>(console, 'unit:positions');
    const tablet = await t.socket('/tablet', await crewToken('B10'));
    const start = { lat: -30.0645, lon: -51.157 };
    const base = Date.now() - 25_000;
    const fixes: SentFix[] = Array.from({ length: 20 }, (_, i) => ({
      ...moved(start, 0, -12 * i),
      at: iso(base + i * 1_000),
      speedMps: 12,
    }));
    const acks = await Promise.all(
      fixes.map((fix) =>
        emitWithAck<{ ok: boolean; result: unknown }>(tablet, 'position', fix),
      ),
    );
    for (const ack of acks) {
      expect(ack).toEqual({ ok: true, result: { accepted: true, live: true } });
    }
    const newest = fixes.at(-1) as SentFix;
    await waitFor('the newest fix on the console', () =>
      batches.some((batch) =>
        batch.some((p) => p.unitId === unit && p.at === newest.at),
      )
        ? true
        : undefined,
    );
    // A batch after the newest one would put the unit back.
    await sleep(300);

    for (const batch of batches) {
      const ids = batch.map((p) => p.unitId);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const delivered = batches.flatMap((batch) =>
      batch.filter((p) => p.unitId === unit),
    );
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(delivered.length).toBeLessThanOrEqual(5);
    const times = delivered.map((p) => Date.parse(p.at));
    for (let i = 1; i < times.length; i++) {
      expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    }
    expect(delivered.at(-1)).toMatchObject({
      unitId: unit,
      lat: newest.lat,
      lon: newest.lon,
      at: newest.at,
    });
    tablet.disconnect();
    console.disconnect();
  });
});

describe('ETA updates', () => {
  it('sends the console a drive time to the incident as an en-route unit closes in, at most every 5 s per unit', async () => {
    const unit = unitId('B12');
    const crew = await crewToken('B12');
    const console = await t.socket('/console', dispatcher);
    const etas = collect<EtaUpdate>(console, 'unit:eta');
    const incident = await newIncident(DOWNTOWN);
    await assign(incident.id, unit);
    expect((await reportStatus(crew, unit, 'en_route')).status).toBe(200);

    // East of the centre, driving west towards the call: about 3.9, 3.4
    // and 2.4 km by road.
    const base = Date.now();
    const far: SentFix = {
      lat: -30.03,
      lon: -51.205,
      at: iso(base - 30_000),
      speedMps: 14,
    };
    const middle: SentFix = {
      lat: -30.03,
      lon: -51.21,
      at: iso(base - 15_000),
      speedMps: 14,
    };
    const farAnswer = await postFixes(crew, unit, { fixes: [far] });
    expect(farAnswer.body.results).toEqual([{ accepted: true, live: true }]);
    const farSentBy = Date.now();
    const first = await waitFor('an ETA from the far fix', () =>
      etas.find((e) => e.unitId === unit && e.at === far.at),
    );
    expect(first.incidentId).toBe(incident.id);
    expect(first.etaSeconds).toBeGreaterThan(0);

    // Within 5 s of the first: no new ETA.
    const middleAnswer = await postFixes(crew, unit, { fixes: [middle] });
    expect(middleAnswer.body.results).toEqual([{ accepted: true, live: true }]);
    // The throttle runs on the server's clock of arrival.
    await sleep(Math.max(0, farSentBy + 5_300 - Date.now()));
    const near: SentFix = {
      lat: -30.03,
      lon: -51.215,
      at: iso(Date.now()),
      speedMps: 14,
    };
    const nearAnswer = await postFixes(crew, unit, { fixes: [near] });
    expect(nearAnswer.body.results).toEqual([{ accepted: true, live: true }]);
    const closer = await waitFor('an ETA from the near fix', () =>
      etas.find((e) => e.unitId === unit && e.at === near.at),
    );
    expect(closer.incidentId).toBe(incident.id);
    expect(closer.etaSeconds).toBeGreaterThan(0);
    expect(closer.etaSeconds as number).toBeLessThan(
      first.etaSeconds as number,
    );
    expect(etas.filter((e) => e.at === middle.at)).toEqual([]);

    await cancel(incident.id);
    console.disconnect();
  });
});

describe('arrival from GPS', () => {
  it('records on_scene from GPS once when the en-route unit stops at the call, and at_hospital when it stops at an emergency hospital', async () => {
    const unit = unitId('A11');
    const crew = await crewToken('A11');
    const incident = await newIncident(DOWNTOWN);
    await assign(incident.id, unit);
    expect((await reportStatus(crew, unit, 'en_route')).status).toBe(200);

    const scene = moved(DOWNTOWN, 8, 5);
    const stopped: SentFix = { ...scene, at: iso(Date.now()), speedMps: 0.5 };
    const answer = await postFixes(crew, unit, { fixes: [stopped] });
    expect(answer.body.results).toEqual([{ accepted: true, live: true }]);
    const onScene = await waitFor('on_scene from GPS', async () =>
      (await timeline(incident.id)).find((e) => e.phase === 'on_scene'),
    );
    expect(onScene).toMatchObject({ source: 'gps', unitId: unit });
    expect(Date.parse(onScene.at)).toBe(Date.parse(stopped.at));
    expect((await getUnit(unit)).status).toBe('on_scene');

    // Still standing there, and then the crew presses "on scene" too.
    const still: SentFix = {
      ...moved(scene, 2, 0),
      at: iso(Math.max(Date.now(), Date.parse(stopped.at) + 1)),
      speedMps: 0.3,
    };
    expect((await postFixes(crew, unit, { fixes: [still] })).status).toBe(200);
    const pressed = await reportStatus(crew, unit, 'on_scene');
    expect(pressed.status, JSON.stringify(pressed.body)).toBe(200);
    expect(pressed.body).toMatchObject({
      duplicate: true,
      unit: { status: 'on_scene' },
    });
    expect(
      (await timeline(incident.id)).filter((e) => e.phase === 'on_scene'),
    ).toHaveLength(1);

    expect((await reportStatus(crew, unit, 'transporting')).status).toBe(200);
    const { body: city } = await t.request('GET', '/api/city', {
      token: dispatcher,
    });
    const hospitals = (
      city.hospitals as { name: string; location: Point; emergency?: boolean }[]
    ).filter((h) => h.emergency);
    expect(hospitals.length).toBeGreaterThan(0);
    const hospital = hospitals
      .map((h) => ({ ...h, meters: meters(scene, h.location) }))
      .sort((a, b) => a.meters - b.meters)[0] as (typeof hospitals)[number] & {
      meters: number;
    };
    // Driven at 30 m/s: the fix's device time is as far after the scene
    // as that takes (a few seconds ahead of the server's clock at most).
    const driveMs = Math.ceil(hospital.meters / 30) * 1_000;
    expect(driveMs).toBeLessThan(45_000);
    const atDoor: SentFix = {
      ...moved(hospital.location, 20, 0),
      at: iso(Date.parse(still.at) + driveMs),
      speedMps: 0.5,
    };
    const arrived = await postFixes(crew, unit, { fixes: [atDoor] });
    expect(arrived.body.results).toEqual([{ accepted: true, live: true }]);
    const atHospital = await waitFor('at_hospital from GPS', async () =>
      (await timeline(incident.id)).find((e) => e.phase === 'at_hospital'),
    );
    expect(atHospital).toMatchObject({ source: 'gps', unitId: unit });
    expect((await getUnit(unit)).status).toBe('at_hospital');
  });
});

describe('stale units', () => {
  it('marks a unit whose only fix is over 60 s old as stale, tells the consoles, and ranks it from its station', async () => {
    const unit = unitId('B14');
    const crew = await crewToken('B14');
    const console = await t.socket('/console', dispatcher);
    const marks = collect<number[]>(console, 'unit:stale');
    const old: SentFix = {
      ...moved(DOWNTOWN, -400, 300),
      at: iso(Date.now() - 120_000),
    };
    const answer = await postFixes(crew, unit, { fixes: [old] });
    expect(answer.body.results).toEqual([{ accepted: true, live: true }]);
    const view = await getUnit(unit);
    expect(view).toMatchObject({
      stale: true,
      lastPosition: { lat: old.lat, lon: old.lon, at: old.at },
    });

    const incident = await newIncident(moved(DOWNTOWN, -450, 300));
    const ranked = await t.request(
      'GET',
      `/api/incidents/${incident.id}/recommendations`,
      { token: dispatcher },
    );
    expect(ranked.status).toBe(200);
    const line = (
      ranked.body as { unitId: number; origin: string; reasons: string[] }[]
    ).find((r) => r.unitId === unit);
    expect(line?.origin).toBe('station');
    expect(line?.reasons.join('; ')).toMatch(/stale/i);

    // The tracker's sweep (every 5 s) tells the consoles.
    await waitFor(
      'unit:stale on the console',
      () => (marks.some((ids) => ids.includes(unit)) ? true : undefined),
      10_000,
    );
    await cancel(incident.id);
    console.disconnect();
  });
});

describe('live state in Redis', () => {
  it.skipIf(!process.env.REDIS_URL)(
    'keeps the latest position in Redis: the unit in the GEO set and its record in the hash',
    async () => {
      const unit = unitId('B08');
      const crew = await crewToken('B08');
      // Av. Protásio Alves, west of Base Leste.
      const fix: SentFix = {
        ...moved({ lat: -30.0412, lon: -51.153 }, 40, -350),
        at: iso(Date.now() - 2_000),
        speedMps: 7.5,
        headingDeg: 285,
        accuracyMeters: 9,
      };
      const answer = await postFixes(crew, unit, { fixes: [fix] });
      expect(answer.body.results).toEqual([{ accepted: true, live: true }]);

      const redis = createClient({ url: process.env.REDIS_URL });
      await redis.connect();
      try {
        const [geo] = await redis.geoPos(
          mainRedis.prefix + GEO_KEY,
          String(unit),
        );
        expect(geo).toBeTruthy();
        // The GEO set keeps a 52-bit geohash: within a metre.
        expect(Number(geo?.latitude)).toBeCloseTo(fix.lat, 4);
        expect(Number(geo?.longitude)).toBeCloseTo(fix.lon, 4);
        const record = await redis.hGet(
          mainRedis.prefix + RECORDS_KEY,
          String(unit),
        );
        expect(record).toBeTruthy();
        expect(JSON.parse(record as string)).toMatchObject({
          unitId: unit,
          lat: fix.lat,
          lon: fix.lon,
          at: fix.at,
          speedMps: 7.5,
          headingDeg: 285,
          accuracyMeters: 9,
          source: 'http',
        });
      } finally {
        await redis.close();
      }
    },
  );
});

describe('ARRIVAL_MODE=offer', () => {
  const offerRedis = redisSpace('tracking-offer');
  let offer: TestServer;
  let offerDispatcher: string;
  let offerUnits: Map<string, number>;

  beforeAll(async () => {
    offer = await startTestServer({
      ARRIVAL_MODE: 'offer',
      ARRIVAL_DWELL_SECONDS: '3',
      ...offerRedis.env,
    });
    offerDispatcher = await offer.login('dispatcher', 'dispatcher-demo');
    offerUnits = await unitsByCallSign(offer, offerDispatcher);
    await forgetLivePositions(offerRedis.prefix, [
      unitId(OFFER_UNIT, offerUnits),
    ]);
  });

  afterAll(async () => {
    await offer?.close();
    if (offerUnits) {
      await forgetLivePositions(offerRedis.prefix, [
        unitId(OFFER_UNIT, offerUnits),
      ]);
    }
  });

  it('offers the arrival to the crew’s tablet after the dwell, and logs on_scene only when the crew reports it', async () => {
    const unit = unitId(OFFER_UNIT, offerUnits);
    const incident = await newIncident(DOWNTOWN, offer, offerDispatcher);
    await assign(incident.id, unit, offer, offerDispatcher);
    const tablet = await offer.socket(
      '/tablet',
      await crewToken(OFFER_UNIT, offer),
    );
    const offers = collect<{ phase: string; at: string }>(
      tablet,
      'arrival:detected',
    );
    const enRoute = await emitWithAck<{ ok: boolean }>(tablet, 'status', {
      status: 'en_route',
    });
    expect(enRoute.ok).toBe(true);

    const scene = moved(DOWNTOWN, -6, 4);
    const t0 = Date.now();
    const stopped: SentFix = { ...scene, at: iso(t0), speedMps: 0.4 };
    // Three seconds later by the tablet's clock: the dwell is complete.
    const dwelt: SentFix = {
      ...moved(scene, 3, 0),
      at: iso(t0 + 3_000),
      speedMps: 0.2,
    };
    expect(await emitWithAck(tablet, 'position', stopped)).toEqual({
      ok: true,
      result: { accepted: true, live: true },
    });
    // Stopped, but not yet for the dwell: nothing offered.
    await sleep(300);
    expect(offers).toEqual([]);
    expect(await emitWithAck(tablet, 'position', dwelt)).toEqual({
      ok: true,
      result: { accepted: true, live: true },
    });
    const offered = await waitFor('arrival:detected', () => offers[0]);
    expect(offered.phase).toBe('on_scene');
    // Whether the arrival counts from the start or the end of the dwell,
    // it is one of the two fixes (not the first alone: see below).
    expect([stopped.at, dwelt.at]).toContain(offered.at);

    // Offered once, after the dwell, and not recorded.
    await sleep(500);
    expect(offers).toHaveLength(1);
    const before = await timeline(incident.id, offer, offerDispatcher);
    expect(before.filter((e) => e.phase === 'on_scene')).toEqual([]);
    expect((await getUnit(unit, offer, offerDispatcher)).status).toBe(
      'en_route',
    );

    const confirmed = await emitWithAck<{
      ok: boolean;
      duplicate: boolean;
      unit: { status: string };
    }>(tablet, 'status', { status: 'on_scene' });
    expect(confirmed).toMatchObject({
      ok: true,
      duplicate: false,
      unit: { status: 'on_scene' },
    });
    const after = await timeline(incident.id, offer, offerDispatcher);
    expect(after.filter((e) => e.phase === 'on_scene')).toEqual([
      expect.objectContaining({ source: 'crew', unitId: unit }),
    ]);
    tablet.disconnect();
    await cancel(incident.id, offer, offerDispatcher);
  });

  it('offers an arrival whose whole dwell is inside one batch (a tablet’s queue sent after an outage)', async () => {
    const unit = unitId(OFFER_UNIT, offerUnits);
    const incident = await newIncident(DOWNTOWN, offer, offerDispatcher);
    await assign(incident.id, unit, offer, offerDispatcher);
    const crew = await crewToken(OFFER_UNIT, offer);
    const tablet = await offer.socket('/tablet', crew);
    const offers = collect<{ phase: string; at: string }>(
      tablet,
      'arrival:detected',
    );
    const enRoute = await emitWithAck<{ ok: boolean }>(tablet, 'status', {
      status: 'en_route',
    });
    expect(enRoute.ok).toBe(true);

    // After whatever the unit sent before (the test above, if it ran).
    const last = (await getUnit(unit, offer, offerDispatcher)).lastPosition;
    const t0 = Math.max(Date.now(), last ? Date.parse(last.at) + 1_000 : 0);
    const scene = moved(DOWNTOWN, -6, 4);
    const queue: SentFix[] = [0, 1_500, 3_000].map((ms, i) => ({
      ...moved(scene, i, 0),
      at: iso(t0 + ms),
      speedMps: 0.3,
    }));
    const answer = await postFixes(crew, unit, { fixes: queue }, offer);
    expect(answer.body).toEqual({
      accepted: 3,
      results: queue.map(() => ({ accepted: true, live: true })),
    });
    const offered = await waitFor(
      'arrival:detected from the batch',
      () => offers[0],
      3_000,
    );
    expect(offered.phase).toBe('on_scene');
    tablet.disconnect();
    await cancel(incident.id, offer, offerDispatcher);
  });
});
