import {
  currentPhase,
  incidentIntervals,
  isTerminalPhase,
  type IncidentPhase,
  type Priority,
} from '../policy/index.ts';
import type { Queryable } from '../storage/database.ts';
import type { IncidentView, PhaseEventView } from './views.ts';

interface IncidentRow {
  id: number;
  lat: number;
  lon: number;
  priority: Priority;
  complaint: string | null;
  address: string | null;
  caller_phone: string | null;
  received_at: Date;
}

interface EventRow {
  seq: string | number;
  incident_id: number;
  phase: IncidentPhase;
  at: Date;
  recorded_at: Date;
  unit_id: number | null;
  actor: string | null;
  source: PhaseEventView['source'];
  data: Record<string, unknown> | string;
}

const INCIDENT_SELECT = `
  SELECT i.id, ST_Y(i.location::geometry) AS lat,
         ST_X(i.location::geometry) AS lon, i.priority, i.complaint,
         i.address, i.caller_phone, i.received_at
    FROM incidents i`;

const OPEN_FILTER = `NOT EXISTS (
  SELECT 1 FROM incident_events t
   WHERE t.incident_id = i.id AND t.phase IN ('closed', 'cancelled'))`;

/** Appends an event to an incident's phase log. */
export async function insertPhaseEvent(
  db: Queryable,
  event: {
    incidentId: number;
    phase: IncidentPhase;
    at: Date;
    unitId: number | null;
    actorUserId: number | null;
    source: PhaseEventView['source'];
    data?: Record<string, unknown>;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO incident_events
       (incident_id, phase, at, unit_id, actor_user_id, source, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      event.incidentId,
      event.phase,
      event.at,
      event.unitId,
      event.actorUserId,
      event.source,
      JSON.stringify(event.data ?? {}),
    ],
  );
}

/** Stores a new incident and its `received` event; returns its id. */
export async function insertIncident(
  db: Queryable,
  input: {
    location: { lat: number; lon: number };
    priority: Priority;
    complaint: string | null;
    address: string | null;
    callerPhone: string | null;
    receivedAt: Date;
    createdBy: number | null;
  },
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO incidents (location, priority, complaint, address,
                            caller_phone, received_at, created_by)
     VALUES (ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography,
             $3, $4, $5, $6, $7, $8)
     RETURNING id`,
    [
      input.location.lon,
      input.location.lat,
      input.priority,
      input.complaint,
      input.address,
      input.callerPhone,
      input.receivedAt,
      input.createdBy,
    ],
  );
  const id = (row as { id: number }).id;
  await insertPhaseEvent(db, {
    incidentId: id,
    phase: 'received',
    at: input.receivedAt,
    unitId: null,
    actorUserId: input.createdBy,
    source: 'intake',
  });
  return id;
}

/** Locks an incident's row until the transaction ends. */
export async function lockIncident(
  db: Queryable,
  incidentId: number,
): Promise<boolean> {
  const rows = await db.query(
    'SELECT id FROM incidents WHERE id = $1 FOR UPDATE',
    [incidentId],
  );
  return rows.length > 0;
}

/** Which incidents {@link selectIncidents} returns. */
export interface IncidentQuery {
  /** true: open only; false: closed or cancelled only; unset: all. */
  open?: boolean;
  /** Received at or after. */
  from?: Date;
  /** Received before. */
  to?: Date;
  limit?: number;
}

/**
 * Incidents with their timelines, newest first. Phase, intervals and
 * assigned units are derived from the event logs on every read.
 */
export async function selectIncidents(
  db: Queryable,
  query: IncidentQuery & { ids?: number[] },
  targetSeconds: number,
): Promise<IncidentView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.ids) {
    params.push(query.ids);
    where.push(`i.id = ANY($${params.length}::int[])`);
  }
  if (query.open === true) where.push(OPEN_FILTER);
  if (query.open === false) where.push(`NOT ${OPEN_FILTER}`);
  if (query.from) {
    params.push(query.from);
    where.push(`i.received_at >= $${params.length}`);
  }
  if (query.to) {
    params.push(query.to);
    where.push(`i.received_at < $${params.length}`);
  }
  params.push(query.limit ?? 1000);
  const rows = await db.query<IncidentRow>(
    `${INCIDENT_SELECT}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY i.received_at DESC, i.id DESC LIMIT $${params.length}`,
    params,
  );
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [events, assigned] = await Promise.all([
    db.query<EventRow>(
      `SELECT e.seq, e.incident_id, e.phase, e.at, e.recorded_at, e.unit_id,
              u.username AS actor, e.source, e.data
         FROM incident_events e LEFT JOIN users u ON u.id = e.actor_user_id
        WHERE e.incident_id = ANY($1::int[])
        ORDER BY e.seq`,
      [ids],
    ),
    db.query<{ incident_id: number; unit_id: number }>(
      // Only units that ever worked one of these incidents can be on it
      // now; of those, the ones whose latest status is for it.
      `SELECT s.incident_id, c.unit_id FROM (
         SELECT DISTINCT unit_id FROM unit_status_events
          WHERE incident_id = ANY($1::int[])
       ) c
       JOIN LATERAL (
         SELECT incident_id, status FROM unit_status_events e
          WHERE e.unit_id = c.unit_id ORDER BY seq DESC LIMIT 1
       ) s ON true
       WHERE s.incident_id = ANY($1::int[])
         AND s.status NOT IN ('available', 'out_of_service')
       ORDER BY c.unit_id`,
      [ids],
    ),
  ]);
  const eventsOf = groupBy(events, (event) => event.incident_id);
  const unitsOf = groupBy(assigned, (row) => row.incident_id);
  return rows.map((row) =>
    toIncidentView(
      row,
      eventsOf.get(row.id) ?? [],
      (unitsOf.get(row.id) ?? []).map((a) => a.unit_id),
      targetSeconds,
    ),
  );
}

/**
 * Open incidents received at or after `since` whose location lies within
 * `meters` of `point` (PostGIS `ST_DWithin` on geography: metres on the
 * spheroid), nearest first, with their distance.
 */
export async function selectNearbyOpen(
  db: Queryable,
  point: { lat: number; lon: number },
  meters: number,
  since: Date,
): Promise<{ id: number; distanceMeters: number }[]> {
  const rows = await db.query<{ id: number; distance_meters: number }>(
    `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS g)
     SELECT i.id, ST_Distance(i.location, p.g) AS distance_meters
       FROM incidents i, p
      WHERE i.received_at >= $4
        AND ST_DWithin(i.location, p.g, $3)
        AND ${OPEN_FILTER}
      ORDER BY distance_meters, i.id
      LIMIT 50`,
    [point.lon, point.lat, meters, since],
  );
  return rows.map((row) => ({
    id: row.id,
    distanceMeters: Number(row.distance_meters),
  }));
}

/** One incident, or undefined. */
export async function selectIncident(
  db: Queryable,
  incidentId: number,
  targetSeconds: number,
): Promise<IncidentView | undefined> {
  const [incident] = await selectIncidents(
    db,
    { ids: [incidentId] },
    targetSeconds,
  );
  return incident;
}

function toIncidentView(
  row: IncidentRow,
  eventRows: EventRow[],
  unitIds: number[],
  targetSeconds: number,
): IncidentView {
  const timeline = eventRows.map(toEventView);
  const dated = eventRows.map((e) => ({ phase: e.phase, at: new Date(e.at) }));
  const phase = currentPhase(dated);
  const intervals = incidentIntervals(dated);
  return {
    id: row.id,
    location: { lat: row.lat, lon: row.lon },
    priority: row.priority,
    complaint: row.complaint,
    address: row.address,
    callerPhone: row.caller_phone,
    receivedAt: new Date(row.received_at).toISOString(),
    phase,
    open: !isTerminalPhase(phase),
    unitIds,
    needsUnit: !isTerminalPhase(phase) && unitIds.length === 0,
    intervals,
    targetSeconds,
    withinTarget:
      intervals.response === null ? null : intervals.response <= targetSeconds,
    timeline,
  };
}

function toEventView(row: EventRow): PhaseEventView {
  return {
    seq: Number(row.seq),
    phase: row.phase,
    at: new Date(row.at).toISOString(),
    recordedAt: new Date(row.recorded_at).toISOString(),
    unitId: row.unit_id,
    actor: row.actor,
    source: row.source,
    data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
  };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K) {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
