/**
 * The socket.io event contract, shared by the server, the dispatcher
 * console and the crew tablet. Two namespaces:
 * - `/console` for dispatchers, planners and admins: live incidents,
 *   units, positions and phase changes;
 * - `/tablet` for crews: their unit's assignment and status acks.
 * Both authenticate with `auth: { token }` in the handshake (the bearer
 * token of `POST /api/auth/login`).
 */
import type { ErrorBody } from '../errors.ts';
import type { Health } from '../health-report.ts';
import type {
  DriveRoute,
  IncidentView,
  PhaseEventView,
} from '../incidents/views.ts';
import type { Principal } from '../auth/roles.ts';
import type { PositionFix, StatusResult, UnitView } from '../units/views.ts';
import type { UnitStatus } from '../policy/index.ts';
import type {
  EtaUpdate,
  FixResult,
  LivePosition,
} from '@dispatch/unit-tracker';

/** The answer of every acked client event: a result or a catalogue error. */
export type Ack<T> = ({ ok: true } & T) | ({ ok: false } & ErrorBody);

/** What a console loads on connect and after every reconnect. */
export interface ConsoleSnapshot {
  incidents: IncidentView[];
  units: UnitView[];
  /** Server time, to align phase timers with the server's clock. */
  serverTime: string;
}

export interface ConsoleServerToClient {
  'incident:created': (incident: IncidentView) => void;
  'incident:phase': (incident: IncidentView, event: PhaseEventView) => void;
  'unit:created': (unit: UnitView) => void;
  'unit:status': (unit: UnitView) => void;
  /**
   * Latest positions, merged per unit and batched (every 50 ms at most):
   * one entry per unit, newest fix only.
   */
  'unit:positions': (positions: LivePosition[]) => void;
  /** Drive time to its incident, recomputed as a unit moves. */
  'unit:eta': (update: EtaUpdate) => void;
  /** Units that have just gone without a fix for the stale limit. */
  'unit:stale': (unitIds: number[]) => void;
  /**
   * The connected server process's view of its dependencies, on connect
   * and whenever it changes (as `GET /healthz`). `degraded`: the database,
   * Redis or OSRM is failing; writes may be refused (`STORAGE_UNAVAILABLE`)
   * or events from other processes missed. Reload a snapshot when it
   * turns `ok` again.
   */
  health: (health: Health) => void;
}

export interface ConsoleClientToServer {
  snapshot: (ack: (answer: Ack<ConsoleSnapshot>) => void) => void;
}

/** An assignment as the crew sees it: where, what, and the way there. */
export interface Assignment {
  incident: Pick<
    IncidentView,
    'id' | 'location' | 'priority' | 'address' | 'complaint' | 'receivedAt'
  >;
  /** Route from the unit's fresh fix, else its station; null if none. */
  route: DriveRoute | null;
}

export interface TabletSnapshot {
  unit: UnitView;
  assignment: Assignment | null;
  serverTime: string;
}

export interface TabletServerToClient {
  assignment: (assignment: Assignment) => void;
  'assignment:cancelled': (info: {
    incidentId: number;
    reason: string;
  }) => void;
  /** The unit's status changed (also by a dispatcher, or by GPS). */
  'unit:status': (unit: UnitView) => void;
  /**
   * GPS puts the unit at its scene or a hospital (`ARRIVAL_MODE=offer`):
   * the crew confirms with the `status` event.
   */
  'arrival:detected': (offer: {
    phase: 'on_scene' | 'at_hospital';
    at: string;
  }) => void;
}

/** A status report from a tablet; `eventId` makes a replay a no-op. */
export interface TabletStatusReport {
  status: UnitStatus;
  /** The device's time of the button press, ISO 8601. */
  at?: string;
  eventId?: string;
}

export interface TabletClientToServer {
  snapshot: (ack: (answer: Ack<TabletSnapshot>) => void) => void;
  status: (
    report: TabletStatusReport,
    ack: (answer: Ack<StatusResult>) => void,
  ) => void;
  'assignment:ack': (
    message: { incidentId: number; at?: string },
    ack: (answer: Ack<{ duplicate: boolean }>) => void,
  ) => void;
  /** One GPS fix (`at` is required: the device's time). */
  position: (
    fix: TabletFix,
    ack: (answer: Ack<{ result: FixResult }>) => void,
  ) => void;
  /** A batch of fixes, e.g. the queue of a tablet back online. */
  positions: (
    fixes: TabletFix[],
    ack: (answer: Ack<{ results: FixResult[] }>) => void,
  ) => void;
}

/** A fix as a tablet sends it. */
export interface TabletFix extends PositionFix {
  altitudeMeters?: number | null;
  batteryPercent?: number | null;
}

/** What the server keeps on each socket. */
export interface SocketData {
  principal: Principal;
}
