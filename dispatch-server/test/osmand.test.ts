/**
 * The OsmAnd endpoint, the protocol of the Traccar Client app, over real
 * HTTP on its own port: the Android query form, form posts, the JSON of
 * client 9+, and what it refuses. Fixes go through the same tracker as
 * the tablets': the live state moves, the track is stored.
 */
import crypto from 'node:crypto';

import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readConfig } from '../src/index.ts';
import { DOWNTOWN, startTestServer, type TestServer } from './harness.ts';

interface Point {
  lat: number;
  lon: number;
}

/**
 * The demo units this file moves. Where test servers share the live state
 * by unit id (no Redis key prefix), the test files keep to different
 * units.
 */
const UNITS = ['A03', 'A05', 'B06'];
const MPS_PER_KNOT = 0.514444;

/**
 * A Redis key prefix of this file's own (`REDIS_PREFIX`), and the prefix
 * the server's configuration makes of it: none on a server that does not
 * read `REDIS_PREFIX`.
 */
const redisEnv = {
  REDIS_PREFIX: `test-osmand-${crypto.randomBytes(4).toString('hex')}:`,
};
const redisPrefix =
  (readConfig(redisEnv) as { redisPrefix?: string }).redisPrefix ?? '';

let t: TestServer;
let osmand: string;
let dispatcher: string;
const unitIds = new Map<string, number>();

beforeAll(async () => {
  t = await startTestServer(redisEnv);
  if (!t.server.osmandUrl) throw new Error('the OsmAnd endpoint is off');
  osmand = t.server.osmandUrl;
  dispatcher = await t.login('dispatcher', 'dispatcher-demo');
  const { body } = await t.request('GET', '/api/units', { token: dispatcher });
  for (const unit of body) unitIds.set(unit.callSign, unit.id);
  await forgetLivePositions(UNITS.map(unitId));
});

afterAll(async () => {
  await t?.close();
  // Leave no positions behind for the next server on this Redis.
  if (unitIds.size > 0) await forgetLivePositions(UNITS.map(unitId));
});

function unitId(callSign: string): number {
  const id = unitIds.get(callSign);
  if (id === undefined) throw new Error(`no demo unit ${callSign}`);
  return id;
}

/** Drops what an earlier run left in Redis for these units. */
async function forgetLivePositions(ids: number[]): Promise<void> {
  const url = process.env.REDIS_URL;
  if (!url) return;
  const redis = createClient({ url });
  await redis.connect();
  try {
    const members = ids.map(String);
    await redis
      .multi()
      .hDel(`${redisPrefix}dispatch:positions`, members)
      .zRem(`${redisPrefix}dispatch:positions:geo`, members)
      .exec();
  } finally {
    await redis.close();
  }
}

/** A request to the OsmAnd port, as the app makes it. */
async function send(
  method: string,
  pathAndQuery: string,
  options: { type?: string; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(osmand + pathAndQuery, {
    method,
    headers: options.type ? { 'content-type': options.type } : {},
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  return { status: response.status, text: await response.text() };
}

function query(params: Record<string, string | number>): string {
  return new URLSearchParams(
    Object.entries(params).map(([key, value]): [string, string] => [
      key,
      String(value),
    ]),
  ).toString();
}

async function lastPosition(unit: number) {
  const answer = await t.request('GET', `/api/units/${unit}`, {
    token: dispatcher,
  });
  expect(answer.status).toBe(200);
  return answer.body.lastPosition;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface TrackRow {
  lat: number;
  lon: number;
  speed: number | null;
  altitude: number | null;
  battery: number | null;
  source: string;
}

/** The unit's stored track fixes at device time `at`. */
function trackAt(unit: number | null, at: Date): Promise<TrackRow[]> {
  return t.server.db.query<TrackRow>(
    `SELECT ST_Y(location::geometry)::float8 AS lat,
            ST_X(location::geometry)::float8 AS lon,
            speed_mps AS speed, altitude_meters AS altitude,
            battery_percent AS battery, source
       FROM unit_track
      WHERE at = $2::timestamptz AND ($1::int IS NULL OR unit_id = $1)`,
    [unit, at.toISOString()],
  );
}

/** Polls the track until the fix at `at` is stored. */
async function storedFix(unit: number, at: Date): Promise<TrackRow> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [row] = await trackAt(unit, at);
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`no track fix at ${at}`);
    await sleep(50);
  }
}

/** Time for a queued track write to land (the writer flushes every 200 ms). */
const settle = () => sleep(500);

describe('the OsmAnd endpoint', () => {
  it('takes the Traccar Client Android query form on GET: the unit moves, speed from knots to m/s', async () => {
    const unit = unitId('A03');
    const seconds = Math.floor(Date.now() / 1000) - 5;
    const answer = await send(
      'GET',
      '/?' +
        query({
          id: 'demo-a03',
          timestamp: seconds,
          lat: DOWNTOWN.lat,
          lon: DOWNTOWN.lon,
          speed: 10,
          bearing: 90,
          altitude: 12,
          accuracy: 5,
          batt: 87,
        }),
    );
    expect(answer).toEqual({ status: 200, text: 'OK' });
    const at = new Date(seconds * 1000);
    expect(await lastPosition(unit)).toEqual({
      lat: DOWNTOWN.lat,
      lon: DOWNTOWN.lon,
      at: at.toISOString(),
      speedMps: expect.closeTo(5.144, 3),
      headingDeg: 90,
      accuracyMeters: 5,
    });
    // Altitude and battery are kept in the track.
    const row = await storedFix(unit, at);
    expect(row.lat).toBeCloseTo(DOWNTOWN.lat, 9);
    expect(row.lon).toBeCloseTo(DOWNTOWN.lon, 9);
    expect(row.speed).toBeCloseTo(10 * MPS_PER_KNOT, 3);
    expect(row).toMatchObject({ altitude: 12, battery: 87, source: 'osmand' });
  });

  it('takes the same as a form POST: lat/lon or location=lat,lon, epoch seconds, milliseconds or ISO 8601 times', async () => {
    const unit = unitId('A05');
    const form = 'application/x-www-form-urlencoded';
    // Along Av. Farrapos from Base Noroeste, a fix every 10 s.
    const start = { lat: -30.009, lon: -51.2022 };
    const base = Math.floor(Date.now() / 1000) * 1000 - 50_000;
    const steps: {
      what: string;
      at: number;
      point: Point;
      request: (point: Point, at: number) => Promise<unknown>;
    }[] = [
      {
        what: 'lat/lon, epoch seconds',
        at: base,
        point: start,
        request: (point, at) =>
          send('POST', '/', {
            type: form,
            body: query({
              id: 'demo-a05',
              timestamp: at / 1000,
              ...point,
              speed: 20,
            }),
          }),
      },
      {
        what: 'location=lat,lon, epoch milliseconds',
        at: base + 10_123,
        point: moved(start, 60, -80),
        request: (point, at) =>
          send('POST', '/', {
            type: form,
            body: query({
              id: 'demo-a05',
              timestamp: at,
              location: `${point.lat},${point.lon}`,
            }),
          }),
      },
      {
        what: 'ISO 8601 in UTC',
        at: base + 20_456,
        point: moved(start, 120, -160),
        request: (point, at) =>
          send('POST', '/', {
            type: form,
            body: query({
              deviceid: 'demo-a05',
              timestamp: new Date(at).toISOString(),
              ...point,
            }),
          }),
      },
      {
        what: 'ISO 8601 in Porto Alegre time (-03:00)',
        at: base + 30_000,
        point: moved(start, 180, -240),
        request: (point, at) =>
          send('POST', '/', {
            type: `${form}; charset=UTF-8`,
            body: query({
              id: 'demo-a05',
              timestamp:
                new Date(at - 3 * 3600_000).toISOString().slice(0, 19) +
                '-03:00',
              ...point,
            }),
          }),
      },
      {
        what: 'POST with the fix in the query and no body (Android)',
        at: base + 40_000,
        point: moved(start, 240, -320),
        request: (point, at) =>
          send(
            'POST',
            '/?' + query({ id: 'demo-a05', timestamp: at / 1000, ...point }),
          ),
      },
    ];
    for (const step of steps) {
      expect(await step.request(step.point, step.at), step.what).toEqual({
        status: 200,
        text: 'OK',
      });
      expect(await lastPosition(unit), step.what).toMatchObject({
        ...step.point,
        at: new Date(step.at).toISOString(),
      });
    }
    expect((await storedFix(unit, new Date(base))).speed).toBeCloseTo(
      20 * MPS_PER_KNOT,
      3,
    );
  });

  it('takes the JSON of Traccar Client 9+, one location or a batch of them', async () => {
    const unit = unitId('B06');
    const point = moved({ lat: -30.009, lon: -51.2022 }, -150, 120);
    const at = new Date(Date.now() - 20_000);
    const location = (p: Point, when: Date, speed: number) => ({
      timestamp: when.toISOString(),
      coords: {
        latitude: p.lat,
        longitude: p.lon,
        speed,
        heading: 181.5,
        accuracy: 4.2,
        altitude: 14,
      },
      is_moving: true,
      odometer: 1234.5,
      battery: { level: 0.87, is_charging: false },
      activity: { type: 'in_vehicle' },
    });
    const one = await send('POST', '/', {
      type: 'application/json',
      body: JSON.stringify({
        location: location(point, at, 8.3),
        device_id: 'demo-b06',
      }),
    });
    expect(one).toEqual({ status: 200, text: 'OK' });
    expect(await lastPosition(unit)).toEqual({
      ...point,
      at: at.toISOString(),
      speedMps: 8.3,
      headingDeg: 181.5,
      accuracyMeters: 4.2,
    });
    const row = await storedFix(unit, at);
    expect(row.battery).toBeCloseTo(87, 3);
    expect(row).toMatchObject({ altitude: 14, source: 'osmand' });

    // A queue sent after an outage: every fix stored, the unit at the last.
    const queued = [1, 2, 3].map((i) => ({
      point: moved(point, -50 * i, 0),
      at: new Date(at.getTime() + i * 5_000),
    }));
    const batch = await send('POST', '/', {
      type: 'application/json; charset=utf-8',
      body: JSON.stringify({
        location: queued.map((q) => location(q.point, q.at, 10)),
        device_id: 'demo-b06',
      }),
    });
    expect(batch).toEqual({ status: 200, text: 'OK' });
    const newest = queued.at(-1) as (typeof queued)[number];
    expect(await lastPosition(unit)).toMatchObject({
      ...newest.point,
      at: newest.at.toISOString(),
    });
    for (const q of queued) await storedFix(unit, q.at);
  });

  it('refuses an unknown device id with 404 and stores nothing', async () => {
    // An odd millisecond no other fix of this file has.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 7_000 + 777);
    const before = await t.request('GET', '/api/units', { token: dispatcher });
    const answer = await send(
      'GET',
      '/?' +
        query({
          id: 'phone-nobody-registered',
          timestamp: at.getTime(),
          lat: DOWNTOWN.lat,
          lon: DOWNTOWN.lon,
        }),
    );
    expect(answer.status).toBe(404);
    const json = await send('POST', '/', {
      type: 'application/json',
      body: JSON.stringify({
        device_id: 'phone-nobody-registered',
        location: {
          timestamp: at.toISOString(),
          coords: { latitude: DOWNTOWN.lat, longitude: DOWNTOWN.lon },
        },
      }),
    });
    expect(json.status).toBe(404);
    await settle();
    expect(await trackAt(null, at)).toEqual([]);
    const after = await t.request('GET', '/api/units', { token: dispatcher });
    expect(after.body).toEqual(before.body);
  });

  it('refuses with 400 what cannot be read (no id, an unreadable lat, broken JSON) and moves nothing', async () => {
    const unit = unitId('A03');
    const before = await lastPosition(unit);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_000 + 333);
    const fix = {
      timestamp: at.getTime(),
      ...moved(DOWNTOWN, 50, 0),
    };
    const cases: [string, () => Promise<{ status: number }>][] = [
      ['no id', () => send('GET', '/?' + query(fix))],
      [
        'an unreadable lat',
        () => send('GET', '/?' + query({ id: 'demo-a03', ...fix, lat: 'abc' })),
      ],
      [
        'no lat',
        () =>
          send(
            'GET',
            '/?' +
              query({ id: 'demo-a03', timestamp: fix.timestamp, lon: fix.lon }),
          ),
      ],
      [
        'an unreadable lat in a form',
        () =>
          send('POST', '/', {
            type: 'application/x-www-form-urlencoded',
            body: query({ id: 'demo-a03', ...fix, lat: '-30,02' }),
          }),
      ],
      [
        'broken JSON',
        () =>
          send('POST', '/', {
            type: 'application/json',
            body: '{"device_id": "demo-a03", "location": {',
          }),
      ],
    ];
    for (const [what, request] of cases) {
      expect((await request()).status, what).toBe(400);
    }
    await settle();
    expect(await trackAt(null, at)).toEqual([]);
    expect(await lastPosition(unit)).toEqual(before);
  });

  it('takes a fix outside the service area or at (0, 0) with 200, but the unit does not move', async () => {
    const unit = unitId('A03');
    const now = Math.floor(Date.now() / 1000) * 1000;
    const inside = moved(DOWNTOWN, 100, 0);
    const good = await send(
      'GET',
      '/?' + query({ id: 'demo-a03', timestamp: now / 1000 - 3, ...inside }),
    );
    expect(good.status).toBe(200);
    const expected = await lastPosition(unit);
    expect(expected).toMatchObject({
      ...inside,
      at: new Date(now - 3_000).toISOString(),
    });

    // Canoas, north of the city; then a chip without a lock.
    for (const [point, at] of [
      [{ lat: -29.95, lon: -51.18 }, now - 2_000],
      [{ lat: 0, lon: 0 }, now - 1_000],
    ] as const) {
      const answer = await send(
        'GET',
        '/?' + query({ id: 'demo-a03', timestamp: at / 1000, ...point }),
      );
      // Taken (the app must not resend it) and filtered.
      expect(answer).toEqual({ status: 200, text: 'OK' });
      expect(await lastPosition(unit)).toEqual(expected);
    }
    await settle();
    expect(await trackAt(unit, new Date(now - 2_000))).toEqual([]);
    expect(await trackAt(unit, new Date(now - 1_000))).toEqual([]);
    expect(await trackAt(unit, new Date(now - 3_000))).toHaveLength(1);
  });

  it('answers 405 to other methods than GET and POST, and takes nothing', async () => {
    const unit = unitId('A03');
    const before = await lastPosition(unit);
    const fix = query({
      id: 'demo-a03',
      timestamp: Math.floor(Date.now() / 1000),
      ...moved(DOWNTOWN, 150, 0),
    });
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const answer = await send(method, '/?' + fix, {
        type: 'application/x-www-form-urlencoded',
        body: fix,
      });
      expect(answer.status, method).toBe(405);
    }
    expect(await lastPosition(unit)).toEqual(before);
  });
});
