/**
 * Scale-out: two real dispatch-server processes (child processes, as a
 * deployment runs them behind a balancer) on one PostgreSQL database and
 * one Redis prefix. Consoles on either see every event of both, exactly
 * once; a unit cannot be assigned twice whichever process takes the
 * requests; a revoked token's socket closes on the other process; a
 * position taken by one process is the other's too, and a status change
 * made through one reaches the other's tracker.
 *
 * Needs `DATABASE_URL` and `REDIS_URL` (PGlite cannot be shared between
 * processes); without them it says it was skipped.
 */
import crypto from 'node:crypto';

import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DOWNTOWN, freshPostgres } from './harness.ts';
import {
  connect,
  DISPATCHER,
  eventually,
  freePort,
  login,
  request,
  serverEnv,
  ServerProcess,
  sleep,
  waitHealthy,
} from './processes.ts';

const ADMIN_PASSWORD = 'cluster-test-admin-password';
const services = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
if (!services) {
  console.warn('cluster test skipped: it needs DATABASE_URL and REDIS_URL');
}

/** Every event of `names` a socket receives, in order. */
function record(socket: Socket, names: string[]) {
  const seen: { name: string; args: any[] }[] = [];
  for (const name of names) {
    socket.on(name, (...args: any[]) => seen.push({ name, args }));
  }
  return seen;
}

describe.skipIf(!services)(
  'two server processes on one database and Redis',
  () => {
    const servers: ServerProcess[] = [];
    const sockets: Socket[] = [];
    let postgres: Awaited<ReturnType<typeof freshPostgres>>;
    const prefix = `cluster-${crypto.randomBytes(4).toString('hex')}:`;
    const bases: string[] = [];
    let dispatcherToken: string;
    let adminToken: string;
    const killOnExit = () => servers.forEach((s) => s.killNow());

    beforeAll(async () => {
      process.once('exit', killOnExit);
      postgres = await freshPostgres();
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const server = new ServerProcess(
          serverEnv(port, {
            DATABASE_URL: postgres!.url,
            REDIS_URL: process.env.REDIS_URL,
            REDIS_PREFIX: prefix,
            DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
            DATA_DIR: undefined,
          }),
        );
        servers.push(server);
        // One after the other: the first migrates and loads the demo fleet.
        await waitHealthy(base, server);
        bases.push(base);
      }
      dispatcherToken = await login(
        bases[0]!,
        DISPATCHER.username,
        DISPATCHER.password,
      );
      adminToken = await login(bases[1]!, 'admin', ADMIN_PASSWORD);
    }, 400_000);

    afterAll(async () => {
      process.removeListener('exit', killOnExit);
      for (const socket of sockets) socket.disconnect();
      await Promise.all(servers.map((s) => s.kill()));
      await postgres?.drop();
    });

    const api = (i: number, method: string, path: string, body?: unknown) =>
      request(bases[i]!, method, path, { token: dispatcherToken, body });
    const socketOn = async (
      i: number,
      namespace: '/console' | '/tablet',
      token: string,
    ) => {
      const socket = await connect(bases[i]!, namespace, token);
      sockets.push(socket);
      return socket;
    };
    /**
     * A priority-1 call downtown taken through process 0 and assigned to
     * `unitId` through process `assignOn`; then a pause while the other
     * process's tracker learns of the assignment through Redis.
     */
    const assignedCall = async (
      assignOn: number,
      unitId: number,
      complaint: string,
    ): Promise<number> => {
      const call = await api(0, 'POST', '/api/incidents', {
        location: DOWNTOWN,
        priority: 1,
        complaint,
      });
      const assigned = await api(
        assignOn,
        'POST',
        `/api/incidents/${call.body.id}/assign`,
        { unitId },
      );
      expect(assigned.status).toBe(200);
      await sleep(500);
      return call.body.id;
    };

    it('tells consoles on both processes of every change, exactly once', async () => {
      const consoles = [
        await socketOn(0, '/console', dispatcherToken),
        await socketOn(1, '/console', dispatcherToken),
      ];
      const seen = consoles.map((c) =>
        record(c, ['incident:created', 'incident:phase', 'unit:status']),
      );
      // One call taken through each process, one assignment through each.
      const created = [
        await api(0, 'POST', '/api/incidents', {
          location: DOWNTOWN,
          priority: 2,
          complaint: 'cluster: taken on process 0',
        }),
        await api(1, 'POST', '/api/incidents', {
          location: { lat: -30.035, lon: -51.21 },
          priority: 2,
          complaint: 'cluster: taken on process 1',
        }),
      ];
      expect(created.map((c) => c.status)).toEqual([201, 201]);
      const units = (await api(1, 'GET', '/api/units')).body as {
        id: number;
        status: string;
      }[];
      const free = units.filter((u) => u.status === 'available');
      const assigned = [
        await api(1, 'POST', `/api/incidents/${created[0]!.body.id}/assign`, {
          unitId: free[0]!.id,
        }),
        await api(0, 'POST', `/api/incidents/${created[1]!.body.id}/assign`, {
          unitId: free[1]!.id,
        }),
      ];
      expect(assigned.map((a) => a.status)).toEqual([200, 200]);

      // Each console: two creations, two dispatched phases, two statuses.
      const expected = (list: (typeof seen)[number]) => {
        const created = list.filter((e) => e.name === 'incident:created');
        const phases = list.filter((e) => e.name === 'incident:phase');
        const statuses = list.filter((e) => e.name === 'unit:status');
        return (
          created.length >= 2 && phases.length >= 2 && statuses.length >= 2
        );
      };
      await eventually('events on both consoles', () =>
        seen.every(expected) ? true : undefined,
      );
      // Let duplicates, if any, arrive before counting.
      await sleep(1500);
      for (const [i, list] of seen.entries()) {
        const ids = (name: string) =>
          list
            .filter((e) => e.name === name)
            .map((e) => e.args[0].id as number)
            .sort((a, b) => a - b);
        const incidentIds = created.map((c) => c.body.id as number).sort();
        expect(ids('incident:created'), `console ${i}`).toEqual(incidentIds);
        expect(ids('incident:phase'), `console ${i}`).toEqual(incidentIds);
        expect(ids('unit:status'), `console ${i}`).toEqual(
          [free[0]!.id, free[1]!.id].sort((a, b) => a - b),
        );
        // The creation carries what the dispatcher entered, on both.
        const complaints = list
          .filter((e) => e.name === 'incident:created')
          .map((e) => e.args[0].complaint)
          .sort();
        expect(complaints).toEqual([
          'cluster: taken on process 0',
          'cluster: taken on process 1',
        ]);
      }
    });

    it('lets only one of two simultaneous assignments of a unit through, whichever processes take them', async () => {
      const units = (await api(0, 'GET', '/api/units')).body as {
        id: number;
        status: string;
      }[];
      const free = units.filter((u) => u.status === 'available').slice(0, 4);
      expect(free.length).toBe(4);
      for (const unit of free) {
        const calls = await Promise.all(
          [0, 1].map((i) =>
            api(i, 'POST', '/api/incidents', {
              location: DOWNTOWN,
              priority: 1,
              complaint: `race for unit ${unit.id} on ${i}`,
            }),
          ),
        );
        const answers = await Promise.all(
          calls.map((call, i) =>
            api(i, 'POST', `/api/incidents/${call.body.id}/assign`, {
              unitId: unit.id,
            }),
          ),
        );
        const statuses = answers.map((a) => a.status).sort();
        expect(statuses, JSON.stringify(answers.map((a) => a.body))).toEqual([
          200, 409,
        ]);
        const refused = answers.find((a) => a.status === 409)!;
        expect(refused.body.error.code).toBe('UNIT_NOT_AVAILABLE');
        const winner = answers.findIndex((a) => a.status === 200);
        // Both processes agree where the unit went.
        for (const i of [0, 1]) {
          const now = await api(i, 'GET', `/api/units/${unit.id}`);
          expect(now.body).toMatchObject({
            status: 'dispatched',
            incidentId: calls[winner]!.body.id,
          });
        }
      }
    });

    it('closes a revoked token’s sockets on the other process at once', async () => {
      const username = `cluster-d-${crypto.randomBytes(3).toString('hex')}`;
      const made = await request(bases[0]!, 'POST', '/api/users', {
        token: adminToken,
        body: { username, password: 'cluster-pass-123', role: 'dispatcher' },
      });
      expect(made.status).toBe(201);
      const token = await login(bases[1]!, username, 'cluster-pass-123');
      const console = await socketOn(1, '/console', token);
      const closed = new Promise<string>((resolve) =>
        console.once('disconnect', (reason) => resolve(reason)),
      );
      const revoked = await request(
        bases[0]!,
        'POST',
        `/api/users/${username}/revoke-tokens`,
        { token: adminToken },
      );
      expect(revoked.status).toBe(200);
      // Far sooner than the one-minute re-check of every socket's token.
      const reason = await Promise.race([
        closed,
        sleep(5000).then(() => 'still connected after 5 s'),
      ]);
      expect(reason).toBe('io server disconnect');
    });

    it('shares positions, and follows status changes made through the other process', async () => {
      const units = (await api(0, 'GET', '/api/units')).body as {
        id: number;
        status: string;
        callSign: string;
      }[];
      const unit = units.find((u) => u.status === 'available')!;
      const crew = await login(
        bases[1]!,
        `crew-${unit.callSign.toLowerCase()}`,
        'crew-demo-pass',
      );
      const tablet = await socketOn(1, '/tablet', crew);
      const console0 = await socketOn(0, '/console', dispatcherToken);
      const seen = record(console0, ['unit:positions', 'unit:eta']);

      // Assigned through process 0; its GPS reaches process 1.
      const incidentId = await assignedCall(
        0,
        unit.id,
        'cluster: eta across processes',
      );
      const fix = {
        lat: -30.04,
        lon: -51.22,
        at: new Date().toISOString(),
        speedMps: 10,
      };
      const ack = await tablet.timeout(10_000).emitWithAck('position', fix);
      expect(ack).toMatchObject({ ok: true, result: { accepted: true } });

      // Process 0 knows the position (Redis live state) and its console got
      // it, and the ETA process 1 computed for the assignment made on 0.
      const there = await api(0, 'GET', `/api/units/${unit.id}`);
      expect(there.body.lastPosition).toMatchObject({
        lat: fix.lat,
        lon: fix.lon,
        at: fix.at,
      });
      await eventually('position and eta on process 0', () =>
        seen.some((e) => e.name === 'unit:eta') &&
        seen.some((e) => e.name === 'unit:positions')
          ? true
          : undefined,
      );
      const eta = seen.find((e) => e.name === 'unit:eta')!.args[0];
      expect(eta).toMatchObject({ unitId: unit.id, incidentId });
      expect(eta.etaSeconds).toBeGreaterThan(0);
      const batch = seen.find((e) => e.name === 'unit:positions')!.args[0];
      expect(batch).toContainEqual(
        expect.objectContaining({ unitId: unit.id, lat: fix.lat }),
      );
    });
    it('takes one unit’s fixes through both processes: never moved back, one ETA per period', async () => {
      const units = (await api(0, 'GET', '/api/units')).body as {
        id: number;
        status: string;
        station: { lat: number; lon: number };
      }[];
      const unit = units.find((u) => u.status === 'available')!;
      const console0 = await socketOn(0, '/console', dispatcherToken);
      const etas: any[] = [];
      console0.on('unit:eta', (update: any) => {
        if (update.unitId === unit.id) etas.push(update);
      });
      const incidentId = await assignedCall(
        1,
        unit.id,
        'cluster: one unit on both processes',
      );

      const t0 = Date.now() - 10_000;
      const fixAt = (seconds: number, north: number) => ({
        lat: unit.station.lat + north,
        lon: unit.station.lon,
        at: new Date(t0 + seconds * 1000).toISOString(),
        speedMps: 5,
      });
      const send = (i: number, fix: ReturnType<typeof fixAt>) =>
        request(bases[i]!, 'POST', `/api/units/${unit.id}/positions`, {
          token: adminToken,
          body: { fixes: [fix] },
        });
      // Alternating processes, within one ETA period (5 s).
      for (const [i, seconds] of [
        [0, 0],
        [1, 1],
        [0, 2],
        [1, 3],
        [0, 4],
      ] as const) {
        const answer = await send(i, fixAt(seconds, seconds * 1e-5));
        expect(answer.body.results, `fix ${seconds} on ${i}`).toEqual([
          { accepted: true, live: true },
        ]);
      }
      // Older than process 0's last fix, newer than process 1's own: the
      // shared state says it is not the unit's position any more.
      const late = await send(1, fixAt(3.5, 9e-5));
      expect(late.body.results).toEqual([{ accepted: true, live: false }]);
      for (const i of [0, 1]) {
        const now = await api(i, 'GET', `/api/units/${unit.id}`);
        expect(now.body.lastPosition.at, `process ${i}`).toBe(fixAt(4, 0).at);
      }
      await sleep(2000);
      expect(etas, JSON.stringify(etas)).toHaveLength(1);
      expect(etas[0]).toMatchObject({ incidentId });
    });

    it('replays what a console missed during a short drop (connection state recovery through Redis)', async () => {
      const console1 = await connect(bases[1]!, '/console', dispatcherToken, {
        reconnect: true,
      });
      sockets.push(console1);
      const created: number[] = [];
      console1.on('incident:created', (incident: { id: number }) =>
        created.push(incident.id),
      );
      // The server must have sent something for the client to hold an
      // offset to recover from.
      const first = await api(0, 'POST', '/api/incidents', {
        location: DOWNTOWN,
        priority: 3,
        complaint: 'cluster: before the drop',
      });
      await eventually('first event', () =>
        created.includes(first.body.id) ? true : undefined,
      );
      const reconnected = new Promise<void>((resolve) =>
        console1.once('connect', () => resolve()),
      );
      // The network drops (the transport closes without a goodbye).
      console1.io.engine.close();
      const missed = await api(0, 'POST', '/api/incidents', {
        location: DOWNTOWN,
        priority: 3,
        complaint: 'cluster: during the drop',
      });
      expect(missed.status).toBe(201);
      await reconnected;
      expect(console1.recovered).toBe(true);
      await eventually('missed event replayed', () =>
        created.includes(missed.body.id) ? true : undefined,
      );
      expect(created.filter((id) => id === missed.body.id)).toHaveLength(1);
    });
  },
);
