import { RoutingError, type LatLon, type Router } from '@dispatch/routing';

import { audit, SYSTEM_ACTOR, type Actor } from '../audit/audit.ts';
import { DispatchError } from '../errors.ts';
import type { DomainBus } from '../events.ts';
import type { Logger } from '../log.ts';
import {
  rankCandidates,
  unitOrigin,
  type Priority,
  type Recommendation,
  type ResponsePlan,
} from '../policy/index.ts';
import type { Database, Queryable } from '../storage/database.ts';
import {
  insertStatusEvent,
  selectUnit,
  selectUnits,
  selectUnitsOnIncident,
} from '../units/unit-store.ts';
import type { UnitService } from '../units/unit-service.ts';
import type { UnitView } from '../units/views.ts';
import {
  insertIncident,
  insertPhaseEvent,
  lockIncident,
  selectIncident,
  selectIncidents,
  selectNearbyOpen,
  type IncidentQuery,
} from './incident-store.ts';
import type { DriveRoute, IncidentView } from './views.ts';

/** Road reachable in time by the available units (`GET /api/coverage`). */
export interface Coverage {
  withinSeconds: number;
  /** Available units the coverage starts from. */
  units: number;
  /** Length of road reachable in time, each road counted once. */
  lengthMeters: number;
  /** Reachable road pieces, each a list of [lon, lat]. */
  lines: number[][][];
}

function round5(value: number): number {
  return Math.round(value * 1e5) / 1e5;
}

/** An open incident near a new call's location: maybe the same emergency. */
export interface NearbyIncident {
  incident: IncidentView;
  distanceMeters: number;
}

/** The way from a unit to an incident (`GET /api/incidents/:id/route`). */
export interface UnitRoute {
  incidentId: number;
  unitId: number;
  /** Where the drive starts: the unit's fresh GPS fix, else its station. */
  origin: { kind: 'gps' | 'station'; location: LatLon };
  /** Null when no road leads there (explicitly, never zero seconds). */
  route: DriveRoute | null;
}

/** A new call, checked. */
export interface IntakeInput {
  location: LatLon;
  priority: Priority;
  complaint: string | null;
  address: string | null;
  callerPhone: string | null;
  receivedAt: Date;
}

/** Incidents: intake, ranking, assignment, cancellation. */
export class IncidentService {
  readonly #db: Database;
  readonly #bus: DomainBus;
  readonly #router: Router;
  readonly #log: Logger;
  readonly #units: UnitService;
  readonly #coverage = new Map<number, { at: number; value: Coverage }>();
  readonly #options: {
    targetSeconds: number;
    responsePlan: ResponsePlan;
    fixFreshSeconds: number;
    autoDispatchPriority1: boolean;
    serviceArea: readonly [number, number, number, number];
    duplicateMeters: number;
    duplicateMinutes: number;
  };

  constructor(options: {
    db: Database;
    bus: DomainBus;
    router: Router;
    log: Logger;
    /** For units' live positions. */
    units: UnitService;
    targetSeconds: number;
    responsePlan: ResponsePlan;
    fixFreshSeconds: number;
    autoDispatchPriority1: boolean;
    serviceArea: readonly [number, number, number, number];
    /** An open incident this close to a new call may be the same one. */
    duplicateMeters: number;
    /** ... when received within this many minutes. */
    duplicateMinutes: number;
  }) {
    this.#db = options.db;
    this.#bus = options.bus;
    this.#router = options.router;
    this.#log = options.log;
    this.#units = options.units;
    this.#options = options;
  }

  /**
   * Takes a call: stores the incident and its `received` event, committed
   * before this resolves. With auto-dispatch on, a priority-1 call gets
   * the top-ranked unit at once (a failure there leaves the call queued
   * for a dispatcher and is logged, never lost).
   * @throws DispatchError `OUTSIDE_SERVICE_AREA`
   */
  async create(input: IntakeInput, actor: Actor): Promise<IncidentView> {
    const [minLon, minLat, maxLon, maxLat] = this.#options.serviceArea;
    const { lat, lon } = input.location;
    if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) {
      throw new DispatchError(
        'OUTSIDE_SERVICE_AREA',
        `location ${lat}, ${lon} is outside the service area ` +
          `[${this.#options.serviceArea.join(', ')}] (minLon, minLat, maxLon, maxLat)`,
      );
    }
    const incident = await this.#db.transaction(async (tx) => {
      const id = await insertIncident(tx, {
        ...input,
        createdBy: actor.principal?.userId ?? null,
      });
      await audit(
        tx,
        actor,
        'incident.create',
        { type: 'incident', id },
        {
          priority: input.priority,
        },
      );
      return (await selectIncident(
        tx,
        id,
        this.#options.targetSeconds,
      )) as IncidentView;
    });
    this.#bus.emit('incident:created', incident);
    if (this.#options.autoDispatchPriority1 && input.priority === 1) {
      return this.#autoDispatch(incident);
    }
    return incident;
  }

  list(query: IncidentQuery): Promise<IncidentView[]> {
    return selectIncidents(this.#db, query, this.#options.targetSeconds);
  }

  /** @throws DispatchError `INCIDENT_NOT_FOUND` */
  async get(incidentId: number): Promise<IncidentView> {
    const incident = await selectIncident(
      this.#db,
      incidentId,
      this.#options.targetSeconds,
    );
    if (!incident) {
      throw new DispatchError(
        'INCIDENT_NOT_FOUND',
        `no incident ${incidentId}`,
      );
    }
    return incident;
  }

  /**
   * Available units ranked by road drive time to the incident, from each
   * unit's last fresh GPS fix or else its station, under the response
   * plan for the incident's priority. Empty for a closed incident.
   * @throws DispatchError `INCIDENT_NOT_FOUND`, `ROUTING_FAILED`
   */
  async recommend(incidentId: number): Promise<Recommendation[]> {
    const incident = await this.get(incidentId);
    if (!incident.open) return [];
    const units = await this.#units.withPositions(
      await selectUnits(this.#db, { status: 'available' }),
    );
    return this.#rank(incident, units);
  }

  /**
   * Assigns a unit to an incident. Transactional: the unit's row is locked
   * and its status read under the lock, so of two dispatchers assigning
   * the same unit at once exactly one succeeds; the other gets
   * `UNIT_NOT_AVAILABLE`. The crew's tablet is told once committed.
   * @throws DispatchError `INCIDENT_NOT_FOUND`, `UNIT_NOT_FOUND`,
   *   `INCIDENT_CLOSED`, `UNIT_ALREADY_ASSIGNED`, `UNIT_NOT_AVAILABLE`
   */
  async assign(
    incidentId: number,
    unitId: number,
    actor: Actor,
  ): Promise<{ incident: IncidentView; unit: UnitView }> {
    const now = new Date();
    const result = await this.#db.transaction(async (tx) => {
      // Lock order everywhere: the unit, then the incident.
      const unit = await selectUnit(tx, unitId, { lock: true });
      if (!unit) throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
      await this.#lockOpenIncident(tx, incidentId);
      if (unit.incidentId === incidentId) {
        throw new DispatchError(
          'UNIT_ALREADY_ASSIGNED',
          `unit ${unit.callSign} is already on incident ${incidentId}`,
        );
      }
      if (unit.status !== 'available') {
        throw new DispatchError(
          'UNIT_NOT_AVAILABLE',
          `unit ${unit.callSign} is ${unit.status}` +
            (unit.incidentId ? ` on incident ${unit.incidentId}` : ''),
        );
      }
      const actorUserId = actor.principal?.userId ?? null;
      await insertStatusEvent(tx, {
        unitId,
        status: 'dispatched',
        at: now,
        incidentId,
        actorUserId,
        source: actor.principal ? 'dispatcher' : 'system',
        eventId: null,
      });
      await insertPhaseEvent(tx, {
        incidentId,
        phase: 'dispatched',
        at: now,
        unitId,
        actorUserId,
        source: actor.principal ? 'dispatcher' : 'system',
      });
      await audit(
        tx,
        actor,
        'incident.assign',
        {
          type: 'incident',
          id: incidentId,
        },
        { unitId },
      );
      return {
        incident: (await selectIncident(
          tx,
          incidentId,
          this.#options.targetSeconds,
        )) as IncidentView,
        unit: (await selectUnit(tx, unitId)) as UnitView,
      };
    });
    result.unit = (
      await this.#units.withPositions([result.unit])
    )[0] as UnitView;
    this.#bus.emit('unit:status', result.unit);
    this.#bus.emit('unit:assigned', result.unit, result.incident);
    this.#bus.emit(
      'incident:phase',
      result.incident,
      result.incident.timeline.at(-1) as IncidentView['timeline'][number],
    );
    return result;
  }

  /**
   * Open incidents within the duplicate distance of `point`, received
   * within the duplicate window, nearest first: the calls a new call at
   * `point` may repeat. Read from the records (PostGIS `ST_DWithin` on
   * geography), so a call just taken at another desk, or by another
   * server process, counts even before this console hears of it.
   */
  async nearby(point: LatLon, now = new Date()): Promise<NearbyIncident[]> {
    const since = new Date(
      now.getTime() - this.#options.duplicateMinutes * 60_000,
    );
    const found = await selectNearbyOpen(
      this.#db,
      point,
      this.#options.duplicateMeters,
      since,
    );
    if (found.length === 0) return [];
    const views = await selectIncidents(
      this.#db,
      { ids: found.map((f) => f.id) },
      this.#options.targetSeconds,
    );
    const byId = new Map(views.map((view) => [view.id, view]));
    return found.flatMap(({ id, distanceMeters }) => {
      const incident = byId.get(id);
      return incident
        ? [{ incident, distanceMeters: Math.round(distanceMeters) }]
        : [];
    });
  }

  /** The duplicate-call settings, for the answer of `nearby`. */
  get duplicateWindow(): { withinMeters: number; withinMinutes: number } {
    return {
      withinMeters: this.#options.duplicateMeters,
      withinMinutes: this.#options.duplicateMinutes,
    };
  }

  /**
   * The drive from a unit to an incident, from where the ranking starts
   * it (fresh fix, else station), with its geometry: the line the console
   * draws for a recommendation or an assigned unit.
   * @throws DispatchError `INCIDENT_NOT_FOUND`, `UNIT_NOT_FOUND`,
   *   `ROUTING_FAILED`
   */
  async route(incidentId: number, unitId: number): Promise<UnitRoute> {
    return this.routeTo(await this.get(incidentId), unitId);
  }

  /** {@link route} for an incident the caller holds already. */
  async routeTo(incident: IncidentView, unitId: number): Promise<UnitRoute> {
    const incidentId = incident.id;
    const unit = await selectUnit(this.#db, unitId);
    if (!unit) throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
    const [placed] = await this.#units.withPositions([unit]);
    const from = this.#originOf(placed ?? unit, new Date());
    const origin = {
      kind: from.kind,
      location: { lat: from.location.lat, lon: from.location.lon },
    };
    let found;
    try {
      found = await this.#router.route(from.location, incident.location);
    } catch (err) {
      if (
        err instanceof RoutingError &&
        err.code === 'ROUTING_POINT_OFF_NETWORK'
      ) {
        return { incidentId, unitId, origin, route: null };
      }
      throw new DispatchError('ROUTING_FAILED', undefined, { cause: err });
    }
    return {
      incidentId,
      unitId,
      origin,
      route: found
        ? {
            geometry: found.geometry,
            etaSeconds: Math.round(found.etaSeconds),
            distanceMeters: Math.round(found.distanceMeters),
            source: found.source,
          }
        : null,
    };
  }

  /**
   * Cancels an open incident; its units become available again and their
   * tablets are told.
   * @throws DispatchError `INCIDENT_NOT_FOUND`, `INCIDENT_CLOSED`
   */
  async cancel(
    incidentId: number,
    reason: string,
    actor: Actor,
  ): Promise<IncidentView> {
    const now = new Date();
    let released: UnitView[] = [];
    const incident = await this.#db.transaction(async (tx) => {
      const assigned = await selectUnitsOnIncident(tx, incidentId);
      for (const unit of assigned) {
        await selectUnit(tx, unit.id, { lock: true });
      }
      await this.#lockOpenIncident(tx, incidentId);
      const actorUserId = actor.principal?.userId ?? null;
      // Re-read under the locks: a unit may have cleared meanwhile.
      const stillAssigned = await selectUnitsOnIncident(tx, incidentId);
      for (const unit of stillAssigned) {
        await insertStatusEvent(tx, {
          unitId: unit.id,
          status: 'available',
          at: now,
          incidentId,
          actorUserId,
          source: 'dispatcher',
          eventId: null,
        });
      }
      await insertPhaseEvent(tx, {
        incidentId,
        phase: 'cancelled',
        at: now,
        unitId: null,
        actorUserId,
        source: actor.principal ? 'dispatcher' : 'system',
        data: { reason },
      });
      await audit(
        tx,
        actor,
        'incident.cancel',
        {
          type: 'incident',
          id: incidentId,
        },
        { releasedUnits: stillAssigned.map((u) => u.id) },
      );
      released = await Promise.all(
        stillAssigned.map(
          async (u) => (await selectUnit(tx, u.id)) as UnitView,
        ),
      );
      return (await selectIncident(
        tx,
        incidentId,
        this.#options.targetSeconds,
      )) as IncidentView;
    });
    for (const unit of await this.#units.withPositions(released)) {
      this.#bus.emit('unit:status', unit);
      this.#bus.emit('unit:released', unit, incidentId, 'cancelled');
    }
    this.#bus.emit(
      'incident:phase',
      incident,
      incident.timeline.at(-1) as IncidentView['timeline'][number],
    );
    return incident;
  }

  /**
   * Locks an incident's row and checks it is still open, inside `tx`.
   * @throws DispatchError `INCIDENT_NOT_FOUND`, `INCIDENT_CLOSED`
   */
  async #lockOpenIncident(tx: Queryable, incidentId: number): Promise<void> {
    if (!(await lockIncident(tx, incidentId))) {
      throw new DispatchError(
        'INCIDENT_NOT_FOUND',
        `no incident ${incidentId}`,
      );
    }
    const incident = await selectIncident(
      tx,
      incidentId,
      this.#options.targetSeconds,
    );
    if (!incident?.open) {
      throw new DispatchError(
        'INCIDENT_CLOSED',
        `incident ${incidentId} is already ${incident?.phase}`,
      );
    }
  }

  /**
   * The road reachable within `seconds` by the nearest available unit,
   * each from its last fresh fix or its station: the live coverage map.
   * Cached for 2 s, since every console asks as units move.
   */
  async coverage(seconds: number): Promise<Coverage> {
    const cached = this.#coverage.get(seconds);
    if (cached && Date.now() - cached.at < 2000) return cached.value;
    const units = await this.#units.withPositions(
      await selectUnits(this.#db, { status: 'available' }),
    );
    const now = new Date();
    const origins = units.map((unit) => this.#originOf(unit, now).location);
    let value: Coverage;
    if (origins.length === 0) {
      value = { withinSeconds: seconds, units: 0, lengthMeters: 0, lines: [] };
    } else {
      const field = await this.#router.travelTimes(origins, {
        maxSeconds: seconds,
      });
      const reach = field.reachable(seconds);
      value = {
        withinSeconds: seconds,
        units: origins.length,
        lengthMeters: Math.round(reach.lengthMeters),
        lines: reach.lines.map((line) =>
          line.map(([lon, lat]) => [
            round5(lon as number),
            round5(lat as number),
          ]),
        ),
      };
    }
    this.#coverage.set(seconds, { at: Date.now(), value });
    return value;
  }

  /** Where a unit would drive from: its fresh GPS fix, else its station. */
  #originOf(unit: UnitView, now: Date) {
    return unitOrigin(
      unit.station,
      unit.lastPosition
        ? { location: unit.lastPosition, at: new Date(unit.lastPosition.at) }
        : undefined,
      now,
      this.#options.fixFreshSeconds,
    );
  }

  async #rank(
    incident: IncidentView,
    units: UnitView[],
  ): Promise<Recommendation[]> {
    if (units.length === 0) return [];
    const now = new Date();
    const origins = units.map((unit) => this.#originOf(unit, now));
    let result;
    try {
      result = await this.#router.oneToMany(
        origins.map((origin) => origin.location),
        incident.location,
      );
    } catch (err) {
      if (
        err instanceof RoutingError &&
        err.code === 'ROUTING_POINT_OFF_NETWORK'
      ) {
        // The incident is away from every road: no drive time for anyone,
        // said explicitly (never zero seconds).
        result = {
          legs: units.map(() => ({
            reachable: false as const,
            reason: 'off_network' as const,
          })),
          source: 'embedded' as const,
        };
      } else {
        throw new DispatchError('ROUTING_FAILED', undefined, { cause: err });
      }
    }
    const candidates = units.map((unit, i) => ({
      unitId: unit.id,
      callSign: unit.callSign,
      capability: unit.capability,
      origin: origins[i] as (typeof origins)[number],
      leg: result.legs[i] as (typeof result.legs)[number],
    }));
    return rankCandidates(
      candidates,
      incident.priority,
      this.#options.responsePlan,
      result,
    );
  }

  async #autoDispatch(incident: IncidentView): Promise<IncidentView> {
    try {
      for (const pick of await this.recommend(incident.id)) {
        if (!pick.reachable) break;
        try {
          const { incident: assigned } = await this.assign(
            incident.id,
            pick.unitId,
            SYSTEM_ACTOR,
          );
          this.#log.info(
            { incidentId: incident.id, unitId: pick.unitId },
            'auto-dispatched',
          );
          return assigned;
        } catch (err) {
          // Taken by a dispatcher in the meantime: try the next one.
          if (
            !(err instanceof DispatchError) ||
            err.code !== 'UNIT_NOT_AVAILABLE'
          ) {
            throw err;
          }
        }
      }
      this.#log.warn(
        { incidentId: incident.id },
        'auto-dispatch found no unit',
      );
    } catch (err) {
      this.#log.error({ incidentId: incident.id, err }, 'auto-dispatch failed');
    }
    return this.get(incident.id);
  }
}
