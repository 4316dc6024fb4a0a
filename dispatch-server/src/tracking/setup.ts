import type { CityPack, Router } from '@dispatch/routing';
import {
  FallbackLiveStore,
  MemoryLiveStore,
  RedisLiveStore,
  Tracker,
  TrackWriter,
  type DwellStore,
  type LiveStore,
  type SharedThrottle,
} from '@dispatch/unit-tracker';
import type { RedisClientType } from 'redis';

import { SYSTEM_ACTOR } from '../audit/audit.ts';
import type { ServerConfig } from '../config.ts';
import { DispatchError } from '../errors.ts';
import type { DomainBus } from '../events.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import type { Logger } from '../log.ts';
import { isAssignedStatus } from '../policy/index.ts';
import type { Database } from '../storage/database.ts';
import { isStorageUnavailable } from '../storage/failures.ts';
import type { UnitService } from '../units/unit-service.ts';
import type { UnitView } from '../units/views.ts';

/**
 * The live-state store: Redis when there is a client (falling back to
 * this process's memory while Redis is down), else memory.
 */
export function createLiveStore(
  redis: RedisClientType | undefined,
  prefix: string,
  log: Logger,
): LiveStore {
  if (!redis) return new MemoryLiveStore();
  let warned = 0;
  return new FallbackLiveStore(
    new RedisLiveStore(redis, prefix),
    () => redis.isReady,
    (err) => {
      // At most one line a minute however many fixes fail.
      if (Date.now() - warned < 60_000) return;
      warned = Date.now();
      log.warn({ err }, 'redis live state unavailable; positions in memory');
    },
  );
}

/**
 * Builds the unit tracker and connects it to dispatch: its position
 * batches, ETA updates and stale marks go out on the bus; its arrival
 * detections become `on_scene` / `at_hospital` status reports with source
 * `gps` (or offers to the crew, by `ARRIVAL_MODE`); status changes on the
 * bus tell it where each unit is heading.
 */
export async function createTracker(ctx: {
  config: ServerConfig;
  city: CityPack;
  db: Database;
  store: LiveStore;
  /** Shared by the processes (Redis): one ETA update per unit and period. */
  throttle?: SharedThrottle | undefined;
  /** Shared by the processes (Redis): one arrival dwell per unit. */
  dwell?: DwellStore | undefined;
  router: Router;
  bus: DomainBus;
  log: Logger;
  units: UnitService;
  incidents: IncidentService;
}): Promise<Tracker> {
  const { config, bus, log, units } = ctx;
  const writer = new TrackWriter({
    db: ctx.db,
    log,
    isTransient: isStorageUnavailable,
    // PGlite runs on this thread: smaller inserts keep its stalls near
    // 20 ms; a PostgreSQL server takes bigger ones for more rows per second.
    batchSize: ctx.db.kind === 'pglite' ? 1000 : 5000,
  });
  const tracker = new Tracker({
    store: ctx.store,
    ...(ctx.throttle ? { throttle: ctx.throttle } : {}),
    ...(ctx.dwell ? { dwell: ctx.dwell } : {}),
    writer,
    router: ctx.router,
    log,
    limits: {
      serviceArea: ctx.city.serviceArea,
      maxSpeedMps: config.tracker.maxSpeedMps,
      maxAccuracyMeters: config.tracker.maxAccuracyMeters,
    },
    hospitals: ctx.city.hospitalList
      .filter((hospital) => hospital.emergency)
      .map((hospital) => hospital.location),
    arrival: {
      sceneRadiusMeters: config.tracker.sceneRadiusMeters,
      hospitalRadiusMeters: config.tracker.hospitalRadiusMeters,
      slowSpeedMps: config.tracker.slowSpeedMps,
      dwellSeconds: config.tracker.dwellSeconds,
    },
    staleSeconds: config.fixFreshSeconds,
    on: {
      positions: (batch) => bus.emit('unit:positions', batch),
      eta: (update) => bus.emit('unit:eta', update),
      stale: (unitIds) => bus.emit('unit:stale', unitIds),
      arrival: (unitId, phase, at) => {
        if (config.tracker.arrivalMode === 'offer') {
          bus.emit('unit:arrival', { unitId, phase, at: at.toISOString() });
          return;
        }
        units
          .reportStatus(
            unitId,
            { status: phase, at, eventId: null },
            SYSTEM_ACTOR,
            { gps: true },
          )
          .then(
            ({ duplicate }) =>
              log.info({ unitId, phase, duplicate }, 'arrival from gps'),
            (err: unknown) => {
              // The crew pressed the button first, or the unit was freed.
              if (
                err instanceof DispatchError &&
                err.code === 'STATUS_TRANSITION_INVALID'
              ) {
                log.info({ unitId, phase }, 'gps arrival superseded');
              } else {
                log.error({ unitId, phase, err }, 'gps arrival not recorded');
              }
            },
          );
      },
    },
  });

  const locations = new Map<number, { lat: number; lon: number }>();
  const follow = async (unit: UnitView) => {
    const status = unit.status;
    if (
      unit.incidentId === null ||
      !isAssignedStatus(status) ||
      status === 'at_hospital'
    ) {
      tracker.setAssignment(unit.id, undefined);
      return;
    }
    let location = locations.get(unit.incidentId);
    if (!location) {
      location = (await ctx.incidents.get(unit.incidentId)).location;
      locations.set(unit.incidentId, location);
    }
    tracker.setAssignment(unit.id, {
      status,
      incidentId: unit.incidentId,
      incidentLocation: location,
    });
  };
  const onStatus = (unit: UnitView) => {
    follow(unit).catch((err: unknown) =>
      log.error({ unitId: unit.id, err }, 'tracker assignment not updated'),
    );
  };
  // Changes made through this process, and through the others: a unit's
  // fixes may arrive here while its status is changed elsewhere.
  bus.on('unit:status', onStatus);
  bus.on('unit:status:peer', onStatus);
  for (const unit of await units.list()) await follow(unit);
  return tracker;
}
