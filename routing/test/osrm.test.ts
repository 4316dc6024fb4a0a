import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { withSpeedFactor } from '../src/emergency.ts';
import type { EmbeddedRouter } from '../src/embedded/embedded-router.ts';
import { FallbackRouter } from '../src/fallback-router.ts';
import { OsrmRouter } from '../src/osrm/osrm-router.ts';
import type { RoutingLogger } from '../src/log.ts';
import type { ReachableLeg } from '../src/router.ts';
import { createOsrmHttpServer } from '../src/serve/osrm-http.ts';
import { decodePolyline } from '../src/serve/polyline.ts';
import { demoRouter } from './demo-graph.ts';

const centre = { lat: -30.0346, lon: -51.2177 };
const east = { lat: -30.0653, lon: -51.1513 };
const north = { lat: -30.0, lon: -51.18 };
const lake = { lat: -30.06, lon: -51.26 };

let embedded: EmbeddedRouter;
let served: http.Server;
let baseUrl: string;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** A server that answers every request with `body` after `delayMs`. */
function fakeOsrm(body: unknown, delayMs = 0): http.Server {
  return http.createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  });
}

beforeAll(async () => {
  embedded = demoRouter().router;
  served = createOsrmHttpServer({
    router: embedded,
    emergencySpeedFactor: 1.25,
  });
  baseUrl = await listen(served);
});

afterAll(() => {
  served.close();
});

describe('OSRM backend through routing:serve', () => {
  it('round-trips one-to-many, route and snap over real HTTP', async () => {
    const osrm = new OsrmRouter({ baseUrl, timeoutMs: 5000 });
    const origins = [east, north, lake];
    const viaHttp = await osrm.oneToMany(origins, centre);
    const local = await embedded.oneToMany(origins, centre);
    expect(viaHttp.source).toBe('osrm');
    expect(viaHttp.legs[2]).toEqual({
      reachable: false,
      reason: 'off_network',
    });
    for (const i of [0, 1]) {
      const a = viaHttp.legs[i] as ReachableLeg;
      const b = local.legs[i] as ReachableLeg;
      expect(Math.abs(a.etaSeconds - b.etaSeconds)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(a.distanceMeters - b.distanceMeters)).toBeLessThanOrEqual(
        0.05,
      );
    }
    const route = await osrm.route(east, centre);
    const localRoute = await embedded.route(east, centre);
    expect(route!.source).toBe('osrm');
    expect(route!.geometry.coordinates.length).toBe(
      localRoute!.geometry.coordinates.length,
    );
    expect(route!.etaSeconds).toBeCloseTo(localRoute!.etaSeconds, 0);
    const snap = await osrm.snap(centre);
    expect(snap!.name).toBe((await embedded.snap(centre))!.name);
    expect(await osrm.snap(lake)).toBeUndefined();
    await expect(osrm.oneToMany([east], lake)).rejects.toMatchObject({
      code: 'ROUTING_POINT_OFF_NETWORK',
    });
  });

  it('speaks OSRM JSON: polyline by default, table nulls, error codes', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${baseUrl}${path}`);
      return {
        status: res.status,
        body: (await res.json()) as Record<string, any>,
      };
    };
    const c = (p: { lat: number; lon: number }) => `${p.lon},${p.lat}`;
    const route = await get(`/route/v1/driving/${c(east)};${c(centre)}`);
    expect(route.status).toBe(200);
    expect(route.body.code).toBe('Ok');
    const line = decodePolyline(route.body.routes[0].geometry);
    expect(line[0]![0]).toBeCloseTo(route.body.waypoints[0].location[0], 4);
    const emergency = await get(
      `/route/v1/emergency/${c(east)};${c(centre)}?overview=false`,
    );
    expect(emergency.body.routes[0].duration).toBeCloseTo(
      route.body.routes[0].duration / 1.25,
      0,
    );
    expect(emergency.body.routes[0].geometry).toBeUndefined();

    const table = await get(
      `/table/v1/driving/${c(east)};${c(north)};${c(centre)}?sources=0;1&destinations=2&annotations=duration,distance`,
    );
    expect(table.body.durations).toHaveLength(2);
    expect(table.body.distances[0][0]).toBeGreaterThan(1000);

    const cases: [string, number, string][] = [
      [`/route/v1/driving/${c(east)}`, 400, 'InvalidOptions'],
      [`/route/v1/driving/0,0;${c(centre)}`, 400, 'NoSegment'],
      [`/route/v1/driving/-51.2,95;${c(centre)}`, 400, 'InvalidValue'],
      [`/route/v1/driving/abc;${c(centre)}`, 400, 'InvalidQuery'],
      [`/route/v1/bicycle/${c(east)};${c(centre)}`, 400, 'InvalidValue'],
      [`/route/v2/driving/${c(east)};${c(centre)}`, 400, 'InvalidVersion'],
      [`/isochrone/v1/driving/${c(east)}`, 400, 'InvalidService'],
      [
        `/route/v1/driving/${c(east)};${c(centre)}?steps=true`,
        400,
        'NotImplemented',
      ],
      [
        `/table/v1/driving/${c(east)};${c(centre)}?sources=7`,
        400,
        'InvalidOptions',
      ],
      [`/nearest/v1/driving/${c(east)}?number=0`, 400, 'InvalidOptions'],
      [`/nowhere`, 400, 'InvalidUrl'],
    ];
    for (const [path, status, code] of cases) {
      const res = await get(path);
      expect([path, res.status, res.body.code]).toEqual([path, status, code]);
      expect(typeof res.body.message).toBe('string');
    }
    expect((await get('/health')).status).toBe(200);
  });

  it('answers NoRoute when no legal drive joins the points', async () => {
    // Table with itself as sanity; NoRoute needs disconnected roads, which
    // the real extract's snappable network does not have, so the
    // OsrmRouter's handling is checked against a server that says so.
    const fake = fakeOsrm({ code: 'NoRoute', message: 'Impossible route' });
    const url = await listen(fake);
    try {
      const osrm = new OsrmRouter({ baseUrl: url });
      expect(await osrm.route(east, centre)).toBeUndefined();
    } finally {
      fake.close();
    }
  });
});

describe('fallback from OSRM to the embedded router', () => {
  const warnings: object[] = [];
  const logger: RoutingLogger = {
    info: () => {},
    warn: (ctx: object) => warnings.push(ctx),
  };

  it('answers from the embedded router when OSRM is down, and says so', async () => {
    const closed = http.createServer();
    const url = await listen(closed);
    closed.close();
    const router = new FallbackRouter(
      new OsrmRouter({ baseUrl: url }),
      embedded,
      { logger },
    );
    const result = await router.oneToMany([east], centre);
    expect(result.source).toBe('embedded');
    expect(result.fallbackReason).toMatch(/OSRM table failed/);
    expect(result.legs[0]).toEqual(
      (await embedded.oneToMany([east], centre)).legs[0],
    );
    const route = await router.route(east, centre);
    expect(route!.source).toBe('embedded');
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });

  it('answers within the time budget when OSRM is slow', async () => {
    const slow = fakeOsrm({ code: 'Ok' }, 3000);
    const url = await listen(slow);
    try {
      const router = new FallbackRouter(
        new OsrmRouter({ baseUrl: url, timeoutMs: 200 }),
        embedded,
      );
      const started = performance.now();
      const result = await router.oneToMany([east], centre);
      const elapsed = performance.now() - started;
      expect(result.source).toBe('embedded');
      expect(result.fallbackReason).toMatch(/longer than 200 ms/);
      // Budget plus the embedded query; generous for a busy machine.
      expect(elapsed).toBeLessThan(2500);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('never takes a malformed OSRM answer for zero seconds', async () => {
    const bodies = [
      { code: 'Ok' },
      { code: 'Ok', durations: [[0]], sources: [], destinations: [] },
      {
        code: 'Ok',
        durations: [['0']],
        distances: [[0]],
        sources: [{ location: [-51.15, -30.06], distance: 1, name: '' }],
        destinations: [{ location: [-51.21, -30.03], distance: 1, name: '' }],
      },
      'not json at all',
    ];
    for (const body of bodies) {
      const bad = fakeOsrm(body);
      const url = await listen(bad);
      try {
        await expect(
          new OsrmRouter({ baseUrl: url }).oneToMany([east], centre),
        ).rejects.toMatchObject({ code: 'ROUTING_UPSTREAM_FAILED' });
        const result = await new FallbackRouter(
          new OsrmRouter({ baseUrl: url }),
          embedded,
        ).oneToMany([east], centre);
        expect(result.source).toBe('embedded');
        expect((result.legs[0] as ReachableLeg).etaSeconds).toBeGreaterThan(60);
      } finally {
        bad.close();
      }
    }
  });

  it('skips a failing OSRM for a cool-down instead of paying its timeout each time', async () => {
    let requests = 0;
    const failing = http.createServer((_req, res) => {
      requests++;
      res.writeHead(500);
      res.end('oops');
    });
    const url = await listen(failing);
    try {
      const router = new FallbackRouter(
        new OsrmRouter({ baseUrl: url }),
        embedded,
        {
          failuresBeforeCooldown: 2,
          cooldownMs: 60_000,
        },
      );
      for (let i = 0; i < 5; i++) await router.oneToMany([east], centre);
      expect(requests).toBe(2);
    } finally {
      failing.close();
    }
  });

  it('passes bad input straight back instead of falling back', async () => {
    const router = new FallbackRouter(new OsrmRouter({ baseUrl }), embedded);
    await expect(router.oneToMany([], centre)).rejects.toMatchObject({
      code: 'ROUTING_NO_ORIGINS',
    });
    await expect(
      router.route({ lat: NaN, lon: 0 }, centre),
    ).rejects.toMatchObject({
      code: 'ROUTING_INVALID_COORDINATE',
    });
  });
});

describe('emergency profile', () => {
  it('divides every drive time by the speed factor, and rejects silly factors', async () => {
    const fast = withSpeedFactor(embedded, 1.2);
    const car = (await embedded.oneToMany([east], centre))
      .legs[0] as ReachableLeg;
    const lights = (await fast.oneToMany([east], centre))
      .legs[0] as ReachableLeg;
    expect(lights.etaSeconds).toBeCloseTo(car.etaSeconds / 1.2, 6);
    expect(lights.distanceMeters).toBe(car.distanceMeters);
    expect(() => withSpeedFactor(embedded, 0.5)).toThrow(/\[1, 2\]/);
    expect(() => withSpeedFactor(embedded, NaN)).toThrow();
  });
});
