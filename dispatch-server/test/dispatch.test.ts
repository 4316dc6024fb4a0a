import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DOWNTOWN,
  NORTH,
  startTestServer,
  type TestServer,
} from './harness.ts';

// On PGlite always, and on PostgreSQL too when DATABASE_URL is set: one
// schema and the same queries must work on both.
const backends = [
  'pglite',
  ...(process.env.DATABASE_URL ? ['postgres'] : []),
] as const;

describe.each(backends)('dispatch on %s', (backend) => {
  let t: TestServer;
  let token: string;

  beforeAll(async () => {
    t = await startTestServer(
      {},
      { storage: backend === 'pglite' ? 'pglite' : 'default' },
    );
    expect(t.server.db.kind).toBe(backend);
    token = await t.login('dispatcher', 'dispatcher-demo');
  });
  afterAll(() => t?.close());

  const call = (
    method: string,
    path: string,
    body?: unknown,
    as: string = token,
  ) => t.request(method, path, { token: as, ...(body ? { body } : {}) });

  async function intake(body: Record<string, unknown> = {}) {
    const { status, body: incident } = await call('POST', '/api/incidents', {
      location: DOWNTOWN,
      priority: 2,
      complaint: 'fall',
      ...body,
    });
    expect(status).toBe(201);
    return incident;
  }

  async function setStatus(unitId: number, status: string, extra = {}) {
    return call('POST', `/api/units/${unitId}/status`, { status, ...extra });
  }

  describe('incident lifecycle', () => {
    it('takes a call, ranks units by drive time and logs every phase with its intervals', async () => {
      const receivedAt = new Date(Date.now() - 30_000).toISOString();
      const incident = await intake({ receivedAt, address: 'Rua X, 100' });
      expect(incident).toMatchObject({
        phase: 'received',
        open: true,
        receivedAt,
      });

      const { body: ranked } = await call(
        'GET',
        `/api/incidents/${incident.id}/recommendations`,
      );
      expect(ranked.length).toBeGreaterThan(2);
      const etas = ranked.map((r: { etaSeconds: number }) => r.etaSeconds);
      expect(etas.every((eta: number) => eta > 0)).toBe(true);
      expect([...etas].sort((a, b) => a - b)).toEqual(etas);
      expect(ranked[0]).toMatchObject({
        rank: 1,
        source: 'embedded',
        origin: 'station',
        reachable: true,
      });
      // The top unit's ETA is the router's drive time from its station.
      const top = ranked[0];
      const { body: unit } = await call('GET', `/api/units/${top.unitId}`);
      const direct = await t.server.routing.emergency.oneToMany(
        [unit.station],
        DOWNTOWN,
      );
      expect(direct.legs[0]).toMatchObject({ etaSeconds: top.etaSeconds });

      const assigned = await call(
        'POST',
        `/api/incidents/${incident.id}/assign`,
        {
          unitId: top.unitId,
        },
      );
      expect(assigned.status).toBe(200);
      expect(assigned.body.unit).toMatchObject({
        status: 'dispatched',
        incidentId: incident.id,
      });
      expect(assigned.body.incident.unitIds).toEqual([top.unitId]);

      for (const status of ['en_route', 'on_scene', 'transporting']) {
        expect((await setStatus(top.unitId, status)).status).toBe(200);
      }
      expect((await setStatus(top.unitId, 'at_hospital')).status).toBe(200);
      const cleared = await setStatus(top.unitId, 'available');
      expect(cleared.body.unit).toMatchObject({
        status: 'available',
        incidentId: null,
      });

      const { body: done } = await call('GET', `/api/incidents/${incident.id}`);
      expect(done.timeline.map((e: { phase: string }) => e.phase)).toEqual([
        'received',
        'dispatched',
        'en_route',
        'on_scene',
        'transporting',
        'at_hospital',
        'closed',
      ]);
      expect(done).toMatchObject({ phase: 'closed', open: false, unitIds: [] });
      expect(done.timeline[1]).toMatchObject({
        unitId: top.unitId,
        actor: 'dispatcher',
        source: 'dispatcher',
      });
      // received 30 s ago: call processing and response include those 30 s.
      expect(done.intervals.callProcessing).toBeGreaterThanOrEqual(30);
      expect(done.intervals.response).toBeGreaterThanOrEqual(
        done.intervals.callProcessing + done.intervals.turnout,
      );
      expect(done.withinTarget).toBe(true);
    });

    it('gives exactly one success when two dispatchers assign one unit at once', async () => {
      const a = await intake();
      const b = await intake({ location: NORTH });
      const { body: units } = await call('GET', '/api/units');
      const free = units.find(
        (u: { status: string }) => u.status === 'available',
      );
      const second = await t.login('admin', 'test-admin-password');
      const answers = await Promise.all([
        call('POST', `/api/incidents/${a.id}/assign`, { unitId: free.id }),
        call(
          'POST',
          `/api/incidents/${b.id}/assign`,
          { unitId: free.id },
          second,
        ),
      ]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const refused = answers.find((r) => r.status === 409);
      expect(refused?.body.error.code).toBe('UNIT_NOT_AVAILABLE');
      const { body: unit } = await call('GET', `/api/units/${free.id}`);
      expect(unit.status).toBe('dispatched');
      // Only one dispatched event was stored for that unit.
      const rows = await t.server.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM unit_status_events
        WHERE unit_id = $1 AND status = 'dispatched'
          AND incident_id = ANY($2::int[])`,
        [free.id, [a.id, b.id]],
      );
      expect(rows[0]?.n).toBe(1);
      await call('POST', `/api/incidents/${a.id}/cancel`, { reason: 'test' });
      await call('POST', `/api/incidents/${b.id}/cancel`, { reason: 'test' });
    });

    it('applies a repeated status report once, by its eventId', async () => {
      const incident = await intake();
      const { body: ranked } = await call(
        'GET',
        `/api/incidents/${incident.id}/recommendations`,
      );
      const unitId = ranked[0].unitId;
      await call('POST', `/api/incidents/${incident.id}/assign`, { unitId });
      const first = await setStatus(unitId, 'en_route', { eventId: 'tab-1-7' });
      const again = await setStatus(unitId, 'en_route', { eventId: 'tab-1-7' });
      expect(first.body.duplicate).toBe(false);
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      const { body } = await call('GET', `/api/incidents/${incident.id}`);
      expect(
        body.timeline.filter((e: { phase: string }) => e.phase === 'en_route'),
      ).toHaveLength(1);
      const cancelled = await call(
        'POST',
        `/api/incidents/${incident.id}/cancel`,
        { reason: 'caller called back: not needed' },
      );
      expect(cancelled.body).toMatchObject({ phase: 'cancelled', unitIds: [] });
      const { body: unit } = await call('GET', `/api/units/${unitId}`);
      expect(unit.status).toBe('available');
    });

    it('ranks a unit from its fresh GPS fix instead of its far station', async () => {
      const incident = await intake({ location: NORTH, priority: 3 });
      const { body: before } = await call(
        'GET',
        `/api/incidents/${incident.id}/recommendations`,
      );
      const last = before.at(-1);
      const slowest = before.at(-2);
      // Put the slowest unit's GPS fix beside the incident.
      const [result] = await t.server.tracker.ingest(
        last.unitId,
        [{ ...NORTH, at: new Date() }],
        'tablet',
      );
      expect(result).toEqual({ accepted: true, live: true });
      const { body: after } = await call(
        'GET',
        `/api/incidents/${incident.id}/recommendations`,
      );
      expect(after[0]).toMatchObject({ unitId: last.unitId, origin: 'gps' });
      expect(after[0].etaSeconds).toBeLessThan(before[0].etaSeconds);
      // A fix older than the freshness limit no longer places a unit.
      await t.server.tracker.ingest(
        slowest.unitId,
        [{ ...NORTH, at: new Date(Date.now() - 10 * 60_000) }],
        'tablet',
      );
      const { body: unit } = await call('GET', `/api/units/${slowest.unitId}`);
      expect(unit).toMatchObject({
        stale: true,
        lastPosition: { lat: NORTH.lat },
      });
      const { body: stale } = await call(
        'GET',
        `/api/incidents/${incident.id}/recommendations`,
      );
      const line = stale.find(
        (r: { unitId: number }) => r.unitId === slowest.unitId,
      );
      expect(line.origin).toBe('station');
      expect(line.reasons.join(' ')).toMatch(/stale/);
      await call('POST', `/api/incidents/${incident.id}/cancel`, {
        reason: 'x',
      });
    });

    it('reports p50/p90 per interval and the share within target, per priority', async () => {
      const { body: report } = await call(
        'GET',
        '/api/metrics/response-times?priority=2',
      );
      expect(report).toMatchObject({ priority: 2, targetSeconds: 180 });
      expect(report.count).toBeGreaterThanOrEqual(1);
      expect(report.intervals.response.count).toBeGreaterThanOrEqual(1);
      expect(report.withinTargetRatio).toBe(1);
      const { body: future } = await call(
        'GET',
        `/api/metrics/response-times?from=${new Date(Date.now() + 86400e3).toISOString()}`,
      );
      expect(future).toMatchObject({ count: 0, withinTargetRatio: null });
      expect(future.intervals.response).toEqual({
        count: 0,
        p50: null,
        p90: null,
      });
    });

    it('maps the road the available units reach in 3 minutes, smaller when one is out of service', async () => {
      const { body: all } = await call('GET', '/api/coverage');
      expect(all).toMatchObject({ withinSeconds: 180 });
      expect(all.units).toBeGreaterThan(5);
      expect(all.lengthMeters).toBeGreaterThan(10_000);
      expect(all.lines.length).toBeGreaterThan(10);
      const { body: units } = await call('GET', '/api/units');
      const free = units.filter(
        (u: { status: string }) => u.status === 'available',
      );
      // Both units of one station out of service: its area loses cover.
      const station = free[0].station;
      const pair = free.filter(
        (u: { station: { lat: number; lon: number } }) =>
          u.station.lat === station.lat && u.station.lon === station.lon,
      );
      for (const unit of pair) await setStatus(unit.id, 'out_of_service');
      // The coverage is cached for 2 s.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const { body: fewer } = await call('GET', '/api/coverage');
      expect(fewer.units).toBe(all.units - pair.length);
      expect(fewer.lengthMeters).toBeLessThan(all.lengthMeters);
      const { body: longer } = await call('GET', '/api/coverage?seconds=600');
      expect(longer.lengthMeters).toBeGreaterThan(fewer.lengthMeters);
      const bad = await call('GET', '/api/coverage?seconds=5');
      expect(bad.status).toBe(400);
      for (const unit of pair) await setStatus(unit.id, 'available');
    });

    it('lists open incidents only when asked', async () => {
      const open = await intake();
      const { body: list } = await call('GET', '/api/incidents?open=true');
      expect(list.every((i: { open: boolean }) => i.open)).toBe(true);
      expect(list.map((i: { id: number }) => i.id)).toContain(open.id);
      const { body: all } = await call('GET', '/api/incidents');
      expect(all.some((i: { open: boolean }) => !i.open)).toBe(true);
      await call('POST', `/api/incidents/${open.id}/cancel`, { reason: 'x' });
    });
  });

  describe('storage', () => {
    it('refuses to rewrite or delete the phase log', async () => {
      await expect(
        t.server.db.query("UPDATE incident_events SET phase = 'closed'"),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.server.db.query('DELETE FROM unit_status_events'),
      ).rejects.toThrow(/append-only/);
      await expect(t.server.db.query('DELETE FROM audit_log')).rejects.toThrow(
        /append-only/,
      );
    });
  });
});
