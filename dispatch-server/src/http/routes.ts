import type { PlaceIndex } from '@dispatch/routing';
import type { Tracker } from '@dispatch/unit-tracker';
import { Router as ExpressRouter, type Request } from 'express';

import type { AuthService } from '../auth/auth-service.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { audit } from '../audit/audit.ts';
import { DispatchError } from '../errors.ts';
import type { DomainBus } from '../events.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import { incidentForRole } from '../incidents/views.ts';
import { responseTimeReport } from '../metrics/response-times.ts';
import {
  CAPABILITIES,
  UNIT_STATUSES,
  type Capability,
} from '../policy/index.ts';
import type { Database } from '../storage/database.ts';
import { readFixBatch } from '../tracking/fixes.ts';
import type { UnitService } from '../units/unit-service.ts';
import * as v from '../validate.ts';
import { actorOf, allow, authenticate } from './auth-middleware.ts';

/** What the routes need. */
export interface ApiContext {
  db: Database;
  bus: DomainBus;
  auth: AuthService;
  units: UnitService;
  incidents: IncidentService;
  tracker: Tracker;
  targetSeconds: number;
  /** City facts for the console: name, zone, centre, stations, hospitals. */
  city: Record<string, unknown>;
  /** The road network as GeoJSON, for the offline basemap. */
  basemap: () => unknown;
  /** The city's street and crossing index (built on first use). */
  places: () => PlaceIndex;
}

/** The `/api` routes. Every route but login requires a bearer token. */
export function apiRoutes(ctx: ApiContext): ExpressRouter {
  const api = ExpressRouter();

  api.post('/auth/login', async (req, res) => {
    const body = v.objectBody(req.body);
    v.onlyFields(body, ['username', 'password']);
    const username = v.requiredString(body, 'username', 64);
    const password = v.requiredString(body, 'password', 1024);
    const session = await ctx.auth.login(username, password, req.ip ?? '');
    res.json({
      token: session.token,
      role: session.role,
      user: session.user,
      expiresAt: session.expiresAt.toISOString(),
    });
  });

  api.use(authenticate(ctx.auth));

  api.post('/auth/logout', async (req, res) => {
    const principal = req.principal!;
    await ctx.db.transaction(async (tx) => {
      await ctx.auth.revokeToken(principal.tokenHash, tx);
      await audit(tx, actorOf(req), 'auth.logout', {
        type: 'user',
        id: principal.userId,
      });
    });
    ctx.bus.emit('token:revoked', [principal.tokenHash]);
    res.status(204).end();
  });

  api.get('/auth/me', (req, res) => {
    const { userId, username, role, unitId } = req.principal!;
    res.json({ id: userId, username, role, unitId });
  });

  api.get('/city', (_req, res) => {
    res.json(ctx.city);
  });

  let basemap: string | undefined;
  api.get('/basemap', (_req, res) => {
    // Built once: the road network does not change while the server runs.
    basemap ??= JSON.stringify(ctx.basemap());
    res.set('Cache-Control', 'private, max-age=3600');
    res.type('application/json').send(basemap);
  });

  api.get('/places/search', allow('incidents:write'), (req, res) => {
    const query = placeQuery(req.query.q);
    const limit = req.query.limit === undefined ? 10 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      throw new DispatchError('VALIDATION_FAILED', 'limit: expected 1 to 50');
    }
    res.json({ query, places: ctx.places().search(query, limit) });
  });

  api.get('/users', allow('users:admin'), async (_req, res) => {
    res.json(await ctx.auth.listUsers());
  });

  api.post('/users', allow('users:admin'), async (req, res) => {
    const body = v.objectBody(req.body);
    v.onlyFields(body, ['username', 'password', 'role', 'unitId']);
    const role = body.role as Role;
    if (!ROLES.includes(role)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        `role: expected one of ${ROLES.join(', ')}`,
      );
    }
    const input = {
      username: v.requiredString(body, 'username', 64),
      password: v.requiredString(body, 'password', 1024),
      role,
      unitId:
        body.unitId === undefined || body.unitId === null
          ? null
          : v.id(body.unitId, 'unitId', 'UNIT_NOT_FOUND'),
    };
    const user = await ctx.db.transaction(async (tx) => {
      const created = await ctx.auth.createUser(input, tx);
      await audit(
        tx,
        actorOf(req),
        'user.create',
        {
          type: 'user',
          id: created.id,
        },
        { username: created.username, role: created.role },
      );
      return created;
    });
    res.status(201).json(user);
  });

  api.post(
    '/users/:username/revoke-tokens',
    allow('users:admin'),
    async (req, res) => {
      const user = await ctx.auth.findUser(String(req.params.username));
      if (!user) throw new DispatchError('USER_NOT_FOUND');
      const revoked = await ctx.db.transaction(async (tx) => {
        const hashes = await ctx.auth.revokeUserTokens(user.id, tx);
        await audit(
          tx,
          actorOf(req),
          'user.revoke-tokens',
          {
            type: 'user',
            id: user.id,
          },
          { count: hashes.length },
        );
        return hashes;
      });
      ctx.bus.emit('token:revoked', revoked);
      res.json({ revoked: revoked.length });
    },
  );

  api.get('/units', allow('units:read'), async (_req, res) => {
    res.json(await ctx.units.list());
  });

  api.post('/units', allow('units:write'), async (req, res) => {
    const body = v.objectBody(req.body);
    v.onlyFields(body, [
      'callSign',
      'capability',
      'station',
      'stationName',
      'trackerId',
    ]);
    const capability = body.capability as Capability;
    if (!CAPABILITIES.includes(capability)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        'capability: expected ALS or BLS',
      );
    }
    const unit = await ctx.units.create(
      {
        callSign: v.requiredString(body, 'callSign', 40),
        capability,
        station: v.latLon(body.station, 'station'),
        stationName: v.optionalString(body, 'stationName', 200),
        trackerId: v.optionalString(body, 'trackerId', 100),
      },
      actorOf(req),
    );
    res.status(201).json(unit);
  });

  api.get('/units/:id', allow('units:read'), async (req, res) => {
    res.json(await ctx.units.get(unitIdParam(req)));
  });

  api.post('/units/:id/status', allow('units:status'), async (req, res) => {
    const unitId = unitIdParam(req);
    const body = v.objectBody(req.body);
    v.onlyFields(body, ['status', 'at', 'eventId']);
    const status = body.status;
    if (!(UNIT_STATUSES as readonly unknown[]).includes(status)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        `status: expected one of ${UNIT_STATUSES.join(', ')}`,
      );
    }
    const result = await ctx.units.reportStatus(
      unitId,
      {
        status: status as (typeof UNIT_STATUSES)[number],
        at: v.instant(body.at, 'at', new Date()),
        eventId: v.eventId(body.eventId),
      },
      actorOf(req),
    );
    res.json(result);
  });

  api.post(
    '/units/:id/positions',
    allow('units:positions'),
    async (req, res) => {
      const unitId = unitIdParam(req);
      const principal = req.principal!;
      if (principal.role === 'crew' && principal.unitId !== unitId) {
        throw new DispatchError(
          'NOT_OWN_UNIT',
          `you are the crew of unit ${principal.unitId}, not ${unitId}`,
        );
      }
      const fixes = readFixBatch(req.body);
      await ctx.units.mustExist(unitId);
      const results = await ctx.tracker.ingest(unitId, fixes, 'http');
      res.json({
        accepted: results.filter((r) => r.accepted).length,
        results,
      });
    },
  );

  api.post('/incidents', allow('incidents:write'), async (req, res) => {
    const body = v.objectBody(req.body);
    v.onlyFields(body, [
      'location',
      'priority',
      'complaint',
      'address',
      'callerPhone',
      'receivedAt',
    ]);
    const now = new Date();
    const receivedAt = v.instant(body.receivedAt, 'receivedAt', now);
    const incident = await ctx.incidents.create(
      {
        location: v.latLon(body.location, 'location'),
        priority: v.priority(body.priority),
        complaint: v.optionalString(body, 'complaint', 1000),
        address: v.optionalString(body, 'address', 300),
        callerPhone: v.optionalString(body, 'callerPhone', 40),
        receivedAt,
      },
      actorOf(req),
    );
    res.status(201).json(incident);
  });

  api.get('/incidents', allow('incidents:read'), async (req, res) => {
    const query = req.query;
    const open = query.open;
    if (open !== undefined && open !== 'true' && open !== 'false') {
      throw new DispatchError(
        'VALIDATION_FAILED',
        'open: expected true or false',
      );
    }
    const now = new Date();
    const incidents = await ctx.incidents.list({
      ...(open === undefined ? {} : { open: open === 'true' }),
      ...(query.from ? { from: v.instant(query.from, 'from', now, 1e9) } : {}),
      ...(query.to ? { to: v.instant(query.to, 'to', now, 1e9) } : {}),
      limit: limitParam(query.limit),
    });
    res.json(incidents.map((i) => incidentForRole(i, req.principal!.role)));
  });

  api.get('/incidents/nearby', allow('incidents:write'), async (req, res) => {
    const point = v.latLon(
      { lat: queryNumber(req.query.lat), lon: queryNumber(req.query.lon) },
      'lat, lon',
    );
    const role = req.principal!.role;
    const nearby = await ctx.incidents.nearby(point);
    res.json({
      ...ctx.incidents.duplicateWindow,
      incidents: nearby.map(({ incident, distanceMeters }) => ({
        incident: incidentForRole(incident, role),
        distanceMeters,
      })),
    });
  });

  api.get('/incidents/:id', allow('incidents:read'), async (req, res) => {
    const incident = await ctx.incidents.get(incidentIdParam(req));
    res.json(incidentForRole(incident, req.principal!.role));
  });

  api.get(
    '/incidents/:id/recommendations',
    allow('incidents:write'),
    async (req, res) => {
      res.json(await ctx.incidents.recommend(incidentIdParam(req)));
    },
  );

  api.get(
    '/incidents/:id/route',
    allow('incidents:write'),
    async (req, res) => {
      const text = req.query.unitId;
      if (typeof text !== 'string') {
        throw new DispatchError(
          'VALIDATION_FAILED',
          'unitId: expected ?unitId=',
        );
      }
      const unitId = v.id(text, 'unitId', 'UNIT_NOT_FOUND', 'path');
      res.json(await ctx.incidents.route(incidentIdParam(req), unitId));
    },
  );

  api.post(
    '/incidents/:id/assign',
    allow('incidents:write'),
    async (req, res) => {
      const body = v.objectBody(req.body);
      v.onlyFields(body, ['unitId']);
      const result = await ctx.incidents.assign(
        incidentIdParam(req),
        v.id(body.unitId, 'unitId', 'UNIT_NOT_FOUND'),
        actorOf(req),
      );
      res.json(result);
    },
  );

  api.post(
    '/incidents/:id/cancel',
    allow('incidents:write'),
    async (req, res) => {
      const body = v.objectBody(req.body);
      v.onlyFields(body, ['reason']);
      const incident = await ctx.incidents.cancel(
        incidentIdParam(req),
        v.requiredString(body, 'reason', 500),
        actorOf(req),
      );
      res.json(incident);
    },
  );

  api.get('/coverage', allow('incidents:read'), async (req, res) => {
    const text = req.query.seconds;
    const seconds = text === undefined ? ctx.targetSeconds : Number(text);
    if (!Number.isInteger(seconds) || seconds < 10 || seconds > 1800) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        'seconds: expected an integer from 10 to 1800',
      );
    }
    res.json(await ctx.incidents.coverage(seconds));
  });

  api.get(
    '/metrics/response-times',
    allow('metrics:read'),
    async (req, res) => {
      const query = req.query;
      const now = new Date();
      res.json(
        await responseTimeReport(
          ctx.db,
          {
            ...(query.from
              ? { from: v.instant(query.from, 'from', now, 1e9) }
              : {}),
            ...(query.to ? { to: v.instant(query.to, 'to', now, 1e9) } : {}),
            ...(query.priority
              ? { priority: v.priority(Number(query.priority)) }
              : {}),
          },
          ctx.targetSeconds,
        ),
      );
    },
  );

  api.get('/audit', allow('users:admin'), async (req, res) => {
    const rows = await ctx.db.query(
      `SELECT a.seq::text AS seq, a.at, u.username AS actor, a.actor_role AS "actorRole",
              a.action, a.target_type AS "targetType", a.target_id AS "targetId",
              a.ip, a.details
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
        ORDER BY a.seq DESC LIMIT $1`,
      [limitParam(req.query.limit)],
    );
    res.json(rows);
  });

  // Unknown /api paths answer in the catalogue's shape too.
  api.use((req) => {
    throw new DispatchError(
      'ROUTE_NOT_FOUND',
      `no route ${req.method} ${req.baseUrl}${req.path}`,
    );
  });
  return api;
}

function unitIdParam(req: Request): number {
  return v.id(req.params.id, 'unit id', 'UNIT_NOT_FOUND', 'path');
}

function incidentIdParam(req: Request): number {
  return v.id(req.params.id, 'incident id', 'INCIDENT_NOT_FOUND', 'path');
}

/**
 * The `q` of a place search, trimmed.
 * @throws DispatchError `PLACE_QUERY_INVALID` when missing, repeated,
 *   blank, longer than 100 characters or without a letter or digit
 */
function placeQuery(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length < 1 || text.length > 100 || !/[\p{L}\p{N}]/u.test(text)) {
    throw new DispatchError(
      'PLACE_QUERY_INVALID',
      typeof value === 'string' && text.length > 100
        ? `q: ${text.length} characters, expected at most 100`
        : undefined,
    );
  }
  return text;
}

/** A query-string number; anything but one plain number is NaN. */
function queryNumber(value: unknown): number {
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

function limitParam(value: unknown): number {
  if (value === undefined) return 200;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5000) {
    throw new DispatchError('VALIDATION_FAILED', 'limit: expected 1 to 5000');
  }
  return n;
}
