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
import type { IncidentView, PhaseEventView } from '../incidents/views.ts';
import type { Principal } from '../auth/roles.ts';
import type {
  PositionFix,
  PositionView,
  StatusResult,
  UnitView,
} from '../units/views.ts';
import type { UnitStatus } from '../policy/index.ts';

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
  'unit:position': (position: PositionView) => void;
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
  /** Route from the unit's last position (or station); null if none. */
  route: {
    geometry: GeoJSON.LineString;
    etaSeconds: number;
    distanceMeters: number;
    source: string;
  } | null;
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
  /** The unit's status changed (also by a dispatcher). */
  'unit:status': (unit: UnitView) => void;
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
  position: (
    fix: PositionFix,
    ack: (answer: Ack<{ applied: boolean }>) => void,
  ) => void;
}

/** What the server keeps on each socket. */
export interface SocketData {
  principal: Principal;
}
