import type { Capability, UnitStatus } from '../policy/index.ts';
import type { Queryable } from '../storage/database.ts';
import type { UnitView } from './views.ts';

interface UnitRow {
  id: number;
  call_sign: string;
  capability: Capability;
  station_lat: number;
  station_lon: number;
  station_name: string | null;
  tracker_id: string | null;
  status: UnitStatus;
  status_at: Date;
  incident_id: number | null;
}

// The current status is the latest event of the unit's append-only log.
const UNIT_SELECT = `
  SELECT u.id, u.call_sign, u.capability, u.station_name, u.tracker_id,
         ST_Y(u.station::geometry) AS station_lat,
         ST_X(u.station::geometry) AS station_lon,
         s.status, s.at AS status_at, s.incident_id
    FROM units u
    JOIN LATERAL (
      SELECT status, at, incident_id FROM unit_status_events e
       WHERE e.unit_id = u.id ORDER BY seq DESC LIMIT 1
    ) s ON true`;

/** Every unit with its current state, by call sign. */
export async function selectUnits(
  db: Queryable,
  options: { status?: UnitStatus } = {},
): Promise<UnitView[]> {
  const rows = options.status
    ? await db.query<UnitRow>(
        `${UNIT_SELECT} WHERE s.status = $1 ORDER BY u.call_sign`,
        [options.status],
      )
    : await db.query<UnitRow>(`${UNIT_SELECT} ORDER BY u.call_sign`);
  return rows.map(toUnitView);
}

/**
 * One unit with its current state. With `lock`, the unit's row is locked
 * until the transaction ends: every status write takes this lock first,
 * so two writers of one unit (two dispatchers, a crew and a dispatcher)
 * run one after the other, each seeing the other's result.
 */
export async function selectUnit(
  db: Queryable,
  unitId: number,
  options: { lock?: boolean } = {},
): Promise<UnitView | undefined> {
  if (options.lock) {
    const locked = await db.query(
      'SELECT id FROM units WHERE id = $1 FOR UPDATE',
      [unitId],
    );
    if (locked.length === 0) return undefined;
  }
  const [row] = await db.query<UnitRow>(`${UNIT_SELECT} WHERE u.id = $1`, [
    unitId,
  ]);
  return row ? toUnitView(row) : undefined;
}

/** Units working `incidentId` now. */
export async function selectUnitsOnIncident(
  db: Queryable,
  incidentId: number,
): Promise<UnitView[]> {
  const rows = await db.query<UnitRow>(
    `${UNIT_SELECT} WHERE s.incident_id = $1
       AND s.status NOT IN ('available', 'out_of_service')
     ORDER BY u.id`,
    [incidentId],
  );
  return rows.map(toUnitView);
}

/** Appends a status event to a unit's log. */
export async function insertStatusEvent(
  db: Queryable,
  event: {
    unitId: number;
    status: UnitStatus;
    at: Date;
    incidentId: number | null;
    actorUserId: number | null;
    source: 'dispatcher' | 'crew' | 'gps' | 'system';
    eventId: string | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO unit_status_events
       (unit_id, status, at, incident_id, actor_user_id, source, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      event.unitId,
      event.status,
      event.at,
      event.incidentId,
      event.actorUserId,
      event.source,
      event.eventId,
    ],
  );
}

function toUnitView(row: UnitRow): UnitView {
  return {
    id: row.id,
    callSign: row.call_sign,
    capability: row.capability,
    station: {
      lat: row.station_lat,
      lon: row.station_lon,
      name: row.station_name,
    },
    trackerId: row.tracker_id,
    status: row.status,
    statusSince: new Date(row.status_at).toISOString(),
    incidentId:
      row.status === 'available' || row.status === 'out_of_service'
        ? null
        : row.incident_id,
    // Positions live in the unit tracker's live state, not in these rows:
    // services attach them (see units/positions.ts).
    lastPosition: null,
    stale: true,
  };
}
