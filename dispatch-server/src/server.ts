import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  FallbackRouter,
  roadNetworkGeoJson,
  createRouting,
  DEFAULT_CITY,
  loadCityPack,
  type CityPack,
  type Routing,
} from '@dispatch/routing';
import { createClient, type RedisClientType } from 'redis';
import type { Server as SocketServer } from 'socket.io';
import {
  RedisDwellStore,
  RedisThrottle,
  startOsmandServer,
  type Tracker,
} from '@dispatch/unit-tracker';

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
import { HealthMonitor } from './health.ts';
import { createApp, type Health } from './http/app.ts';
import { IncidentService } from './incidents/incident-service.ts';
import { createLogger, type Logger } from './log.ts';
import { placeIndexOf } from './places.ts';
import { clusterAdapter, linkPeers } from './realtime/cluster.ts';
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
  const clients: RedisClientType[] = [];
  try {
    return await serve(config, log, city, routing, db, (client) => {
      clients.push(client);
    });
  } catch (err) {
    // A failed start must not leave the database or Redis open.
    for (const client of clients) await closeRedis(client);
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
  let adapterRedis: RedisClientType | undefined;
  let failures: FailureCounter = new MemoryFailureCounter(
    config.loginWindowSeconds,
  );
  if (config.redisUrl) {
    redis = createClient({
      url: config.redisUrl,
      socket: { reconnectStrategy: (retries) => Math.min(retries * 200, 2000) },
      // While Redis is down a command fails at once (and the caller falls
      // back to memory) instead of waiting in a queue for the outage.
      disableOfflineQueue: true,
    }) as RedisClientType;
    keepRedis(redis);
    // Reconnects by itself; meanwhile callers fall back to memory. Logged
    // once per outage, not once per reconnection attempt.
    let redisDown = false;
    redis.on('error', (err: unknown) => {
      if (redisDown) return;
      redisDown = true;
      log.warn({ err }, 'redis connection error; degraded until it is back');
    });
    redis.on('ready', () => {
      if (redisDown) log.warn({}, 'redis connection restored');
      redisDown = false;
    });
    await redis.connect();
    // The socket.io adapter's client keeps node-redis's offline queue: its
    // stream reader then waits out an outage instead of spinning on
    // refusals, and what it publishes goes out late rather than never.
    adapterRedis = redis.duplicate({ disableOfflineQueue: false });
    keepRedis(adapterRedis);
    adapterRedis.on('error', () => {});
    await adapterRedis.connect();
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
  const store = createLiveStore(redis, config.redisPrefix, log);
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
    throttle: redis && new RedisThrottle(redis, config.redisPrefix),
    dwell:
      redis &&
      new RedisDwellStore(redis, {
        prefix: config.redisPrefix,
        onFailure: (err) => log.warn({ err }, 'arrival dwell in memory'),
      }),
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
    const storageOk = await withinMs(db.ping(), HEALTH_PING_MS).then(
      () => true,
      () => false,
    );
    const liveOk = redis ? redis.isReady : true;
    const track = tracker.trackStats;
    const osrm =
      routing.car instanceof FallbackRouter
        ? routing.car.primaryState
        : undefined;
    const routingOk = osrm ? osrm.ok : true;
    return {
      status: storageOk && liveOk && routingOk ? 'ok' : 'degraded',
      storage: { kind: db.kind, ok: storageOk },
      live: { kind: store.kind, ok: liveOk },
      tracker: { ...track, osmandPort: osmand?.port ?? null },
      routing: {
        source: osrm ? 'osrm+embedded' : 'embedded',
        osrm: Boolean(osrm),
        ok: routingOk,
        failures: osrm?.failures ?? 0,
        coolingDown: osrm?.coolingDown ?? false,
      },
    };
  };
  const monitor = new HealthMonitor({ check: health, log });
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
    log,
    health: monitor,
    adapter: adapterRedis && clusterAdapter(adapterRedis, config.redisPrefix),
  });
  if (adapterRedis) linkPeers(io, bus, log);
  await monitor.refresh();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    // The port is taken: undo what already listens before giving up.
    monitor.close();
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
      monitor.close();
      await io.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await osmand?.close();
      await tracker.close();
      if (adapterRedis) await closeRedis(adapterRedis);
      if (redis) await closeRedis(redis);
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

/**
 * Closes a Redis client: politely while connected, at once while not (a
 * polite close would wait for a Redis that may never come back).
 */
async function closeRedis(client: RedisClientType): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) await client.close().catch(() => client.destroy());
  else client.destroy();
}

/** A health ping slower than this counts as a failure. */
const HEALTH_PING_MS = 1000;

/** `promise`, or a rejection once `ms` have passed. */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
