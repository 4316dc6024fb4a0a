/**
 * Security of the dispatch server, point by point: what planners and
 * crews see and do, token expiry and revocation, login rate limiting,
 * what reaches the log and the audit trail. Route by route (every
 * operation and namespace against the OpenAPI document's roles, bad and
 * missing tokens, own-unit rules, security headers) is
 * security-matrix.test.ts.
 *
 * Three servers: the main one (demo fleet and users), one with a 1 s token
 * lifetime and 3 allowed login failures, and one whose logger writes into
 * memory. Logins that fail come from made-up client addresses (the servers
 * trust X-Forwarded-For here) and, where a limit could trip, for users of
 * their own: with Redis the failure counts are shared by every test server
 * on the machine, so a blocked 127.0.0.1 or `dispatcher` would fail logins
 * elsewhere.
 */
import crypto from 'node:crypto';

import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { readConfig, startServer, type DispatchServer } from '../src/index.ts';
import { createLogger } from '../src/log.ts';
import {
  ADMIN_PASSWORD,
  DOWNTOWN,
  freshPostgres,
  nextEvent,
  NORTH,
  startTestServer,
  type TestServer,
} from './harness.ts';

const DISPATCHER_PASSWORD = 'dispatcher-demo';
const PLANNER_PASSWORD = 'planner-demo';
const CREW_PASSWORD = 'crew-demo-pass';

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** `fetch` with JSON in and out, and any extra headers. */
async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body =
      typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  }
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: kept as text, and the assertions will say so.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** A made-up client address, new on every call. */
function freshIp(): string {
  const [a, b, c] = crypto.randomBytes(3);
  return `10.${a}.${b}.${(c as number) % 250 || 1}`;
}

function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toEqual({
    error: { code, message: expect.any(String) },
  });
}

/** Connects to `namespace` and resolves with the refusal's catalogue error. */
async function handshakeRefusal(
  baseUrl: string,
  namespace: '/console' | '/tablet',
  auth: Record<string, unknown>,
): Promise<{ code: string; message: string }> {
  const socket = connectSocket(baseUrl + namespace, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    const err = await new Promise<Error & { data?: any }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('neither connect nor connect_error')),
        10_000,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        reject(new Error(`${namespace} accepted the handshake`));
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        resolve(error);
      });
    });
    return err.data?.error;
  } finally {
    socket.close();
  }
}

function ack(socket: Socket, event: string, ...args: unknown[]) {
  return socket.timeout(10_000).emitWithAck(event, ...args);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A server started like the harness does, but logging into memory. */
async function startLoggedServer() {
  const lines: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const postgres = await freshPostgres();
  const config = readConfig({
    PORT: '0',
    DATA_DIR: 'memory://',
    DISPATCH_DEMO: 'true',
    OSMAND_PORT: '0',
    DISPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...(process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: 'test-security:' }
      : {}),
  });
  const server: DispatchServer = await startServer(config, { log });
  return {
    server,
    url: server.url,
    logText: () => lines.join(''),
    async close() {
      await server.close();
      await postgres?.drop();
    },
  };
}

let main: TestServer;
let limits: TestServer;
let logged: Awaited<ReturnType<typeof startLoggedServer>>;
let dispatcher: string;
let planner: string;
let admin: string;
const unitIds = new Map<string, number>();

function unitId(callSign: string): number {
  const id = unitIds.get(callSign);
  if (id === undefined) throw new Error(`no demo unit ${callSign}`);
  return id;
}

async function createIncident(
  token: string,
  extra: Record<string, unknown> = {},
): Promise<any> {
  const answer = await main.request('POST', '/api/incidents', {
    token,
    body: { location: DOWNTOWN, priority: 2, ...extra },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

async function unitStatus(id: number): Promise<string> {
  const answer = await main.request('GET', `/api/units/${id}`, {
    token: dispatcher,
  });
  expect(answer.status).toBe(200);
  return answer.body.status;
}

beforeAll(async () => {
  // Read once, while the servers start: req.ip from X-Forwarded-For.
  const trustProxy = process.env.TRUST_PROXY;
  process.env.TRUST_PROXY = 'true';
  try {
    [main, limits, logged] = await Promise.all([
      startTestServer(),
      startTestServer({
        DISPATCH_TOKEN_TTL_SECONDS: '1',
        DISPATCH_LOGIN_MAX_FAILURES: '3',
        DISPATCH_LOGIN_WINDOW_SECONDS: '60',
      }),
      startLoggedServer(),
    ]);
  } finally {
    if (trustProxy === undefined) delete process.env.TRUST_PROXY;
    else process.env.TRUST_PROXY = trustProxy;
  }
  [dispatcher, planner, admin] = await Promise.all([
    main.login('dispatcher', DISPATCHER_PASSWORD),
    main.login('planner', PLANNER_PASSWORD),
    main.login('admin', ADMIN_PASSWORD),
  ]);
  const units = await main.request('GET', '/api/units', { token: dispatcher });
  for (const unit of units.body) unitIds.set(unit.callSign, unit.id);
});

afterAll(async () => {
  await Promise.all([main?.close(), limits?.close(), logged?.close()]);
});

describe('authentication', () => {
  it('a valid token identifies its user', async () => {
    const answer = await main.request('GET', '/api/auth/me', {
      token: dispatcher,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      username: 'dispatcher',
      role: 'dispatcher',
      unitId: null,
    });
  });
});

describe('what each role sees and does', () => {
  it('a planner reads metrics and incidents, without caller phone or complaint', async () => {
    const incident = await createIncident(dispatcher, {
      callerPhone: '+55 51 91234-0001',
      complaint: 'queda de altura',
      address: 'Rua dos Andradas 1000',
    });

    const metrics = await main.request('GET', '/api/metrics/response-times', {
      token: planner,
    });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toHaveProperty('intervals');

    const one = await main.request('GET', `/api/incidents/${incident.id}`, {
      token: planner,
    });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: incident.id,
      priority: 2,
      callerPhone: null,
      complaint: null,
    });
    expect(one.body.location.lat).toBeCloseTo(DOWNTOWN.lat, 5);

    const list = await main.request('GET', '/api/incidents?limit=5000', {
      token: planner,
    });
    expect(list.status).toBe(200);
    const listed = list.body.find((i: any) => i.id === incident.id);
    expect(listed).toMatchObject({ callerPhone: null, complaint: null });
    expect(JSON.stringify(list.body)).not.toContain('91234-0001');
    expect(JSON.stringify(list.body)).not.toContain('queda de altura');
  });

  it('a dispatcher sees caller phone and complaint', async () => {
    const incident = await createIncident(dispatcher, {
      callerPhone: '+55 51 91234-0002',
      complaint: 'convulsão',
    });
    expect(incident).toMatchObject({
      callerPhone: '+55 51 91234-0002',
      complaint: 'convulsão',
    });
    const one = await main.request('GET', `/api/incidents/${incident.id}`, {
      token: dispatcher,
    });
    expect(one.body).toMatchObject({
      callerPhone: '+55 51 91234-0002',
      complaint: 'convulsão',
    });
    const list = await main.request('GET', '/api/incidents?limit=5000', {
      token: dispatcher,
    });
    expect(list.body.find((i: any) => i.id === incident.id)).toMatchObject({
      callerPhone: '+55 51 91234-0002',
      complaint: 'convulsão',
    });
  });

  it("a planner's console gets incidents without caller phone or complaint; a dispatcher's with them", async () => {
    const plannerConsole = await main.socket('/console', planner);
    const dispatcherConsole = await main.socket('/console', dispatcher);
    const toPlanner = nextEvent<[any]>(plannerConsole, 'incident:created');
    const toDispatcher = nextEvent<[any]>(
      dispatcherConsole,
      'incident:created',
    );
    const incident = await createIncident(dispatcher, {
      callerPhone: '+55 51 91234-0003',
      complaint: 'falta de ar',
    });
    const [seenByPlanner] = await toPlanner;
    const [seenByDispatcher] = await toDispatcher;
    expect(seenByPlanner).toMatchObject({
      id: incident.id,
      callerPhone: null,
      complaint: null,
    });
    expect(seenByDispatcher).toMatchObject({
      id: incident.id,
      callerPhone: '+55 51 91234-0003',
      complaint: 'falta de ar',
    });

    const snapshot = await ack(plannerConsole, 'snapshot');
    expect(snapshot.ok).toBe(true);
    const inSnapshot = snapshot.incidents.find(
      (i: any) => i.id === incident.id,
    );
    expect(inSnapshot).toMatchObject({ callerPhone: null, complaint: null });
    plannerConsole.disconnect();
    dispatcherConsole.disconnect();
  });

  it('a crew reports status for its own unit only (/tablet: the unit is the token’s, another cannot be named)', async () => {
    const crew = await main.login('crew-a03', CREW_PASSWORD);
    const own = unitId('A03');
    const other = unitId('B04');
    const tablet = await main.socket('/tablet', crew);

    const refused = await ack(tablet, 'status', {
      status: 'out_of_service',
      unitId: other,
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(refused.error.message).toContain('unitId');
    expect(await unitStatus(other)).toBe('available');
    expect(await unitStatus(own)).toBe('available');

    const done = await ack(tablet, 'status', { status: 'out_of_service' });
    expect(done).toMatchObject({
      ok: true,
      unit: { id: own, status: 'out_of_service' },
    });
    expect(await unitStatus(own)).toBe('out_of_service');
    expect(await unitStatus(other)).toBe('available');

    const fix = await ack(tablet, 'position', {
      ...NORTH,
      at: new Date().toISOString(),
    });
    expect(fix).toMatchObject({
      ok: true,
      result: { accepted: true, live: true },
    });
    const otherUnit = await main.request('GET', `/api/units/${other}`, {
      token: dispatcher,
    });
    expect(otherUnit.body.lastPosition).toBeNull();

    const back = await ack(tablet, 'status', { status: 'available' });
    expect(back.ok).toBe(true);
    tablet.disconnect();
  });

  it("a tablet hears its own unit's status changes, not another unit's", async () => {
    const crew = await main.login('crew-a09', CREW_PASSWORD);
    const own = unitId('A09');
    const other = unitId('B10');
    const tablet = await main.socket('/tablet', crew);
    const heard = nextEvent<[any]>(tablet, 'unit:status');
    for (const id of [other, own]) {
      const answer = await main.request('POST', `/api/units/${id}/status`, {
        token: dispatcher,
        body: { status: 'out_of_service' },
      });
      expect(answer.status).toBe(200);
    }
    const [unit] = await heard;
    expect(unit.id).toBe(own);
    for (const id of [other, own]) {
      await main.request('POST', `/api/units/${id}/status`, {
        token: dispatcher,
        body: { status: 'available' },
      });
    }
    tablet.disconnect();
  });

  it('an admin creates a user who can then log in; the answer holds no password', async () => {
    const username = uniqueName('nurse');
    const password = 'a-long-password-7';
    const created = await main.request('POST', '/api/users', {
      token: admin,
      body: { username, password, role: 'dispatcher' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      username,
      role: 'dispatcher',
      unitId: null,
    });
    expect(JSON.stringify(created.body)).not.toContain(password);

    const login = await main.request('POST', '/api/auth/login', {
      body: { username, password },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      role: 'dispatcher',
      token: expect.any(String),
    });
    const me = await main.request('GET', '/api/auth/me', {
      token: login.body.token,
    });
    expect(me.body).toMatchObject({ username, role: 'dispatcher' });

    const users = await main.request('GET', '/api/users', { token: admin });
    expect(JSON.stringify(users.body)).not.toMatch(/password|scrypt/);
  });
});

describe('token expiry and revocation', () => {
  it('a token expires after its lifetime (401 AUTH_TOKEN_EXPIRED)', async () => {
    const login = await call(limits.url, 'POST', '/api/auth/login', {
      body: { username: 'dispatcher', password: DISPATCHER_PASSWORD },
    });
    expect(login.status).toBe(200);
    const token: string = login.body.token;
    const expiresAt = Date.parse(login.body.expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(1000);
    expect(
      (await call(limits.url, 'GET', '/api/auth/me', { token })).status,
    ).toBe(200);

    await sleep(Math.max(0, expiresAt - Date.now()) + 500);
    expectError(
      await call(limits.url, 'GET', '/api/auth/me', { token }),
      401,
      'AUTH_TOKEN_EXPIRED',
    );
    expect(
      await handshakeRefusal(limits.url, '/console', { token }),
    ).toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
  });

  it('logout revokes the token (401 AUTH_TOKEN_REVOKED), not the user’s other tokens, and closes its socket', async () => {
    const token = await main.login('dispatcher', DISPATCHER_PASSWORD);
    const other = await main.login('dispatcher', DISPATCHER_PASSWORD);
    const consoleSocket = await main.socket('/console', token);
    const closed = nextEvent<[string]>(consoleSocket, 'disconnect');

    const logout = await main.request('POST', '/api/auth/logout', { token });
    expect(logout.status).toBe(204);
    expect((await closed)[0]).toBe('io server disconnect');

    expectError(
      await main.request('GET', '/api/auth/me', { token }),
      401,
      'AUTH_TOKEN_REVOKED',
    );
    expectError(
      await main.request('POST', '/api/auth/logout', { token }),
      401,
      'AUTH_TOKEN_REVOKED',
    );
    expect(
      await handshakeRefusal(main.url, '/console', { token }),
    ).toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
    expect(
      (await main.request('GET', '/api/auth/me', { token: other })).status,
    ).toBe(200);
  });

  it("an admin revokes another user's tokens and disconnects that user's console", async () => {
    const username = uniqueName('revoked');
    const password = 'a-long-password-8';
    const created = await main.request('POST', '/api/users', {
      token: admin,
      body: { username, password, role: 'dispatcher' },
    });
    expect(created.status).toBe(201);
    const first = await main.login(username, password);
    const second = await main.login(username, password);
    const consoleSocket = await main.socket('/console', first);
    const closed = nextEvent<[string]>(consoleSocket, 'disconnect');

    const revoke = await main.request(
      'POST',
      `/api/users/${username}/revoke-tokens`,
      { token: admin },
    );
    expect(revoke.status).toBe(200);
    expect(revoke.body).toEqual({ revoked: 2 });
    expect((await closed)[0]).toBe('io server disconnect');

    for (const token of [first, second]) {
      expectError(
        await main.request('GET', '/api/auth/me', { token }),
        401,
        'AUTH_TOKEN_REVOKED',
      );
    }
    // The admin's own token and other users' tokens still work.
    expect(
      (await main.request('GET', '/api/auth/me', { token: admin })).status,
    ).toBe(200);
    expect(
      (await main.request('GET', '/api/auth/me', { token: dispatcher })).status,
    ).toBe(200);
    // A new login works: revocation is not a lock-out.
    await main.login(username, password);

    expectError(
      await main.request('POST', '/api/users/nobody-here/revoke-tokens', {
        token: admin,
      }),
      404,
      'USER_NOT_FOUND',
    );
  });
});

describe('login', () => {
  it('a wrong password and an unknown user get the same 401 AUTH_BAD_CREDENTIALS', async () => {
    const username = uniqueName('known');
    await main.server.auth.createUser({
      username,
      password: 'the-right-password',
      role: 'dispatcher',
    });
    const ip = freshIp();
    const wrong = await call(main.url, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': ip },
      body: { username, password: 'not-the-password' },
    });
    const unknown = await call(main.url, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': ip },
      body: { username: uniqueName('unknown'), password: 'not-the-password' },
    });
    expectError(wrong, 401, 'AUTH_BAD_CREDENTIALS');
    expectError(unknown, 401, 'AUTH_BAD_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body).not.toHaveProperty('token');
    const right = await call(main.url, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': ip },
      body: { username, password: 'the-right-password' },
    });
    expect(right.status).toBe(200);
  });

  it('after 3 wrong passwords the next login, even with the right password, gets 429 AUTH_RATE_LIMITED with Retry-After', async () => {
    const username = uniqueName('limited');
    const password = 'the-right-password';
    await limits.server.auth.createUser({
      username,
      password,
      role: 'dispatcher',
    });
    const ip = freshIp();
    const attempt = (pw: string, from = ip) =>
      call(limits.url, 'POST', '/api/auth/login', {
        headers: { 'x-forwarded-for': from },
        body: { username, password: pw },
      });

    for (let i = 0; i < 3; i++) {
      expectError(
        await attempt(`wrong-${i}-password`),
        401,
        'AUTH_BAD_CREDENTIALS',
      );
    }
    const limited = await attempt(password);
    expectError(limited, 429, 'AUTH_RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).not.toHaveProperty('token');

    // Counted per user: another address does not get around it.
    expectError(await attempt(password, freshIp()), 429, 'AUTH_RATE_LIMITED');
    // Counted per address too: another user from it is refused.
    const neighbour = await call(limits.url, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': ip },
      body: { username: 'planner', password: PLANNER_PASSWORD },
    });
    expectError(neighbour, 429, 'AUTH_RATE_LIMITED');
    // Other users from other addresses are not affected.
    const unaffected = await call(limits.url, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': freshIp() },
      body: { username: 'planner', password: PLANNER_PASSWORD },
    });
    expect(unaffected.status).toBe(200);
  });
  it('wrong passwords sent in parallel do not get around the limit', async () => {
    const username = uniqueName('parallel');
    const password = 'the-right-password';
    await limits.server.auth.createUser({
      username,
      password,
      role: 'dispatcher',
    });
    const ip = freshIp();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(limits.url, 'POST', '/api/auth/login', {
          headers: { 'x-forwarded-for': ip },
          body: { username, password: `wrong-${i}-password` },
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    // Only 3 guesses may be checked; the others must be refused unchecked.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7);
    const right = await call(limits.url, 'POST', '/api/auth/login', {
      headers: { 'x-forwarded-for': freshIp() },
      body: { username, password },
    });
    expectError(right, 429, 'AUTH_RATE_LIMITED');
  });
});

describe('the log', () => {
  it('never holds passwords, tokens or patients’ data', async () => {
    const wrongPassword = 'wrong-Password-Zq81x';
    const phone = '+55 51 98765-4321';
    const complaint = 'dor no peito';
    const url = logged.url;

    const wrong = await call(url, 'POST', '/api/auth/login', {
      body: { username: 'dispatcher', password: wrongPassword },
    });
    expect(wrong.status).toBe(401);
    const login = await call(url, 'POST', '/api/auth/login', {
      body: { username: 'dispatcher', password: DISPATCHER_PASSWORD },
    });
    expect(login.status).toBe(200);
    const token: string = login.body.token;
    const adminLogin = await call(url, 'POST', '/api/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(adminLogin.status).toBe(200);

    const created = await call(url, 'POST', '/api/incidents', {
      token,
      body: {
        location: DOWNTOWN,
        priority: 1,
        callerPhone: phone,
        complaint,
        address: 'Av. Borges de Medeiros 1501',
      },
    });
    expect(created.status).toBe(201);
    await call(url, 'GET', `/api/incidents/${created.body.id}`, { token });

    // Errors, with the secrets and the patient's data in the request.
    const badJson = await call(url, 'POST', '/api/auth/login', {
      body: `{"username": "dispatcher", "password": "${DISPATCHER_PASSWORD}"`,
    });
    expect(badJson.status).toBe(400);
    const badIncident = await call(url, 'POST', '/api/incidents', {
      token,
      body: {
        location: { lat: 95, lon: 0 },
        priority: 1,
        callerPhone: phone,
        complaint,
      },
    });
    expect(badIncident.status).toBe(400);
    await call(
      url,
      'GET',
      `/api/incidents?callerPhone=${encodeURIComponent(phone)}&token=${token}`,
      {
        token,
      },
    );
    // A storage failure with the patient's data among the query's
    // parameters: PostgreSQL refuses a NUL character in text.
    await call(url, 'POST', '/api/incidents', {
      token,
      body: {
        location: DOWNTOWN,
        priority: 1,
        callerPhone: phone,
        complaint: `${complaint}\u0000`,
      },
    });
    // A server-side failure: the router throws while ranking.
    const spy = vi
      .spyOn(logged.server.routing.emergency, 'oneToMany')
      .mockRejectedValue(new Error('routing exploded'));
    try {
      const failed = await call(
        url,
        'GET',
        `/api/incidents/${created.body.id}/recommendations`,
        { token },
      );
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      spy.mockRestore();
    }
    const consoleSocket = connectSocket(`${url}/console`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise((resolve, reject) => {
      consoleSocket.once('connect', () => resolve(undefined));
      consoleSocket.once('connect_error', reject);
    });
    consoleSocket.close();

    const text = logged.logText();
    // The logger is wired: requests and the failure are there.
    expect(text).toContain('"path":"/api/incidents"');
    expect(text).toContain('"level":50');
    for (const secret of [
      DISPATCHER_PASSWORD,
      wrongPassword,
      ADMIN_PASSWORD,
      token,
      adminLogin.body.token,
      phone,
      '98765-4321',
      '987654321',
      complaint,
    ]) {
      expect(text, `the log holds ${secret}`).not.toContain(secret);
    }
  });
});

describe('audit trail', () => {
  it('records incident creation and assignment with the actor, and no caller phone', async () => {
    const phone = '+55 51 99876-5432';
    const complaint = 'desmaio na rua';
    const incident = await createIncident(dispatcher, {
      callerPhone: phone,
      complaint,
    });
    const unit = unitId('A05');
    const assigned = await main.request(
      'POST',
      `/api/incidents/${incident.id}/assign`,
      { token: dispatcher, body: { unitId: unit } },
    );
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);

    const trail = await main.request('GET', '/api/audit?limit=5000', {
      token: admin,
    });
    expect(trail.status).toBe(200);
    const rows: any[] = trail.body;
    const forIncident = rows.filter(
      (row) =>
        row.targetType === 'incident' && row.targetId === String(incident.id),
    );
    expect(
      forIncident.find((r) => r.action === 'incident.create'),
    ).toMatchObject({ actor: 'dispatcher', actorRole: 'dispatcher' });
    const assign = forIncident.find((r) => r.action === 'incident.assign');
    expect(assign).toMatchObject({
      actor: 'dispatcher',
      actorRole: 'dispatcher',
    });
    const details =
      typeof assign.details === 'string'
        ? JSON.parse(assign.details)
        : assign.details;
    expect(details).toMatchObject({ unitId: unit });

    const text = JSON.stringify(rows);
    expect(text).not.toContain(phone);
    expect(text).not.toContain('99876-5432');
    expect(text).not.toContain(complaint);
    expect(text).not.toMatch(/callerPhone|caller_phone/);
  });
});
