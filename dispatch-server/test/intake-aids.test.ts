/**
 * What the console's intake and map lean on: street and crossing search,
 * the near-duplicate call check, the route line of a unit, and the flag
 * on an incident whose only unit was freed before the scene.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ConfigError, readConfig } from '../src/config.ts';
import { DOWNTOWN, startTestServer, type TestServer } from './harness.ts';

let t: TestServer;
let dispatcher: string;
let planner: string;

beforeAll(async () => {
  t = await startTestServer({
    DISPATCH_DUPLICATE_METERS: '250',
    DISPATCH_DUPLICATE_MINUTES: '20',
  });
  dispatcher = await t.login('dispatcher', 'dispatcher-demo');
  planner = await t.login('planner', 'planner-demo');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const search = (q: string, token = dispatcher) =>
  t.request('GET', `/api/places/search?q=${encodeURIComponent(q)}`, {
    token,
  });

/** A point `meters` north of `p` (1 degree of latitude is ~111.2 km). */
const north = (p: { lat: number; lon: number }, meters: number) => ({
  lat: p.lat + meters / 111_195,
  lon: p.lon,
});

async function createIncident(
  location: { lat: number; lon: number },
  receivedAt?: string,
): Promise<number> {
  const { status, body } = await t.request('POST', '/api/incidents', {
    token: dispatcher,
    body: { location, priority: 2, ...(receivedAt ? { receivedAt } : {}) },
  });
  expect(status).toBe(201);
  return body.id;
}

describe('GET /api/places/search', () => {
  it('finds a street and a crossing of the extract', async () => {
    const street = await search('av ipiranga');
    expect(street.status).toBe(200);
    expect(street.body.query).toBe('av ipiranga');
    expect(street.body.places[0]).toMatchObject({
      kind: 'street',
      name: 'Avenida Ipiranga',
    });
    const crossing = await search('Ipiranga y Azenha');
    expect(crossing.body.places[0]).toMatchObject({
      kind: 'crossing',
      name: 'Avenida Ipiranga & Avenida da Azenha',
    });
    const { lat, lon } = crossing.body.places[0].location;
    expect([lat.toFixed(3), lon.toFixed(3)]).toEqual(['-30.048', '-51.214']);
  });

  it('answers an empty list, not an error, when nothing matches', async () => {
    const { status, body } = await search('zzqxw');
    expect(status).toBe(200);
    expect(body.places).toEqual([]);
  });

  it('refuses an empty, blank, symbol-only, repeated or too long q', async () => {
    for (const path of [
      '/api/places/search',
      '/api/places/search?q=',
      '/api/places/search?q=%20%20',
      '/api/places/search?q=%26%26',
      '/api/places/search?q=a&q=b',
      `/api/places/search?q=${'a'.repeat(101)}`,
    ]) {
      const { status, body } = await t.request('GET', path, {
        token: dispatcher,
      });
      expect(status, path).toBe(400);
      expect(body.error.code, path).toBe('PLACE_QUERY_INVALID');
    }
    const limit = await t.request('GET', '/api/places/search?q=rua&limit=0', {
      token: dispatcher,
    });
    expect(limit.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('is for dispatchers and admins, signed in', async () => {
    expect((await search('ipiranga', planner)).status).toBe(403);
    const anonymous = await t.request('GET', '/api/places/search?q=ipiranga');
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /api/incidents/nearby', () => {
  it('lists open incidents within the distance and the time window, nearest first', async () => {
    const base = north(DOWNTOWN, 3000);
    const near = await createIncident(north(base, 100));
    const nearer = await createIncident(north(base, 40));
    const far = await createIncident(north(base, 400));
    const old = await createIncident(
      north(base, 10),
      new Date(Date.now() - 25 * 60_000).toISOString(),
    );
    const cancelled = await createIncident(north(base, 20));
    await t.request('POST', `/api/incidents/${cancelled}/cancel`, {
      token: dispatcher,
      body: { reason: 'duplicate' },
    });

    const { status, body } = await t.request(
      'GET',
      `/api/incidents/nearby?lat=${base.lat}&lon=${base.lon}`,
      { token: dispatcher },
    );
    expect(status).toBe(200);
    expect(body.withinMeters).toBe(250);
    expect(body.withinMinutes).toBe(20);
    const ids = body.incidents.map(
      (n: { incident: { id: number } }) => n.incident.id,
    );
    expect(ids).toEqual([nearer, near]);
    expect(ids).not.toContain(far);
    expect(ids).not.toContain(old);
    expect(
      body.incidents.map((n: { distanceMeters: number }) => n.distanceMeters),
    ).toEqual([40, 100]);
  });

  it('refuses a missing or out-of-range point', async () => {
    for (const query of ['', '?lat=-30', '?lat=abc&lon=-51', '?lat=91&lon=0']) {
      const { status, body } = await t.request(
        'GET',
        `/api/incidents/nearby${query}`,
        { token: dispatcher },
      );
      expect(status, query).toBe(400);
      expect(body.error.code, query).toBe('INVALID_COORDINATE');
    }
  });

  it('takes its distance and window from validated settings', () => {
    const config = readConfig({});
    expect([config.duplicateMeters, config.duplicateMinutes]).toEqual([
      200, 30,
    ]);
    expect(() => readConfig({ DISPATCH_DUPLICATE_METERS: '0' })).toThrow(
      ConfigError,
    );
    expect(() => readConfig({ DISPATCH_DUPLICATE_MINUTES: 'soon' })).toThrow(
      /DISPATCH_DUPLICATE_MINUTES/,
    );
  });
});

describe('route line and a unit freed before the scene', () => {
  it('gives the drive of a unit with its line, and flags the incident once its only unit is freed', async () => {
    const id = await createIncident(DOWNTOWN);
    const { body: ranked } = await t.request(
      'GET',
      `/api/incidents/${id}/recommendations`,
      { token: dispatcher },
    );
    const top = ranked[0];
    const { status, body: drive } = await t.request(
      'GET',
      `/api/incidents/${id}/route?unitId=${top.unitId}`,
      { token: dispatcher },
    );
    expect(status).toBe(200);
    expect(drive.origin.kind).toBe('station');
    expect(drive.route.geometry.type).toBe('LineString');
    expect(drive.route.geometry.coordinates.length).toBeGreaterThan(1);
    // The same drive the ranking measured, to the second.
    expect(Math.abs(drive.route.etaSeconds - top.etaSeconds)).toBeLessThan(2);

    const bad = await t.request('GET', `/api/incidents/${id}/route`, {
      token: dispatcher,
    });
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const unknown = await t.request(
      'GET',
      `/api/incidents/${id}/route?unitId=99999`,
      { token: dispatcher },
    );
    expect(unknown.body.error.code).toBe('UNIT_NOT_FOUND');

    const { body: fresh } = await t.request('GET', `/api/incidents/${id}`, {
      token: dispatcher,
    });
    expect(fresh.needsUnit).toBe(true);
    await t.request('POST', `/api/incidents/${id}/assign`, {
      token: dispatcher,
      body: { unitId: top.unitId },
    });
    const { body: assigned } = await t.request('GET', `/api/incidents/${id}`, {
      token: dispatcher,
    });
    expect(assigned).toMatchObject({ phase: 'dispatched', needsUnit: false });

    // The dispatcher frees the unit before it reaches the scene.
    const freed = await t.request('POST', `/api/units/${top.unitId}/status`, {
      token: dispatcher,
      body: { status: 'available' },
    });
    expect(freed.status).toBe(200);
    const { body: orphan } = await t.request('GET', `/api/incidents/${id}`, {
      token: dispatcher,
    });
    expect(orphan).toMatchObject({
      phase: 'dispatched',
      open: true,
      unitIds: [],
      needsUnit: true,
    });
    // And it is offered units again, the freed one among them.
    const { body: again } = await t.request(
      'GET',
      `/api/incidents/${id}/recommendations`,
      { token: dispatcher },
    );
    expect(again.map((r: { unitId: number }) => r.unitId)).toContain(
      top.unitId,
    );
  });
});
