import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  roadNetworkGeoJson,
  createRouting,
  DEFAULT_CITY,
  loadCityPack,
  type CityPack,
  type Routing,
} from '@dispatch/routing';
import { createClient, type RedisClientType } from 'redis';
import type { Server as SocketServer } from 'socket.io';
import { startOsmandServer, type Tracker } from '@dispatch/unit-tracker';

import { AuthService } from './auth/auth-service.ts';
import {
  FallbackFailureCounter,
  MemoryFailureCounter,
  RedisFailureCounter,
  type FailureCounter,
} from './auth/rate-limit.ts';
import { ensureAdmin, loadDemo } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { DomainBus } from './events.ts';
import { createApp, type Health } from './http/app.ts';
import { IncidentService } from './incidents/incident-service.ts';
import { createLogger, type Logger } from './log.ts';
import { placeIndexOf } from './places.ts';
import { attachSockets } from './realtime/sockets.ts';
import type { Database } from './storage/database.ts';
import { openDatabase } from './storage/open.ts';
import { createLiveStore, createTracker } from './tracking/setup.ts';
import { createDeviceDirectory } from './tracking/devices.ts';
import { UnitService } from './units/unit-service.ts';

/** A running dispatch server. */
export interface DispatchServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  port: number;
  city: CityPack;
  db: Database;
  routing: Routing;
  auth: AuthService;
  units: UnitService;
  incidents: IncidentService;
  bus: DomainBus;
  io: SocketServer;
  log: Logger;
  tracker: Tracker;
  /** The OsmAnd (Traccar Client) endpoint, unless disabled. */
  osmandUrl: string | undefined;
  /** Stops accepting, closes sockets, Redis and the database. */
  close(): Promise<void>;
}

/**
 * Starts the dispatch server: city pack and road graph, database
 * (migrated), optional Redis, admin and demo bootstrap, HTTP and sockets.
 */
export async function startServer(
  config: ServerConfig,
  options: { log?: Logger; env?: NodeJS.ProcessEnv } = {},
): Promise<DispatchServer> {
  const log = options.log ?? createLogger();
  const city = loadCityPack(config.city ?? DEFAULT_CITY);
  const routing = createRouting(city, options.env ?? process.env, log);
  const db = await openDatabase(config);
  log.info({ storage: db.kind }, 'database ready');
  let redis: RedisClientType | undefined;
  try {
    return await serve(config, log, city, routing, db, (client) => {
      redis = client;
    });
  } catch (err) {
    // A failed start must not leave the database or Redis open.
    await (redis as RedisClientType | undefined)?.quit().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}

async function serve(
  config: ServerConfig,
  log: Logger,
  city: CityPack,
  routing: Routing,
  db: Database,
  keepRedis: (client: RedisClientType) => void,
): Promise<DispatchServer> {
  let redis: RedisClientType | undefined;
  let failures: FailureCounter = new MemoryFailureCounter(
    config.loginWindowSeconds,
  );
  if (config.redisUrl) {
    redis = createClient({
      url: config.redisUrl,
      socket: { reconnectStrategy: (retries) => Math.min(retries * 200, 5000) },
    }) as RedisClientType;
    keepRedis(redis);
    // Reconnects by itself; meanwhile callers fall back to memory.
    redis.on('error', (err: unknown) =>
      log.warn({ err }, 'redis connection error'),
    );
    await redis.connect();
    failures = new FallbackFailureCounter(
      new RedisFailureCounter(
        redis,
        config.loginWindowSeconds,
        config.redisPrefix,
      ),
      failures,
      (err) => log.warn({ err }, 'redis unavailable; login limits per process'),
    );
  }

  const bus = new DomainBus();
  const auth = new AuthService({
    db,
    failures,
    tokenTtlSeconds: config.tokenTtlSeconds,
    maxFailures: config.loginMaxFailures,
  });
  const store = createLiveStore(redis, config.redisPrefix);
  const units = new UnitService({
    db,
    bus,
    targetSeconds: config.targetSeconds,
    positions: store,
    freshSeconds: config.fixFreshSeconds,
  });
  const incidents = new IncidentService({
    db,
    bus,
    router: routing.emergency,
    log,
    units,
    targetSeconds: config.targetSeconds,
    responsePlan: config.responsePlan,
    fixFreshSeconds: config.fixFreshSeconds,
    autoDispatchPriority1: config.autoDispatchPriority1,
    serviceArea: city.serviceArea,
    duplicateMeters: config.duplicateMeters,
    duplicateMinutes: config.duplicateMinutes,
  });

  await ensureAdmin(auth, config.adminPassword, log);
  if (config.demo) await loadDemo(db, city, auth, units, log);
  const tracker = await createTracker({
    config,
    city,
    db,
    store,
    router: routing.emergency,
    bus,
    log,
    units,
    incidents,
  });
  let osmand: Awaited<ReturnType<typeof startOsmandServer>> | undefined;
  try {
    osmand =
      config.tracker.osmandPort === null
        ? undefined
        : await startOsmandServer({
            port: config.tracker.osmandPort,
            host: config.host,
            tracker,
            devices: createDeviceDirectory(db, bus),
            log,
          });
  } catch (err) {
    await tracker.close();
    throw err;
  }

  const health = async (): Promise<Health> => {
    const storageOk = await db.ping().then(
      () => true,
      () => false,
    );
    const liveOk = redis ? redis.isReady : true;
    const track = tracker.trackStats;
    return {
      status: storageOk && liveOk ? 'ok' : 'degraded',
      storage: { kind: db.kind, ok: storageOk },
      live: { kind: store.kind, ok: liveOk },
      tracker: { ...track, osmandPort: osmand?.port ?? null },
      routing: {
        source: process.env.OSRM_URL ? 'osrm+embedded' : 'embedded',
        osrm: Boolean(process.env.OSRM_URL),
      },
    };
  };
  const app = createApp({
    db,
    bus,
    auth,
    units,
    incidents,
    tracker,
    targetSeconds: config.targetSeconds,
    city: cityInfo(city, config.targetSeconds, {
      url: config.tileUrl,
      attribution: config.tileAttribution,
    }),
    log,
    bodyLimitBytes: config.bodyLimitBytes,
    health,
    trustProxy: process.env.TRUST_PROXY === 'true',
    consoleDir: config.consoleDir,
    basemap: () => roadNetworkGeoJson(routing.embedded.graph),
    places: placeIndexOf(city, log),
  });
  const server = http.createServer(app);
  // Longer than the usual 60 s idle timeout of load balancers, so the
  // server never closes a kept-alive connection a proxy is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const io = attachSockets(server, {
    bus,
    auth,
    units,
    incidents,
    tracker,
    router: routing.emergency,
    log,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    // The port is taken: undo what already listens before giving up.
    await io.close().catch(() => {});
    await osmand?.close();
    await tracker.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, city: city.id }, 'dispatch server listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await io.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await osmand?.close();
      await tracker.close();
      if (redis) await redis.quit().catch(() => {});
      await db.close();
    })());
  return {
    url,
    port,
    city,
    db,
    routing,
    auth,
    units,
    incidents,
    bus,
    io,
    log,
    tracker,
    osmandUrl: osmand ? `http://${config.host}:${osmand.port}` : undefined,
    close,
  };
}

function cityInfo(
  city: CityPack,
  targetSeconds: number,
  tiles: { url: string | undefined; attribution: string | undefined },
) {
  return {
    tileUrl: tiles.url ?? null,
    tileAttribution: tiles.attribution ?? null,
    id: city.id,
    name: city.name,
    country: city.country,
    timeZone: city.timeZone,
    locale: city.locale,
    center: city.center,
    serviceArea: city.serviceArea,
    targetSeconds,
    stations: city.stationList,
    hospitals: city.hospitalList,
  };
}
