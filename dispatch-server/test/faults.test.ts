/**
 * Dependency faults, injected for real while a server runs:
 * - Redis: a redis-server of the test's own (never the machine's shared
 *   one) is killed and started again on the same port;
 * - PostgreSQL: a TCP proxy between the server and the database is cut
 *   and restored (the shared PostgreSQL itself keeps running);
 * - the routing server: an HTTP server in front of nothing, that never
 *   answers, answers late, or refuses connections, as `OSRM_URL`.
 * Each time dispatch goes on as far as it can, says it is degraded
 * (`GET /healthz`, the consoles' `health` event), acknowledges nothing it
 * did not store, and recovers by itself, without a restart.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { spawnSync } from 'node:child_process';

import pg from 'pg';
import { createClient } from 'redis';
import { io as connectSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';

import {
  DOWNTOWN,
  freshPostgres,
  nextEvent,
  startTestServer,
  type TestServer,
} from './harness.ts';
import {
  eventually,
  freePort,
  redisAnswers,
  sleep,
  startRedis,
} from './processes.ts';

const redisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!redisServer) console.warn('Redis fault test skipped: no redis-server');
if (!process.env.DATABASE_URL) {
  console.warn('PostgreSQL fault test skipped: it needs DATABASE_URL');
}

/**
 * A console socket whose `health` events are recorded from before it
 * connects (the server sends one at once on connection).
 */
async function consoleWithHealth(t: TestServer, token: string) {
  const socket = connectSocket(t.url + '/console', {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    autoConnect: false,
    // Its own connection: the harness's sockets would share it otherwise.
    forceNew: true,
  });
  cleanups.push(() => void socket.disconnect());
  const seen: any[] = [];
  socket.on('health', (health: any) => seen.push(health));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
    socket.connect();
  });
  return {
    socket,
    seen,
    /** How many have arrived so far. */
    mark: () => seen.length,
    /** The first health event from index `from` on that matches. */
    until(
      what: string,
      matches: (health: any) => boolean,
      from = 0,
      timeoutMs = 20_000,
    ) {
      return eventually(what, () => seen.slice(from).find(matches), timeoutMs);
    },
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe.skipIf(!redisServer)('Redis stopped and started again', () => {
  it('goes on in degraded mode and recovers by itself', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = startRedis(port);
    cleanups.push(() => redis.kill());
    await eventually('redis-server up', () => redisAnswers(url));

    const prefix = `faults-${crypto.randomBytes(4).toString('hex')}:`;
    const t = await startTestServer({ REDIS_URL: url, REDIS_PREFIX: prefix });
    cleanups.push(() => t.close());
    const dispatcher = await t.login('dispatcher', 'dispatcher-demo');
    const health = await consoleWithHealth(t, dispatcher);
    const console = health.socket;
    await health.until('ok on connect', (h) => h.status === 'ok');
    expect((await t.request('GET', '/healthz')).body.live).toEqual({
      kind: 'redis',
      ok: true,
    });

    let mark = health.mark();
    await redis.kill();
    const down = await health.until('degraded', (h) => !h.live.ok, mark);
    expect(down.status).toBe('degraded');
    const healthz = await t.request('GET', '/healthz');
    expect(healthz.status).toBe(200);
    expect(healthz.body).toMatchObject({
      status: 'degraded',
      live: { kind: 'redis', ok: false },
      storage: { ok: true },
    });

    // Degraded, dispatch goes on: logins, intake, ranking, assignment, GPS,
    // and this process's consoles still hear of it.
    const crew = await t.login('crew-a01', 'crew-demo-pass');
    const created = nextEvent<[{ id: number }]>(console, 'incident:created');
    const call = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: DOWNTOWN, priority: 1, complaint: 'redis is down' },
    });
    expect(call.status).toBe(201);
    expect((await created)[0].id).toBe(call.body.id);
    const ranked = await t.request(
      'GET',
      `/api/incidents/${call.body.id}/recommendations`,
      { token: dispatcher },
    );
    expect(ranked.status).toBe(200);
    expect(ranked.body.length).toBeGreaterThan(0);
    const unitId = ranked.body[0].unitId as number;
    const assigned = await t.request(
      'POST',
      `/api/incidents/${call.body.id}/assign`,
      { token: dispatcher, body: { unitId } },
    );
    expect(assigned.status).toBe(200);
    const units = (await t.request('GET', '/api/units', { token: dispatcher }))
      .body as { id: number; callSign: string }[];
    const a01 = units.find((u) => u.callSign === 'A01')!;
    const positions = nextEvent<[{ unitId: number }[]]>(
      console,
      'unit:positions',
    );
    const during = { lat: -30.031, lon: -51.221, at: new Date().toISOString() };
    const fix = await t.request('POST', `/api/units/${a01.id}/positions`, {
      token: crew,
      body: { fixes: [during] },
    });
    expect(fix.status).toBe(200);
    expect(fix.body.results).toEqual([{ accepted: true, live: true }]);
    expect((await positions)[0]).toContainEqual(
      expect.objectContaining({ unitId: a01.id }),
    );
    const placed = await t.request('GET', `/api/units/${a01.id}`, {
      token: dispatcher,
    });
    expect(placed.body.lastPosition).toMatchObject({
      lat: during.lat,
      at: during.at,
    });

    // Redis back on the same port: the server reconnects by itself.
    mark = health.mark();
    redis = startRedis(port);
    await eventually('redis-server up again', () => redisAnswers(url));
    await health.until('ok again', (h) => h.status === 'ok' && h.live.ok, mark);
    expect((await t.request('GET', '/healthz')).body.live.ok).toBe(true);

    // Live state is in Redis again, and events flow through the adapter.
    await sleep(500);
    const after = {
      lat: -30.032,
      lon: -51.222,
      at: new Date(Date.now() + 1000).toISOString(),
    };
    const fixAfter = await t.request('POST', `/api/units/${a01.id}/positions`, {
      token: crew,
      body: { fixes: [after] },
    });
    expect(fixAfter.body.results).toEqual([{ accepted: true, live: true }]);
    const reader = createClient({ url });
    await reader.connect();
    cleanups.push(() => reader.quit().then(() => {}));
    const stored = await reader.hGet(
      `${prefix}dispatch:positions`,
      String(a01.id),
    );
    expect(JSON.parse(stored!)).toMatchObject({ unitId: a01.id, at: after.at });
    const createdAgain = nextEvent<[{ id: number }]>(
      console,
      'incident:created',
    );
    const second = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: DOWNTOWN, priority: 2, complaint: 'redis is back' },
    });
    expect(second.status).toBe(201);
    expect((await createdAgain)[0].id).toBe(second.body.id);
    // The adapter wrote it to its stream: other processes get it too.
    const stream = await reader.xLen(`${prefix}socket.io`);
    expect(stream).toBeGreaterThan(0);
  }, 120_000);
});

/**
 * A TCP proxy to PostgreSQL that can be cut (every connection dropped,
 * new ones refused) and restored on the same port.
 */
class CuttableProxy {
  readonly port: number;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;

  constructor(port: number, target: { host: string; port: number }) {
    this.port = port;
    this.#target = target;
  }

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.#target.port, this.#target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server)
      await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe.skipIf(!process.env.DATABASE_URL)('PostgreSQL unreachable', () => {
  it('refuses writes with 503 STORAGE_UNAVAILABLE, stores nothing it refused, and recovers without a restart', async () => {
    const db = (await freshPostgres())!;
    cleanups.push(() => db.drop());
    const real = new URL(db.url);
    const proxy = new CuttableProxy(await freePort(), {
      host: real.hostname,
      port: Number(real.port || 5432),
    });
    await proxy.open();
    cleanups.push(() => proxy.cut());
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const t = await startTestServer({ DATABASE_URL: viaProxy.toString() });
    cleanups.push(() => t.close());
    const records = new pg.Client({ connectionString: db.url });
    await records.connect();
    cleanups.push(() => records.end());
    const runId = crypto.randomBytes(4).toString('hex');

    const dispatcher = await t.login('dispatcher', 'dispatcher-demo');
    const crew = await t.login('crew-a01', 'crew-demo-pass');
    const health = await consoleWithHealth(t, dispatcher);
    const tablet = await t.socket('/tablet', crew);
    await health.until('ok on connect', (h) => h.status === 'ok');
    const intake = (complaint: string) =>
      t.request('POST', '/api/incidents', {
        token: dispatcher,
        body: { location: DOWNTOWN, priority: 2, complaint },
      });
    const before = await intake(`faults ${runId} before`);
    expect(before.status).toBe(201);
    const units = (await t.request('GET', '/api/units', { token: dispatcher }))
      .body as { id: number; callSign: string; status: string }[];
    const a01 = units.find((u) => u.callSign === 'A01')!;

    let mark = health.mark();
    await proxy.cut();
    const down = await health.until('degraded', (h) => !h.storage.ok, mark);
    expect(down.status).toBe('degraded');
    const healthz = await t.request('GET', '/healthz');
    expect(healthz.status).toBe(503);
    expect(healthz.body).toMatchObject({
      status: 'degraded',
      storage: { kind: 'postgres', ok: false },
    });

    // Every write is refused, clearly; so are reads that need the records.
    const refused = [
      await intake(`faults ${runId} refused 1`),
      await intake(`faults ${runId} refused 2`),
      await t.request('POST', `/api/incidents/${before.body.id}/assign`, {
        token: dispatcher,
        body: { unitId: a01.id },
      }),
      await t.request('POST', `/api/units/${a01.id}/status`, {
        token: crew,
        body: { status: 'out_of_service', eventId: `faults-${runId}` },
      }),
      await t.request('GET', '/api/incidents?open=true', { token: dispatcher }),
    ];
    for (const answer of refused) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body.error.code).toBe('STORAGE_UNAVAILABLE');
      expect(answer.body.error.message).toMatch(/database|stored/);
    }
    // An HTTP batch is refused too (its token and unit are looked up in
    // the records). A tablet's socket, authenticated before the outage,
    // still moves the unit on the map (live state), but its fix is not
    // acknowledged: the track cannot store it, so the tablet keeps it and
    // resends; the queued write goes in once the database is back.
    const fix = { lat: -30.031, lon: -51.221, at: new Date().toISOString() };
    const batch = await t.request('POST', `/api/units/${a01.id}/positions`, {
      token: crew,
      body: { fixes: [fix] },
    });
    expect(batch.status).toBe(503);
    expect(batch.body.error.code).toBe('STORAGE_UNAVAILABLE');
    const gps = await tablet.timeout(15_000).emitWithAck('position', fix);
    expect(gps).toMatchObject({
      ok: false,
      error: { code: 'STORAGE_UNAVAILABLE' },
    });

    mark = health.mark();
    await proxy.open();
    await health.until(
      'ok again',
      (h) => h.storage.ok && h.status === 'ok',
      mark,
    );
    expect((await t.request('GET', '/healthz')).status).toBe(200);
    const after = await intake(`faults ${runId} after`);
    expect(after.status).toBe(201);
    const assigned = await t.request(
      'POST',
      `/api/incidents/${before.body.id}/assign`,
      { token: dispatcher, body: { unitId: a01.id } },
    );
    expect(assigned.status).toBe(200);

    // The records: what was acknowledged, once; nothing that was refused.
    const stored = await records.query<{ complaint: string }>(
      'SELECT complaint FROM incidents WHERE complaint LIKE $1 ORDER BY id',
      [`faults ${runId}%`],
    );
    expect(stored.rows.map((r) => r.complaint)).toEqual([
      `faults ${runId} before`,
      `faults ${runId} after`,
    ]);
    const statuses = await records.query(
      "SELECT 1 FROM unit_status_events WHERE unit_id = $1 AND status = 'out_of_service'",
      [a01.id],
    );
    expect(statuses.rowCount).toBe(0);
    // The tablet's resend is answered once the queued write is in.
    const resent = await tablet.timeout(15_000).emitWithAck('position', fix);
    expect(resent).toMatchObject({ ok: true });
    await eventually('queued fix written', async () => {
      const track = await records.query(
        'SELECT 1 FROM unit_track WHERE unit_id = $1 AND at = $2',
        [a01.id, fix.at],
      );
      return track.rowCount === 1 ? true : undefined;
    });
  }, 120_000);
});

/**
 * A stand-in for OSRM in front of nothing: it holds requests open without
 * answering (`silent`), answers after 10 s (`slow`), or stops listening,
 * so connections are refused (`closed`).
 */
class BadOsrm {
  behaviour: 'silent' | 'slow' = 'silent';
  requests = 0;
  readonly #server = http.createServer((_req, res) => {
    this.requests++;
    if (this.behaviour === 'silent') return;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'Ok' }));
    }, 10_000).unref();
  });
  url = '';

  async listen(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.#server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = this.#server.address() as net.AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe('the routing server down or slow', () => {
  it('ranks units from the embedded router, flagged, whether OSRM is silent, slow or closed, and says routing is degraded', async () => {
    const osrm = new BadOsrm();
    await osrm.listen();
    cleanups.push(() => osrm.close());
    const saved = { ...process.env };
    // The routing setup reads the process environment.
    process.env.OSRM_URL = osrm.url;
    process.env.OSRM_TIMEOUT_MS = '300';
    let t: TestServer;
    try {
      t = await startTestServer();
    } finally {
      process.env = saved;
    }
    cleanups.push(() => t.close());
    const dispatcher = await t.login('dispatcher', 'dispatcher-demo');
    const health = await consoleWithHealth(t, dispatcher);
    const call = await t.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: DOWNTOWN, priority: 1, complaint: 'osrm fault' },
    });
    expect(call.status).toBe(201);
    const mark = health.mark();

    // One query per behaviour; the third failure in a row makes the
    // router skip OSRM for a while, which the fourth shows.
    const reasons: string[] = [];
    for (const behaviour of ['silent', 'slow', 'closed', 'cooling'] as const) {
      if (behaviour === 'silent' || behaviour === 'slow') {
        osrm.behaviour = behaviour;
      } else if (behaviour === 'closed') {
        await osrm.close();
      }
      const started = performance.now();
      const ranked = await t.request(
        'GET',
        `/api/incidents/${call.body.id}/recommendations`,
        { token: dispatcher },
      );
      const elapsedMs = performance.now() - started;
      expect(ranked.status, behaviour).toBe(200);
      expect(ranked.body.length).toBeGreaterThan(0);
      for (const recommendation of ranked.body) {
        expect(recommendation.source, behaviour).toBe('embedded');
        expect(recommendation.fallbackReason).toEqual(expect.any(String));
      }
      const reachable = ranked.body.filter((r: any) => r.etaSeconds !== null);
      expect(reachable.length, behaviour).toBeGreaterThan(0);
      // Not a speed goal: it shows the answer did not wait for the
      // upstream (which answers after 10 s, or never).
      expect(elapsedMs, behaviour).toBeLessThan(5000);
      reasons.push(ranked.body[0].fallbackReason);
    }
    expect(reasons[3]).toMatch(/cooling down/);
    expect(osrm.requests).toBe(2);

    const degraded = await health.until(
      'routing degraded',
      (h) => !h.routing.ok,
      mark,
    );
    expect(degraded).toMatchObject({
      status: 'degraded',
      routing: { osrm: true, ok: false },
    });
    const healthz = await t.request('GET', '/healthz');
    expect(healthz.status).toBe(200);
    expect(healthz.body.routing).toMatchObject({
      ok: false,
      failures: 3,
      coolingDown: true,
    });
  }, 120_000);
});
