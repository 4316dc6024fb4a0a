import type { LatLon } from '@dispatch/routing';

import { audit, SYSTEM_ACTOR, type Actor } from '../audit/audit.ts';
import { DispatchError } from '../errors.ts';
import type { DomainBus } from '../events.ts';
import {
  insertPhaseEvent,
  lockIncident,
  selectIncident,
} from '../incidents/incident-store.ts';
import {
  checkTransition,
  isAssignedStatus,
  phaseOfStatus,
  type Capability,
  type UnitStatus,
} from '../policy/index.ts';
import type { Database, Queryable } from '../storage/database.ts';
import {
  insertStatusEvent,
  selectUnit,
  selectUnits,
  selectUnitsOnIncident,
} from './unit-store.ts';
import { withPositions, type PositionSource } from './positions.ts';
import type { StatusResult, UnitView } from './views.ts';

/** A status report: from a crew's tablet or a dispatcher's correction. */
export interface StatusReport {
  status: UnitStatus;
  /** When it happened (the device's clock); default: when received. */
  at: Date;
  /** Client-chosen id: the same id sent twice is applied once. */
  eventId: string | null;
}

/** Units: the fleet, their statuses and their last positions. */
export class UnitService {
  readonly #db: Database;
  readonly #bus: DomainBus;
  readonly #targetSeconds: number;
  readonly #positions: PositionSource;
  readonly #freshSeconds: number;

  constructor(options: {
    db: Database;
    bus: DomainBus;
    targetSeconds: number;
    positions: PositionSource;
    freshSeconds: number;
  }) {
    this.#db = options.db;
    this.#bus = options.bus;
    this.#targetSeconds = options.targetSeconds;
    this.#positions = options.positions;
    this.#freshSeconds = options.freshSeconds;
  }

  /** Units with their live positions and stale flags. */
  withPositions(units: UnitView[]): Promise<UnitView[]> {
    return withPositions(units, this.#positions, this.#freshSeconds);
  }

  async #withPosition(unit: UnitView): Promise<UnitView> {
    return (await this.withPositions([unit]))[0] as UnitView;
  }

  /**
   * Adds a unit, available at its station.
   * @throws DispatchError `CALL_SIGN_TAKEN`, `TRACKER_ID_TAKEN`
   */
  async create(
    input: {
      callSign: string;
      capability: Capability;
      station: LatLon;
      stationName?: string | null;
      trackerId?: string | null;
    },
    actor: Actor,
    tx?: Queryable,
  ): Promise<UnitView> {
    const work = async (q: Queryable) => {
      const clash = await q.query<{ call_sign: string; tracker_id: string }>(
        `SELECT call_sign, tracker_id FROM units
          WHERE lower(call_sign) = lower($1) OR tracker_id = $2`,
        [input.callSign, input.trackerId ?? null],
      );
      for (const row of clash) {
        if (row.call_sign.toLowerCase() === input.callSign.toLowerCase()) {
          throw new DispatchError(
            'CALL_SIGN_TAKEN',
            `call sign ${input.callSign} is taken`,
          );
        }
        throw new DispatchError(
          'TRACKER_ID_TAKEN',
          `tracker id ${input.trackerId} belongs to unit ${row.call_sign}`,
        );
      }
      const [row] = await q.query<{ id: number }>(
        `INSERT INTO units (call_sign, capability, station, station_name,
                            tracker_id)
         VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography,
                 $5, $6)
         RETURNING id`,
        [
          input.callSign,
          input.capability,
          input.station.lon,
          input.station.lat,
          input.stationName ?? null,
          input.trackerId ?? null,
        ],
      );
      const unitId = (row as { id: number }).id;
      await insertStatusEvent(q, {
        unitId,
        status: 'available',
        at: new Date(),
        incidentId: null,
        actorUserId: actor.principal?.userId ?? null,
        source: actor.principal ? 'dispatcher' : 'system',
        eventId: null,
      });
      await audit(
        q,
        actor,
        'unit.create',
        { type: 'unit', id: unitId },
        {
          callSign: input.callSign,
        },
      );
      return (await selectUnit(q, unitId)) as UnitView;
    };
    const unit = tx ? await work(tx) : await this.#db.transaction(work);
    if (!tx) this.#bus.emit('unit:created', unit);
    return unit;
  }

  async list(): Promise<UnitView[]> {
    return this.withPositions(await selectUnits(this.#db));
  }

  /**
   * Checks that a unit exists, with one cheap query (GPS batches ask on
   * every request and need no view of the unit).
   * @throws DispatchError `UNIT_NOT_FOUND`
   */
  async mustExist(unitId: number): Promise<void> {
    const rows = await this.#db.query('SELECT 1 FROM units WHERE id = $1', [
      unitId,
    ]);
    if (rows.length === 0) {
      throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
    }
  }

  /** @throws DispatchError `UNIT_NOT_FOUND` */
  async get(unitId: number): Promise<UnitView> {
    const unit = await selectUnit(this.#db, unitId);
    if (!unit) throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
    return this.#withPosition(unit);
  }

  /**
   * Applies a status report: appends it to the unit's log and, when the
   * unit is working an incident, the matching phase to the incident's log,
   * in one transaction committed before this resolves. A report whose
   * `eventId` was applied before changes nothing and says `duplicate`.
   * Going available after the scene releases the unit; when it was the
   * incident's last unit, the incident closes.
   * @throws DispatchError `UNIT_NOT_FOUND`, `NOT_OWN_UNIT`,
   *   `STATUS_TRANSITION_INVALID`, `TIMESTAMP_BEFORE_PREVIOUS`,
   *   `EVENT_ID_CONFLICT`
   */
  async reportStatus(
    unitId: number,
    report: StatusReport,
    actor: Actor,
    options: { gps?: boolean } = {},
  ): Promise<StatusResult> {
    const principal = actor.principal;
    if (principal?.role === 'crew' && principal.unitId !== unitId) {
      throw new DispatchError(
        'NOT_OWN_UNIT',
        `you are the crew of unit ${principal.unitId}, not ${unitId}`,
      );
    }
    // GPS arrival detection reports as the crew would: forward only.
    const by =
      principal?.role === 'crew' || options.gps ? 'crew' : 'dispatcher';
    const source = options.gps ? 'gps' : by;
    let released: { incidentId: number } | undefined;
    let phaseIncident: number | undefined;
    const result = await this.#db.transaction(async (tx) => {
      const unit = await selectUnit(tx, unitId, { lock: true });
      if (!unit) throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
      if (report.eventId !== null) {
        const [seen] = await tx.query<{ status: UnitStatus }>(
          `SELECT status FROM unit_status_events
            WHERE unit_id = $1 AND event_id = $2`,
          [unitId, report.eventId],
        );
        if (seen) {
          if (seen.status !== report.status) {
            throw new DispatchError(
              'EVENT_ID_CONFLICT',
              `eventId ${report.eventId} was already used for ${seen.status}`,
            );
          }
          return { unit, duplicate: true };
        }
      }
      // The status the unit already has (a crew pressing "on scene" after
      // GPS recorded it, or the other way round) is logged once.
      if (report.status === unit.status && isAssignedStatus(unit.status)) {
        return { unit, duplicate: true };
      }
      const refusal = checkTransition(unit.status, report.status, by);
      if (refusal) {
        const why =
          refusal === 'use_assignment'
            ? 'a unit is dispatched by assigning it to an incident'
            : refusal === 'not_assigned'
              ? `unit ${unit.callSign} has no incident to report ${report.status} for`
              : `unit ${unit.callSign} cannot go from ${unit.status} to ${report.status}`;
        throw new DispatchError('STATUS_TRANSITION_INVALID', why);
      }
      if (report.at.getTime() < Date.parse(unit.statusSince)) {
        throw new DispatchError(
          'TIMESTAMP_BEFORE_PREVIOUS',
          `at: ${report.at.toISOString()} is before the current status ` +
            `${unit.status} began (${unit.statusSince})`,
        );
      }
      const incidentId = unit.incidentId;
      if (incidentId !== null) await lockIncident(tx, incidentId);
      await insertStatusEvent(tx, {
        unitId,
        status: report.status,
        at: report.at,
        incidentId,
        actorUserId: principal?.userId ?? null,
        source,
        eventId: report.eventId,
      });
      const phase = phaseOfStatus(report.status);
      if (incidentId !== null && phase) {
        await insertPhaseEvent(tx, {
          incidentId,
          phase,
          at: report.at,
          unitId,
          actorUserId: principal?.userId ?? null,
          source,
        });
        phaseIncident = incidentId;
      }
      if (incidentId !== null && !isAssignedStatus(report.status)) {
        released = { incidentId };
        await this.#closeWhenDone(tx, incidentId, report.at);
      }
      await audit(
        tx,
        actor,
        'unit.status',
        { type: 'unit', id: unitId },
        {
          status: report.status,
          from: unit.status,
          incidentId,
          eventId: report.eventId,
        },
      );
      return {
        unit: (await selectUnit(tx, unitId)) as UnitView,
        duplicate: false,
      };
    });
    result.unit = await this.#withPosition(result.unit);
    if (!result.duplicate) {
      this.#bus.emit('unit:status', result.unit);
      if (released) {
        this.#bus.emit(
          'unit:released',
          result.unit,
          released.incidentId,
          'cleared',
        );
      }
      const incidentId = phaseIncident ?? released?.incidentId;
      if (incidentId !== undefined) await this.#announcePhase(incidentId);
    }
    return result;
  }

  /**
   * Records that the crew has seen its assignment (the `acknowledged`
   * phase). Once per unit and incident; a repeat is a duplicate.
   * @throws DispatchError `UNIT_NOT_FOUND`, `NOT_OWN_UNIT`,
   *   `STATUS_TRANSITION_INVALID` (no such assignment)
   */
  async acknowledge(
    unitId: number,
    incidentId: number,
    at: Date,
    actor: Actor,
  ): Promise<{ duplicate: boolean }> {
    const principal = actor.principal;
    if (principal?.role === 'crew' && principal.unitId !== unitId) {
      throw new DispatchError('NOT_OWN_UNIT');
    }
    const duplicate = await this.#db.transaction(async (tx) => {
      const unit = await selectUnit(tx, unitId, { lock: true });
      if (!unit) throw new DispatchError('UNIT_NOT_FOUND', `no unit ${unitId}`);
      if (unit.incidentId !== incidentId) {
        throw new DispatchError(
          'STATUS_TRANSITION_INVALID',
          `unit ${unit.callSign} is not assigned to incident ${incidentId}`,
        );
      }
      const seen = await tx.query(
        `SELECT 1 FROM incident_events WHERE incident_id = $1
            AND unit_id = $2 AND phase = 'acknowledged'
            AND seq > (SELECT max(seq) FROM incident_events
                        WHERE incident_id = $1 AND unit_id = $2
                          AND phase = 'dispatched')`,
        [incidentId, unitId],
      );
      if (seen.length > 0) return true;
      if (at.getTime() < Date.parse(unit.statusSince)) {
        throw new DispatchError(
          'TIMESTAMP_BEFORE_PREVIOUS',
          `at: ${at.toISOString()} is before the dispatch (${unit.statusSince})`,
        );
      }
      await insertPhaseEvent(tx, {
        incidentId,
        phase: 'acknowledged',
        at,
        unitId,
        actorUserId: principal?.userId ?? null,
        source: principal?.role === 'crew' ? 'crew' : 'dispatcher',
      });
      await audit(
        tx,
        actor,
        'unit.acknowledge',
        { type: 'unit', id: unitId },
        {
          incidentId,
        },
      );
      return false;
    });
    if (!duplicate) await this.#announcePhase(incidentId);
    return { duplicate };
  }

  /** Closes an incident whose units have all cleared after the scene. */
  async #closeWhenDone(tx: Queryable, incidentId: number, at: Date) {
    const incident = await selectIncident(tx, incidentId, this.#targetSeconds);
    if (!incident || !incident.open) return;
    const remaining = await selectUnitsOnIncident(tx, incidentId);
    if (remaining.length > 0) return;
    const reachedScene = incident.timeline.some(
      (event) => event.phase === 'on_scene',
    );
    if (!reachedScene) return;
    await insertPhaseEvent(tx, {
      incidentId,
      phase: 'closed',
      at,
      unitId: null,
      actorUserId: null,
      source: 'system',
      data: { reason: 'all units cleared' },
    });
    await audit(tx, SYSTEM_ACTOR, 'incident.close', {
      type: 'incident',
      id: incidentId,
    });
  }

  async #announcePhase(incidentId: number) {
    const incident = await selectIncident(
      this.#db,
      incidentId,
      this.#targetSeconds,
    );
    const event = incident?.timeline.at(-1);
    if (incident && event) this.#bus.emit('incident:phase', incident, event);
  }
}
