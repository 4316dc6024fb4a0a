import type http from 'node:http';

import type { FixResult, Tracker } from '@dispatch/unit-tracker';
import { Server, type Namespace, type Socket } from 'socket.io';

import type { AuthService } from '../auth/auth-service.ts';
import { can, type Permission } from '../auth/roles.ts';
import { DispatchError, errorBody } from '../errors.ts';
import type { DomainBus } from '../events.ts';
import type { HealthMonitor } from '../health.ts';
import { toDispatchError, worthLogging } from '../http/app.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import { incidentForRole, type IncidentView } from '../incidents/views.ts';
import type { Logger } from '../log.ts';
import { UNIT_STATUSES } from '../policy/index.ts';
import type { UnitService } from '../units/unit-service.ts';
import type { UnitView } from '../units/views.ts';
import { readFix, readFixBatch } from '../tracking/fixes.ts';
import * as v from '../validate.ts';
import type {
  Ack,
  Assignment,
  ConsoleClientToServer,
  ConsoleServerToClient,
  SocketData,
  TabletClientToServer,
  TabletServerToClient,
} from './contract.ts';
import type { AdapterFactory } from './cluster.ts';

type ConsoleNamespace = Namespace<
  ConsoleClientToServer,
  ConsoleServerToClient,
  Record<string, never>,
  SocketData
>;
type TabletNamespace = Namespace<
  TabletClientToServer,
  TabletServerToClient,
  Record<string, never>,
  SocketData
>;

// Consoles that may see personal data join this room; planners do not.
const PII_ROOM = 'pii';
const REDACTED_ROOM = 'redacted';

/**
 * Attaches socket.io to the HTTP server: `/console` and `/tablet`, both
 * authenticated by bearer token, fed from the domain bus after commits.
 * With `adapter` (Redis, several processes) every emit below reaches the
 * sockets of all processes once; without it, this process's.
 */
export function attachSockets(
  server: http.Server,
  ctx: {
    bus: DomainBus;
    auth: AuthService;
    units: UnitService;
    incidents: IncidentService;
    tracker: Tracker;
    log: Logger;
    health: HealthMonitor;
    adapter?: AdapterFactory | undefined;
  },
): Server {
  const io = new Server(server, {
    ...(ctx.adapter ? { adapter: ctx.adapter } : {}),
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    // A console that drops for a moment gets the missed events replayed.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
  });
  // One server, two namespaces with their own event maps: socket.io types
  // `of()` with the server's maps, so each is narrowed to its contract.
  const consoles = io.of('/console') as unknown as ConsoleNamespace;
  const tablets = io.of('/tablet') as unknown as TabletNamespace;
  consoles.use(authenticateSocket(ctx.auth, 'console:connect'));
  tablets.use(authenticateSocket(ctx.auth, 'tablet:connect'));

  consoles.on('connection', (socket) => {
    const role = socket.data.principal.role;
    void socket.join([
      role === 'dispatcher' || role === 'admin' ? PII_ROOM : REDACTED_ROOM,
      tokenRoom(socket.data.principal.tokenHash),
    ]);
    expireWithToken(socket, ctx.auth);
    const health = ctx.health.current;
    if (health) socket.emit('health', health);
    onRequest(socket, 'snapshot', ctx.log, async () => {
      const [incidents, units] = await Promise.all([
        ctx.incidents.list({ open: true }),
        ctx.units.list(),
      ]);
      return {
        incidents: incidents.map((i) => incidentForRole(i, role)),
        units,
        serverTime: new Date().toISOString(),
      };
    });
  });

  tablets.on('connection', (socket) => {
    const principal = socket.data.principal;
    const unitId = principal.unitId as number;
    void socket.join([
      unitRoom(unitId),
      tokenRoom(socket.data.principal.tokenHash),
    ]);
    expireWithToken(socket, ctx.auth);
    const actor = { principal, ip: socket.handshake.address };
    onRequest(socket, 'snapshot', ctx.log, async () => {
      const unit = await ctx.units.get(unitId);
      const assignment = unit.incidentId
        ? await assignmentFor(
            unitId,
            await ctx.incidents.get(unit.incidentId),
            ctx,
          )
        : null;
      return { unit, assignment, serverTime: new Date().toISOString() };
    });
    onRequest(socket, 'status', ctx.log, async (report) => {
      const body = v.objectBody(report);
      v.onlyFields(body, ['status', 'at', 'eventId']);
      if (!(UNIT_STATUSES as readonly unknown[]).includes(body.status)) {
        throw new DispatchError(
          'VALIDATION_FAILED',
          `status: expected one of ${UNIT_STATUSES.join(', ')}`,
        );
      }
      return ctx.units.reportStatus(
        unitId,
        {
          status: body.status as (typeof UNIT_STATUSES)[number],
          at: v.instant(body.at, 'at', new Date()),
          eventId: v.eventId(body.eventId),
        },
        actor,
      );
    });
    onRequest(socket, 'assignment:ack', ctx.log, async (message) => {
      const body = v.objectBody(message);
      v.onlyFields(body, ['incidentId', 'at']);
      return ctx.units.acknowledge(
        unitId,
        v.id(body.incidentId, 'incidentId', 'INCIDENT_NOT_FOUND'),
        v.instant(body.at, 'at', new Date()),
        actor,
      );
    });
    onRequest(socket, 'position', ctx.log, async (fix) => {
      const [result] = await ctx.tracker.ingest(
        unitId,
        [readFix(fix, 'position')],
        'tablet',
      );
      return { result: result as FixResult };
    });
    onRequest(socket, 'positions', ctx.log, async (fixes) => ({
      results: await ctx.tracker.ingest(unitId, readFixBatch(fixes), 'tablet'),
    }));
  });

  const toConsoles = (incident: IncidentView) => ({
    full: incident,
    redacted: incidentForRole(incident, 'planner'),
  });
  ctx.bus.on('incident:created', (incident) => {
    const views = toConsoles(incident);
    consoles.to(PII_ROOM).emit('incident:created', views.full);
    consoles.to(REDACTED_ROOM).emit('incident:created', views.redacted);
  });
  ctx.bus.on('incident:phase', (incident, event) => {
    const views = toConsoles(incident);
    consoles.to(PII_ROOM).emit('incident:phase', views.full, event);
    consoles.to(REDACTED_ROOM).emit('incident:phase', views.redacted, event);
  });
  ctx.bus.on('unit:created', (unit) => consoles.emit('unit:created', unit));
  ctx.bus.on('unit:status', (unit) => {
    consoles.emit('unit:status', unit);
    tablets.to(unitRoom(unit.id)).emit('unit:status', unit);
  });
  // Volatile: kept out of the recovery buffer (a reconnecting console gets
  // a snapshot, not minutes of old positions) and dropped, not queued,
  // for a console that cannot keep up; the next batch supersedes it.
  ctx.bus.on('unit:positions', (positions) =>
    consoles.volatile.emit('unit:positions', positions),
  );
  ctx.bus.on('unit:eta', (update) => consoles.emit('unit:eta', update));
  ctx.bus.on('unit:stale', (unitIds) => consoles.emit('unit:stale', unitIds));
  ctx.bus.on('unit:arrival', ({ unitId, phase, at }) =>
    tablets.to(unitRoom(unitId)).emit('arrival:detected', { phase, at }),
  );
  ctx.bus.on('unit:assigned', (unit, incident) => {
    void assignmentFor(unit.id, incident, ctx).then((assignment) =>
      tablets.to(unitRoom(unit.id)).emit('assignment', assignment),
    );
  });
  ctx.bus.on('unit:released', (unit, incidentId, reason) => {
    if (reason === 'cancelled') {
      tablets
        .to(unitRoom(unit.id))
        .emit('assignment:cancelled', { incidentId, reason });
    }
  });
  // Through the adapter: the revoked token's sockets close on every
  // process, not only on the one that took the revocation.
  ctx.bus.on('token:revoked', (hashes) => {
    if (hashes.length === 0) return;
    const rooms = hashes.map(tokenRoom);
    consoles.in(rooms).disconnectSockets(true);
    tablets.in(rooms).disconnectSockets(true);
  });
  // Each process tells its own consoles what it sees of its dependencies.
  ctx.health.on('change', (health) => consoles.local.emit('health', health));
  return io;
}

/** The room of every socket opened with one token (by its hash). */
function tokenRoom(tokenHash: string): string {
  return `token:${tokenHash}`;
}

function unitRoom(unitId: number): string {
  return `unit:${unitId}`;
}

function authenticateSocket(auth: AuthService, permission: Permission) {
  return (
    socket: Socket<never, never, never, SocketData>,
    next: (err?: Error) => void,
  ) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string' || token === '') {
      next(socketError('AUTH_REQUIRED', 'expected auth: { token }'));
      return;
    }
    auth.authenticate(token).then(
      (principal) => {
        if (!can(principal.role, permission)) {
          next(
            socketError(
              'FORBIDDEN',
              `role ${principal.role} may not connect here`,
            ),
          );
          return;
        }
        socket.data.principal = principal;
        next();
      },
      (err: unknown) => {
        const error = toDispatchError(err);
        next(socketError(error.code, error.message));
      },
    );
  };
}

/** A handshake refusal whose `data` carries the catalogue error. */
function socketError(code: string, message: string): Error {
  const err = new Error(message) as Error & { data: unknown };
  err.data = { error: { code, message } };
  return err;
}

/** Disconnects the socket when its token expires. */
function expireWithToken(
  socket: Socket<never, never, never, SocketData>,
  auth: AuthService,
) {
  // Re-checked every minute: catches expiry, and is the safety net for a
  // revocation whose broadcast was missed (Redis down at that moment).
  const timer = setInterval(() => {
    auth.authenticate(tokenOf(socket)).catch(() => socket.disconnect(true));
  }, 60_000);
  timer.unref();
  socket.on('disconnect', () => clearInterval(timer));
}

function tokenOf(socket: Socket<never, never, never, SocketData>): string {
  return (socket.handshake.auth as { token: string }).token;
}

/**
 * Serves a client's request event: the ack is its last argument and the
 * payload the one before it. A client that sends a payload where none is
 * expected, or leaves one out, still gets an answer (a refusal when the
 * payload is missing) instead of a request left hanging.
 */
function onRequest<T extends object>(
  socket: Socket,
  event: string,
  log: Logger,
  work: (payload: unknown) => Promise<T>,
): void {
  socket.on(event, (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') return;
    const payload = args.length > 1 ? args[0] : undefined;
    void answer(ack as (answer: Ack<T>) => void, log, () => work(payload));
  });
}

async function answer<T extends object>(
  ack: (answer: Ack<T>) => void,
  log: Logger,
  work: () => Promise<T>,
): Promise<void> {
  try {
    ack({ ok: true, ...(await work()) });
  } catch (err) {
    const error = toDispatchError(err);
    if (worthLogging(error)) {
      log.error({ err: error.cause ?? error }, 'socket event failed');
    }
    ack({ ok: false, ...errorBody(error) });
  }
}

/**
 * What a crew's tablet is sent for its incident. The route is the one the
 * console draws and the ranking measured: from the unit's fresh fix, else
 * its station (IncidentService.routeTo), so the crew's ETA is the
 * dispatcher's. No route (the incident off the network, the router
 * failing) still sends the assignment and its location.
 */
async function assignmentFor(
  unitId: number,
  incident: IncidentView,
  ctx: { incidents: IncidentService; log: Logger },
): Promise<Assignment> {
  let route: Assignment['route'] = null;
  try {
    route = (await ctx.incidents.routeTo(incident, unitId)).route;
  } catch (err) {
    ctx.log.warn(
      { err, incidentId: incident.id, unitId },
      'assignment sent without a route',
    );
  }
  return {
    incident: {
      id: incident.id,
      location: incident.location,
      priority: incident.priority,
      address: incident.address,
      complaint: incident.complaint,
      receivedAt: incident.receivedAt,
    },
    route,
  };
}
