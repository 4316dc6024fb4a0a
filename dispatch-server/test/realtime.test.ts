import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Socket } from 'socket.io-client';

import {
  DOWNTOWN,
  nextEvent,
  startTestServer,
  type TestServer,
} from './harness.ts';

let t: TestServer;
let dispatcher: string;

beforeAll(async () => {
  t = await startTestServer();
  dispatcher = await t.login('dispatcher', 'dispatcher-demo');
});
afterAll(() => t?.close());

function emitWithAck<T>(socket: Socket, event: string, ...args: unknown[]) {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<T>;
}

describe('real-time consoles and tablets', () => {
  it('tells the console and the crew tablet of every step, and takes status from the tablet', async () => {
    const console = await t.socket('/console', dispatcher);
    const snapshot = await emitWithAck<{
      ok: boolean;
      units: { id: number; callSign: string }[];
    }>(console, 'snapshot');
    expect(snapshot.ok).toBe(true);
    expect(snapshot.units.length).toBe(14);

    const created = nextEvent<[{ id: number; callerPhone: string }]>(
      console,
      'incident:created',
    );
    const { body: incident } = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: {
        location: DOWNTOWN,
        priority: 1,
        complaint: 'unconscious',
        callerPhone: '+55 51 3333-0000',
      },
    });
    const [announced] = await created;
    expect(announced).toMatchObject({
      id: incident.id,
      callerPhone: '+55 51 3333-0000',
    });

    const { body: ranked } = await t.request(
      'GET',
      `/api/incidents/${incident.id}/recommendations`,
      { token: dispatcher },
    );
    const unit = snapshot.units.find((u) => u.id === ranked[0].unitId)!;
    const crewToken = await t.login(
      `crew-${unit.callSign.toLowerCase()}`,
      'crew-demo-pass',
    );
    const tablet = await t.socket('/tablet', crewToken);
    const assignment = nextEvent<
      [{ incident: { id: number }; route: { etaSeconds: number } | null }]
    >(tablet, 'assignment');
    const phaseOnConsole = nextEvent<[{ phase: string }, { phase: string }]>(
      console,
      'incident:phase',
    );
    await t.request('POST', `/api/incidents/${incident.id}/assign`, {
      token: dispatcher,
      body: { unitId: unit.id },
    });
    const [given] = await assignment;
    expect(given.incident.id).toBe(incident.id);
    expect(given.route?.etaSeconds).toBe(Math.round(ranked[0].etaSeconds));
    const [, dispatchedEvent] = await phaseOnConsole;
    expect(dispatchedEvent.phase).toBe('dispatched');

    const acked = await emitWithAck<{ ok: boolean; duplicate: boolean }>(
      tablet,
      'assignment:ack',
      { incidentId: incident.id },
    );
    expect(acked).toEqual({ ok: true, duplicate: false });

    // Fan-out is asynchronous (through Redis when configured): the
    // acknowledgement's phase may still be on its way; wait for en_route.
    const enRouteOnConsole = new Promise<[{ phase: string }]>((resolve) => {
      const listener = (incident: { phase: string }) => {
        if (incident.phase !== 'en_route') return;
        console.off('incident:phase', listener);
        resolve([incident]);
      };
      console.on('incident:phase', listener);
    });
    const report = await emitWithAck<{
      ok: boolean;
      unit: { status: string };
      duplicate: boolean;
    }>(tablet, 'status', { status: 'en_route', eventId: 'ev-1' });
    expect(report).toMatchObject({
      ok: true,
      duplicate: false,
      unit: { status: 'en_route' },
    });
    const [afterEnRoute] = await enRouteOnConsole;
    expect(afterEnRoute.phase).toBe('en_route');

    const replay = await emitWithAck<{ ok: boolean; duplicate: boolean }>(
      tablet,
      'status',
      { status: 'en_route', eventId: 'ev-1' },
    );
    expect(replay).toMatchObject({ ok: true, duplicate: true });

    const refused = await emitWithAck<{
      ok: boolean;
      error: { code: string };
    }>(tablet, 'status', { status: 'dispatched' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'STATUS_TRANSITION_INVALID' },
    });

    const positions = nextEvent<[{ unitId: number; lat: number }[]]>(
      console,
      'unit:positions',
    );
    const moved = await emitWithAck<{ ok: boolean; result: unknown }>(
      tablet,
      'position',
      { lat: -30.03, lon: -51.22, at: new Date().toISOString() },
    );
    expect(moved).toEqual({ ok: true, result: { accepted: true, live: true } });
    expect((await positions)[0]).toEqual([
      expect.objectContaining({ unitId: unit.id, lat: -30.03 }),
    ]);

    const tabletSnapshot = await emitWithAck<{
      ok: boolean;
      unit: { status: string };
      assignment: { incident: { id: number } } | null;
    }>(tablet, 'snapshot');
    expect(tabletSnapshot.unit.status).toBe('en_route');
    expect(tabletSnapshot.assignment?.incident.id).toBe(incident.id);

    const cancelled = nextEvent<[{ incidentId: number }]>(
      tablet,
      'assignment:cancelled',
    );
    await t.request('POST', `/api/incidents/${incident.id}/cancel`, {
      token: dispatcher,
      body: { reason: 'duplicate call' },
    });
    expect((await cancelled)[0].incidentId).toBe(incident.id);
  });

  it("starts the crew's route where the ranking and the console's line start: a stale fix gives way to the station", async () => {
    const { body: units } = await t.request('GET', '/api/units', {
      token: dispatcher,
    });
    const unit = (
      units as {
        id: number;
        callSign: string;
        status: string;
        station: { lat: number; lon: number };
      }[]
    ).find((u) => u.callSign === 'B14' && u.status === 'available')!;
    expect(unit).toBeDefined();
    const crew = await t.login('crew-b14', 'crew-demo-pass');
    // A fix ten minutes old, about 2 km from the station: older than
    // DISPATCH_FIX_FRESH_SECONDS, so nobody should drive from it.
    const old = {
      lat: unit.station.lat + 0.018,
      lon: unit.station.lon,
      at: new Date(Date.now() - 10 * 60_000).toISOString(),
    };
    const fixed = await t.request('POST', `/api/units/${unit.id}/positions`, {
      token: crew,
      body: { fixes: [old] },
    });
    expect(fixed.body.accepted).toBe(1);
    const { body: incident } = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: DOWNTOWN, priority: 2, complaint: 'fainted' },
    });
    const tablet = await t.socket('/tablet', crew);
    const assignment = nextEvent<
      [{ route: { etaSeconds: number; geometry: { coordinates: number[][] } } }]
    >(tablet, 'assignment');
    const assigned = await t.request(
      'POST',
      `/api/incidents/${incident.id}/assign`,
      { token: dispatcher, body: { unitId: unit.id } },
    );
    expect(assigned.status).toBe(200);
    const [given] = await assignment;
    const { body: line } = await t.request(
      'GET',
      `/api/incidents/${incident.id}/route?unitId=${unit.id}`,
      { token: dispatcher },
    );
    expect(line.origin.kind).toBe('station');
    expect(given.route.etaSeconds).toBe(line.route.etaSeconds);
    const [lon, lat] = given.route.geometry.coordinates[0]!;
    const fromStation = Math.hypot(
      lat! - unit.station.lat,
      lon! - unit.station.lon,
    );
    const fromFix = Math.hypot(lat! - old.lat, lon! - old.lon);
    expect(fromStation).toBeLessThan(0.005);
    expect(fromFix).toBeGreaterThan(0.01);
    // The tablet's snapshot gives the same route.
    const snapshot = await emitWithAck<{
      assignment: { route: { etaSeconds: number } };
    }>(tablet, 'snapshot');
    expect(snapshot.assignment.route.etaSeconds).toBe(line.route.etaSeconds);
    await t.request('POST', `/api/incidents/${incident.id}/cancel`, {
      token: dispatcher,
      body: { reason: 'test' },
    });
  });

  it('sends planners incidents without the caller phone or complaint', async () => {
    const planner = await t.login('planner', 'planner-demo');
    const console = await t.socket('/console', planner);
    const created = nextEvent<[{ callerPhone: unknown; complaint: unknown }]>(
      console,
      'incident:created',
    );
    const { body: incident } = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: {
        location: DOWNTOWN,
        priority: 3,
        complaint: 'sprained ankle',
        callerPhone: '+55 51 1111-2222',
      },
    });
    expect((await created)[0]).toMatchObject({
      callerPhone: null,
      complaint: null,
    });
    await t.request('POST', `/api/incidents/${incident.id}/cancel`, {
      token: dispatcher,
      body: { reason: 'test' },
    });
  });

  it('answers a request whatever the client puts before the ack, instead of leaving it hanging', async () => {
    const console = await t.socket('/console', dispatcher);
    // A payload where none is expected: the snapshot still comes.
    const snapshot = await emitWithAck<{ ok: boolean; units: unknown[] }>(
      console,
      'snapshot',
      { junk: true },
    );
    expect(snapshot.ok).toBe(true);
    expect(snapshot.units.length).toBe(14);
    const crew = await t.login('crew-a01', 'crew-demo-pass');
    const tablet = await t.socket('/tablet', crew);
    // No payload where one is expected: refused, not ignored.
    const status = await emitWithAck<{ ok: boolean; error: { code: string } }>(
      tablet,
      'status',
    );
    expect(status).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    const fix = await emitWithAck<{ ok: boolean; error: { code: string } }>(
      tablet,
      'position',
    );
    expect(fix.ok).toBe(false);
  });
});
