/**
 * Security route by route, from the served OpenAPI document
 * (`GET /api/openapi.json`): the single place where every operation and
 * both socket namespaces are checked against what the document declares.
 * - Public are exactly the operations declared so (`security: []`);
 *   every other one refuses, with 401 and the stable code, no token, a
 *   malformed, unknown, expired or revoked one.
 * - Each role reaches exactly the operations whose `x-roles` name it and
 *   gets 403 `FORBIDDEN` from the others; an operation that lists
 *   `NOT_OWN_UNIT` lets a crew act for its own unit only.
 * - `/console` and `/tablet` take exactly the roles the document names
 *   for them and refuse the rest, and refuse bad tokens the same way.
 * - Every refusal stores nothing; every answer, refusals included,
 *   carries the security headers; no token or password reaches the log.
 *
 * The behaviour behind single points lives in security.test.ts: token
 * lifetime and revocation flows, the login rate limit, what planners see,
 * patients' data and the log, the audit trail.
 */
import crypto from 'node:crypto';

import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashToken } from '../src/auth/auth-service.ts';
import { ROLES, type Role } from '../src/auth/roles.ts';
import type {
  OpenApiDocument,
  Operation,
  PathItem,
} from '../src/http/openapi.ts';
import { createLogger } from '../src/log.ts';
import {
  ADMIN_PASSWORD,
  DOWNTOWN,
  startTestServer,
  type TestServer,
} from './harness.ts';

const PASSWORDS: Record<Role, [string, string]> = {
  dispatcher: ['dispatcher', 'dispatcher-demo'],
  planner: ['planner', 'planner-demo'],
  crew: ['crew-a01', 'crew-demo-pass'],
  admin: ['admin', ADMIN_PASSWORD],
};
/** The operations a signed-out client may call, by the README. */
const PUBLIC = [
  'GET /healthz',
  'GET /api/openapi.json',
  'POST /api/auth/login',
];
const NAMESPACES = ['/console', '/tablet'] as const;

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

interface Route {
  key: string;
  method: string;
  path: string;
  operation: Operation;
}

let ts: TestServer;
let doc: OpenApiDocument;
let routes: Route[];
const logLines: string[] = [];
const tokens = {} as Record<Role, string>;
/** Every token and password the test sent, none of which may be logged. */
const secrets = new Set<string>();
let ownUnit: number;
let otherUnit: number;
let incidentId: number;
let throwaway: { username: string; password: string };

beforeAll(async () => {
  ts = await startTestServer(
    { DISPATCH_LOGIN_MAX_FAILURES: '1000' },
    {
      log: createLogger({
        level: 'debug',
        destination: { write: (line: string) => void logLines.push(line) },
      }),
    },
  );
  for (const role of ROLES) {
    const [username, password] = PASSWORDS[role];
    tokens[role] = await ts.login(username, password);
    secrets.add(tokens[role]).add(password);
  }
  const served = await ts.request('GET', '/api/openapi.json');
  expect(served.status).toBe(200);
  doc = served.body;
  routes = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as PathItem).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      operation: operation as Operation,
    })),
  );
  const units = await ts.request('GET', '/api/units', { token: tokens.admin });
  const byCallSign = new Map<string, number>(
    units.body.map((u: any) => [u.callSign, u.id]),
  );
  ownUnit = byCallSign.get('A01') as number;
  otherUnit = byCallSign.get('B02') as number;
  const incident = await ts.request('POST', '/api/incidents', {
    token: tokens.dispatcher,
    body: { location: DOWNTOWN, priority: 2 },
  });
  incidentId = incident.body.id;
  throwaway = {
    username: `matrix-${crypto.randomBytes(4).toString('hex')}`,
    password: 'a-long-password-matrix',
  };
  await ts.server.auth.createUser({ ...throwaway, role: 'dispatcher' });
  secrets.add(throwaway.password);
});

afterAll(async () => {
  await ts?.close();
});

/** `fetch` with JSON, a bearer token or a raw Authorization header. */
async function call(
  method: string,
  path: string,
  options: { token?: string; authorization?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization) headers.authorization = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(ts.url + path, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a console page): left as text.
  }
  const answer = { status: response.status, body, headers: response.headers };
  expectSecurityHeaders(path, answer);
  return answer;
}

/** The headers every answer carries, whatever its status. */
function expectSecurityHeaders(path: string, answer: Answer) {
  const h = answer.headers;
  const label = `${path} (${answer.status})`;
  expect(h.get('x-content-type-options'), label).toBe('nosniff');
  expect(h.get('x-frame-options'), label).toBe('DENY');
  expect(h.get('referrer-policy'), label).toBe('no-referrer');
  expect(h.get('cross-origin-opener-policy'), label).toBe('same-origin');
  expect(h.get('content-security-policy'), label).toMatch(
    /default-src 'self'.*frame-ancestors 'none'/,
  );
  expect(h.get('x-powered-by'), label).toBeNull();
  if (path.startsWith('/api/')) {
    // Answers of the API hold personal data: never cached, but for the
    // road network, which a browser may keep for itself (private).
    expect(h.get('cache-control'), label).toMatch(
      path === '/api/basemap' ? /^(private\b|no-store$)/ : /^no-store$/,
    );
  }
}

function expectError(answer: Answer, status: number, code: string, label = '') {
  expect(answer.status, `${label} ${JSON.stringify(answer.body)}`).toBe(status);
  expect(answer.body, label).toEqual({
    error: { code, message: expect.any(String) },
  });
}

/** The route's path with ids that exist: the crew's own unit, an incident. */
function probePath(route: Route, unitId = ownUnit): string {
  return route.path
    .replace('{username}', throwaway.username)
    .replace(
      '{id}',
      String(route.path.startsWith('/api/units') ? unitId : incidentId),
    );
}

/** A probe: an empty body where one is documented. Bodies are read after the role check. */
function probe(route: Route, unitId?: number) {
  return {
    method: route.method,
    path: probePath(route, unitId),
    body: route.operation.requestBody ? {} : undefined,
  };
}

/** Whether an operation documents `code` among its answers. */
function documents(route: Route, status: number, code: string): boolean {
  return JSON.stringify(
    route.operation.responses[String(status)] ?? {},
  ).includes(`"${code}"`);
}

/** Rows of every table a request could write. */
async function stored() {
  const [row] = await ts.server.db.query(`
    SELECT (SELECT count(*) FROM incidents)::int AS incidents,
           (SELECT count(*) FROM incident_events)::int AS incident_events,
           (SELECT count(*) FROM unit_status_events)::int AS unit_events,
           (SELECT count(*) FROM units)::int AS units,
           (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM audit_log)::int AS audit,
           (SELECT count(*) FROM auth_tokens WHERE revoked_at IS NULL)::int AS live_tokens,
           (SELECT count(*) FROM unit_track)::int AS track`);
  const units = await ts.server.units.list();
  return { row, live: units.map((u) => [u.id, u.status, u.lastPosition]) };
}

/** A token of `username` already past its expiry, as time would leave it. */
async function expiredToken(username: string): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await ts.server.db.query(
    `INSERT INTO auth_tokens (token_hash, user_id, expires_at)
     SELECT $1, id, now() - interval '1 minute' FROM users WHERE username = $2`,
    [hashToken(token), username],
  );
  secrets.add(token);
  return token;
}

/** A token revoked by its own logout. */
async function revokedToken(): Promise<string> {
  const token = await ts.login(throwaway.username, throwaway.password);
  secrets.add(token);
  const logout = await call('POST', '/api/auth/logout', { token });
  expect(logout.status).toBe(204);
  return token;
}

async function handshake(
  namespace: string,
  auth: Record<string, unknown>,
): Promise<{ connected: true } | { code: string }> {
  const socket = connectSocket(ts.url + namespace, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${namespace}: no answer to the handshake`)),
        10_000,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve({ connected: true });
      });
      socket.once('connect_error', (err: Error & { data?: any }) => {
        clearTimeout(timer);
        resolve({ code: err.data?.error?.code });
      });
    });
  } finally {
    socket.close();
  }
}

/** The roles the document names for a namespace: "### `/tablet` (crew)". */
function namespaceRoles(namespace: string): Role[] {
  const match = new RegExp(`### \`${namespace}\` \\(([^)]*)\\)`).exec(
    doc.info.description,
  );
  if (!match) throw new Error(`the document names no roles for ${namespace}`);
  return (match[1] as string).split(',').map((r) => r.trim() as Role);
}

describe('the document declares who may call what', () => {
  it('is public exactly where the README says, with roles on every other operation', () => {
    const open = routes.filter((r) => r.operation.security.length === 0);
    expect(open.map((r) => r.key).sort()).toEqual([...PUBLIC].sort());
    for (const route of routes) {
      if (route.operation.security.length === 0) continue;
      const roles = route.operation['x-roles'] ?? [];
      expect(roles.length, route.key).toBeGreaterThan(0);
      for (const role of roles) expect(ROLES, route.key).toContain(role);
      expect(documents(route, 401, 'AUTH_REQUIRED'), route.key).toBe(true);
      if (roles.length < ROLES.length) {
        expect(documents(route, 403, 'FORBIDDEN'), route.key).toBe(true);
      }
    }
  });

  it('names the roles of both socket namespaces', () => {
    expect(namespaceRoles('/console')).toEqual([
      'dispatcher',
      'planner',
      'admin',
    ]);
    expect(namespaceRoles('/tablet')).toEqual(['crew']);
  });
});

describe('every protected operation refuses a missing or bad token', () => {
  it('401 with the stable code for none, malformed, unknown, expired and revoked tokens; nothing stored', async () => {
    const expired = await expiredToken('dispatcher');
    const revoked = await revokedToken();
    const unknown = crypto.randomBytes(32).toString('base64url');
    const bad: [string, { token?: string; authorization?: string }, string][] =
      [
        ['no token', {}, 'AUTH_REQUIRED'],
        [
          'a Basic scheme',
          { authorization: 'Basic YWRtaW46YWRtaW4=' },
          'AUTH_TOKEN_INVALID',
        ],
        [
          'Bearer without a token',
          { authorization: 'Bearer' },
          'AUTH_TOKEN_INVALID',
        ],
        [
          'a token too short to be one',
          { authorization: 'Bearer abc' },
          'AUTH_TOKEN_INVALID',
        ],
        [
          'characters tokens never have',
          { authorization: `Bearer ${'x'.repeat(30)}!` },
          'AUTH_TOKEN_INVALID',
        ],
        [
          'two tokens',
          { authorization: `Bearer ${'a'.repeat(43)} ${'b'.repeat(43)}` },
          'AUTH_TOKEN_INVALID',
        ],
        ['an unknown token', { token: unknown }, 'AUTH_TOKEN_INVALID'],
        ['an expired token', { token: expired }, 'AUTH_TOKEN_EXPIRED'],
        ['a revoked token', { token: revoked }, 'AUTH_TOKEN_REVOKED'],
      ];
    const before = await stored();
    let checked = 0;
    for (const route of routes) {
      if (route.operation.security.length === 0) continue;
      for (const [what, auth, code] of bad) {
        const { method, path, body } = probe(route);
        const answer = await call(method, path, { ...auth, body });
        expectError(answer, 401, code, `${route.key} with ${what}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20 * bad.length);
    expect(await stored()).toEqual(before);
  });

  it('the public operations answer without a token', async () => {
    for (const route of routes.filter(
      (r) => r.operation.security.length === 0,
    )) {
      const { method, path, body } = probe(route);
      const answer = await call(method, path, { body });
      expect([401, 403], route.key).not.toContain(answer.status);
      expect(answer.status, route.key).toBeLessThan(500);
    }
  });
});

describe('each role reaches exactly what x-roles gives it', () => {
  for (const role of ROLES) {
    it(`${role}: the operations outside its x-roles answer 403 FORBIDDEN and store nothing; the others let it through`, async () => {
      const reached: string[] = [];
      for (const route of routes) {
        if (route.operation.security.length === 0) continue;
        const allowed = route.operation['x-roles']?.includes(role) ?? false;
        // Logout would end this role's session: a token of its own.
        const token =
          route.key === 'POST /api/auth/logout'
            ? await ts.login(...PASSWORDS[role])
            : tokens[role];
        const { method, path, body } = probe(route);
        const before = allowed ? undefined : await stored();
        const answer = await call(method, path, { token, body });
        const label = `${role} ${route.key} -> ${answer.status} ${JSON.stringify(answer.body)}`;
        expect(answer.status, label).toBeLessThan(500);
        if (allowed) {
          expect([401, 403], label).not.toContain(answer.status);
          reached.push(route.key);
        } else {
          expectError(answer, 403, 'FORBIDDEN', label);
          expect(await stored(), label).toEqual(before);
        }
      }
      expect(reached.length).toBeGreaterThan(0);
    });
  }

  it('a planner cannot assign a unit, even with a valid request', async () => {
    const before = await stored();
    const answer = await call('POST', `/api/incidents/${incidentId}/assign`, {
      token: tokens.planner,
      body: { unitId: otherUnit },
    });
    expectError(answer, 403, 'FORBIDDEN');
    expect(await stored()).toEqual(before);
    const incident = await call('GET', `/api/incidents/${incidentId}`, {
      token: tokens.dispatcher,
    });
    expect(incident.body).toMatchObject({ phase: 'received', unitIds: [] });
  });
});

describe('a crew acts for its own unit only', () => {
  /** A valid body for each operation that lists NOT_OWN_UNIT. */
  const VALID: Record<string, () => unknown> = {
    reportUnitStatus: () => ({ status: 'out_of_service' }),
    reportUnitPositions: () => ({
      fixes: [{ ...DOWNTOWN, at: new Date(Date.now() - 1000).toISOString() }],
    }),
  };
  /** What puts the unit back, so the next check starts from the same state. */
  const UNDO: Record<string, () => Promise<unknown>> = {
    reportUnitStatus: () =>
      call('POST', `/api/units/${ownUnit}/status`, {
        token: tokens.crew,
        body: { status: 'available' },
      }),
  };

  it('every own-unit operation answers NOT_OWN_UNIT for another unit and stores nothing; its own unit goes through', async () => {
    const ownUnitRoutes = routes.filter((r) =>
      documents(r, 403, 'NOT_OWN_UNIT'),
    );
    expect(ownUnitRoutes.map((r) => r.key)).toEqual(
      expect.arrayContaining([
        'POST /api/units/{id}/status',
        'POST /api/units/{id}/positions',
      ]),
    );
    for (const route of ownUnitRoutes) {
      const id = route.operation.operationId;
      const body = VALID[id];
      if (!body) throw new Error(`${route.key}: add a valid body to VALID`);
      expect(route.operation['x-roles'], route.key).toContain('crew');
      const before = await stored();
      const refused = await call(route.method, probePath(route, otherUnit), {
        token: tokens.crew,
        body: body(),
      });
      expectError(refused, 403, 'NOT_OWN_UNIT', route.key);
      expect(await stored(), route.key).toEqual(before);

      const done = await call(route.method, probePath(route, ownUnit), {
        token: tokens.crew,
        body: body(),
      });
      expect(done.status, `${route.key} ${JSON.stringify(done.body)}`).toBe(
        200,
      );
      await UNDO[id]?.();
    }
  });
});

describe('socket namespaces', () => {
  for (const namespace of NAMESPACES) {
    it(`${namespace} takes exactly the roles the document names and refuses bad tokens`, async () => {
      const roles = namespaceRoles(namespace);
      for (const role of ROLES) {
        const result = await handshake(namespace, { token: tokens[role] });
        if (roles.includes(role)) {
          expect(result, `${role} on ${namespace}`).toEqual({
            connected: true,
          });
        } else {
          expect(result, `${role} on ${namespace}`).toEqual({
            code: 'FORBIDDEN',
          });
        }
      }
      const refusals: [Record<string, unknown>, string][] = [
        [{}, 'AUTH_REQUIRED'],
        [{ token: 42 }, 'AUTH_REQUIRED'],
        [{ token: '' }, 'AUTH_REQUIRED'],
        [{ token: 'nonsense' }, 'AUTH_TOKEN_INVALID'],
        [
          { token: crypto.randomBytes(32).toString('base64url') },
          'AUTH_TOKEN_INVALID',
        ],
        [
          { token: await expiredToken(PASSWORDS[roles[0] as Role][0]) },
          'AUTH_TOKEN_EXPIRED',
        ],
      ];
      for (const [auth, code] of refusals) {
        expect(await handshake(namespace, auth), JSON.stringify(auth)).toEqual({
          code,
        });
      }
      // A revoked token of a role the namespace takes.
      const [username, password] = PASSWORDS[roles[0] as Role];
      const token = await ts.login(username, password);
      secrets.add(token);
      expect(await handshake(namespace, { token })).toEqual({
        connected: true,
      });
      await call('POST', '/api/auth/logout', { token });
      expect(await handshake(namespace, { token })).toEqual({
        code: 'AUTH_TOKEN_REVOKED',
      });
    });
  }
});

describe('every answer', () => {
  it('carries the security headers, pages and unknown paths included', async () => {
    // call() checks the headers of each answer; these are the non-API ones.
    for (const path of [
      '/',
      '/tablet',
      '/planner',
      '/healthz',
      '/no-such-page',
      '/api/no-such-route',
    ]) {
      await call('GET', path, { token: tokens.dispatcher });
    }
  });
});

describe('the log of the whole matrix', () => {
  it('holds no token and no password that was sent', async () => {
    const text = logLines.join('');
    // The logger is wired: the requests above are in it.
    expect(text).toContain('"path":"/api/auth/login"');
    expect(secrets.size).toBeGreaterThan(8);
    for (const secret of secrets) {
      expect(
        text.includes(secret),
        `the log holds ${secret.slice(0, 6)}…`,
      ).toBe(false);
    }
  });
});
