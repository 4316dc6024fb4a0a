/**
 * Bad input at scale: property-based tests (fast-check) of every REST
 * operation of the OpenAPI document that takes a body, path or query
 * parameters, and of every event a console or a tablet can send. Inputs
 * are generated from the document's own schemas, then broken: wrong
 * types, missing members, huge and odd strings, numbers past every limit,
 * prototype-pollution keys, unicode, deep nesting, unknown ids, raw
 * socket.io packets. For each:
 * - never a 5xx (nor a 5xx code in a socket ack), and every refusal is a
 *   catalogue error with its own status and a bounded message;
 * - the server still answers after;
 * - nothing is stored on a refusal: the rows of every table and the live
 *   positions are the same before and after; an accepted GPS fix is
 *   written to the track exactly once, and the track writer drops none.
 *
 * The seed is printed; rerun a failure with PROPERTY_SEED=<seed> (fast-check
 * also prints the failing path). PROPERTY_RUNS scales the number of runs
 * (default 1: about a minute on PostgreSQL on a busy two-core machine).
 */
import fc from 'fast-check';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DISPATCH_ERRORS } from '../src/errors.ts';
import {
  OPENAPI_DOCUMENT,
  type Operation,
  type Parameter,
  type Schema,
} from '../src/http/openapi.ts';
import {
  conforming,
  junk,
  malformedJson,
  nearValid,
  oddStrings,
  toJsonText,
  type Hints,
} from './arbitraries.ts';
import {
  ADMIN_PASSWORD,
  DOWNTOWN,
  startTestServer,
  type TestServer,
} from './harness.ts';

const doc = OPENAPI_DOCUMENT;
const SEED = process.env.PROPERTY_SEED
  ? Number(process.env.PROPERTY_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const SCALE = Number(process.env.PROPERTY_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Users whose tokens the test holds: revoking them would end the test. */
const OWN_USERS = ['admin', 'dispatcher', 'crew-a01'];
const ACK_TIMEOUT_MS = 10_000;

console.log(`properties.test.ts: fast-check seed ${SEED} (PROPERTY_SEED)`);

let ts: TestServer;
let admin: string;
let dispatcher: string;
let crew: string;
let crewUnit: number;
let tablet: Socket;
let consoleSocket: Socket;
const incidentIds: number[] = [];
let hints: Hints;

beforeAll(async () => {
  ts = await startTestServer({
    // Wrong passwords by the hundred must not lock the test out.
    DISPATCH_LOGIN_MAX_FAILURES: '1000',
  });
  [admin, dispatcher, crew] = await Promise.all([
    ts.login('admin', ADMIN_PASSWORD),
    ts.login('dispatcher', 'dispatcher-demo'),
    ts.login('crew-a01', 'crew-demo-pass'),
  ]);
  const units = await ts.request('GET', '/api/units', { token: admin });
  crewUnit = units.body.find((u: any) => u.callSign === 'A01').id;
  for (const priority of [1, 2, 3]) {
    const created = await ts.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: DOWNTOWN, priority },
    });
    incidentIds.push(created.body.id);
  }
  hints = {
    serviceArea: ts.server.city.serviceArea,
    unitIds: units.body.map((u: any) => u.id),
    incidentIds: () => incidentIds,
  };
  [tablet, consoleSocket] = await Promise.all([
    ts.socket('/tablet', crew),
    ts.socket('/console', dispatcher),
  ]);
});

afterAll(async () => {
  await ts?.close();
});

// ------------------------------------------------------------- what is stored

/**
 * Everything a request could have stored: a digest of every table's rows
 * and each unit's live position. Waits for the track writer first, so an
 * accepted fix is counted where it lands.
 */
async function snapshot() {
  await trackWritten();
  const [row] = await ts.server.db.query<Record<string, string>>(`
    SELECT
      (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM units t) AS units,
      (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM users t) AS users,
      (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM incidents t) AS incidents,
      (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY token_hash), '')) FROM auth_tokens t) AS tokens,
      (SELECT count(*)::text FROM incident_events) AS incident_events,
      (SELECT count(*)::text FROM unit_status_events) AS unit_status_events,
      (SELECT count(*)::text FROM audit_log) AS audit_log,
      (SELECT count(*)::text FROM unit_track) AS unit_track`);
  const units = await ts.server.units.list();
  return {
    rows: row as Record<string, string>,
    live: units.map((u) => [u.id, u.status, u.lastPosition]),
  };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

async function trackWritten() {
  const started = Date.now();
  while (ts.server.tracker.trackStats.queued > 0) {
    if (Date.now() - started > 10_000) throw new Error('track not written');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rows of `unit_track` added between two snapshots. */
const trackAdded = (before: Snapshot, after: Snapshot) =>
  Number(after.rows.unit_track) - Number(before.rows.unit_track);

/** A refusal: a catalogue code under its own status, a bounded message. */
function expectCatalogueError(status: number, body: unknown, label: string) {
  const error = (body as { error?: { code?: unknown; message?: unknown } })
    ?.error;
  expect(body, label).toEqual({
    error: { code: expect.any(String), message: expect.any(String) },
  });
  const entry = DISPATCH_ERRORS[error?.code as keyof typeof DISPATCH_ERRORS];
  expect(entry, `${label}: code ${String(error?.code)}`).toBeDefined();
  expect(entry?.status, label).toBe(status);
  // A message names what was wrong; it does not echo kilobytes of input.
  expect((error?.message as string).length, label).toBeLessThanOrEqual(600);
}

async function stillAnswers() {
  const health = await ts.request('GET', '/healthz');
  expect(health.status).toBe(200);
  const me = await ts.request('GET', '/api/auth/me', { token: admin });
  expect(me.status).toBe(200);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? String(value)).slice(0, 300);
}

// ------------------------------------------------------------------- REST

interface Sent {
  method: string;
  path: string;
  contentType?: string;
  body?: string;
}

async function send(request: Sent, token: string | undefined) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (request.body !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
  }
  const response = await fetch(ts.url + request.path, {
    method: request.method,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the assertions show it.
  }
  return { status: response.status, body };
}

/**
 * A value for a URL, encoded unless `raw`, cut so that the URL stays
 * under Node's 16 KiB header limit (past it, Node answers 431 before the
 * app sees the request). A cut may split a `%XX`: junk too.
 */
function urlPart(value: string, raw: boolean): string {
  return (raw ? value : percentEncoded(value)).slice(0, 1500);
}

/** encodeURIComponent, but a lone surrogate becomes bytes no UTF-8 has. */
function percentEncoded(value: string): string {
  return Array.from(value, (ch) => {
    try {
      return encodeURIComponent(ch);
    } catch {
      return '%ED%A0%80';
    }
  }).join('');
}

/** A path parameter: an id that exists, one that cannot, or junk. */
function pathValue(name: string, path: string): fc.Arbitrary<string> {
  const existing: fc.Arbitrary<number> =
    name === 'id' && path.startsWith('/api/units')
      ? fc.constantFrom(...hints.unitIds)
      : fc.nat().map((i) => incidentIds[i % incidentIds.length] as number);
  const text = fc.oneof(
    oddStrings,
    fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '1e3',
      '0x1',
      '99999999999',
      '2147483648',
      ' 1',
      '1 ',
      '+1',
      'NaN',
      'Infinity',
    ),
    fc.integer().map(String),
  );
  const values =
    name === 'username'
      ? fc.oneof(
          text,
          fc.constantFrom('planner', 'PLANNER', 'nobody', 'crew-b02'),
        )
      : fc.oneof(existing.map(String), text);
  return (
    fc
      .tuple(values, fc.boolean())
      // Raw now and then: '..', '%' and '/' as the router sees them.
      .map(([value, raw]) => urlPart(value, raw))
      .filter((value) => {
        let decoded = value;
        try {
          decoded = decodeURIComponent(value);
        } catch {
          // Malformed percent-encoding: the server must refuse it too.
        }
        return !OWN_USERS.includes(decoded.trim().toLowerCase());
      })
  );
}

/** A query string: each documented parameter absent, fine or junk. */
function queryString(parameters: readonly Parameter[]) {
  const one = (name: string, schema: Schema) =>
    fc
      .oneof(
        fc.constant(undefined),
        conforming(doc, schema, hints, name).map(String),
        oddStrings,
        junk.map((value) => show(value)),
      )
      .map((value) =>
        value === undefined ? [] : [`${name}=${urlPart(value, false)}`],
      );
  return fc
    .tuple(
      fc.tuple(...parameters.map((p) => one(p.name, p.schema))),
      // Repeated, unknown and bracketed parameters.
      fc.array(
        fc.constantFrom(
          'limit=1&limit=2',
          'from[]=x',
          'open[x]=true',
          'priority=1&priority=2',
          '__proto__[role]=admin',
          'constructor=1',
          'a=%00',
          '%E0%A4%A=1',
          'seconds=1e3',
        ),
        { maxLength: 2 },
      ),
    )
    .map(([parts, extra]) => {
      const all = [...parts.flat(), ...extra];
      return all.length > 0 ? `?${all.join('&')}` : '';
    });
}

/** Requests for one operation: its path, query and body, broken. */
function requests(method: string, path: string, operation: Operation) {
  const parameters = operation.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');
  const schema = operation.requestBody?.content['application/json'].schema;
  const keys = schema ? bodyKeys(schema) : [];
  const body: fc.Arbitrary<Pick<Sent, 'body' | 'contentType'>> = schema
    ? fc.oneof(
        {
          weight: 8,
          arbitrary: nearValid(doc, schema, hints, keys).map((value) => ({
            body: JSON.stringify(value) ?? 'null',
          })),
        },
        {
          weight: 1,
          arbitrary: malformedJson(conforming(doc, schema, hints)).map(
            (text) => ({ body: text }),
          ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              conforming(doc, schema, hints),
              fc.constantFrom(
                'text/plain',
                'application/json; charset=utf-16',
                'application/x-www-form-urlencoded',
                'application/json; charset=latin1',
              ),
            )
            .map(([value, contentType]) => ({
              body: JSON.stringify(value),
              contentType,
            })),
        },
      )
    : // No body documented: none, or junk the route must not read.
      method === 'get'
      ? fc.constant({})
      : fc.oneof(
          fc.constant({}),
          junk.map((value) => ({ body: toJsonText(value) })),
        );
  return fc
    .tuple(
      fc.tuple(...pathParams.map((p) => pathValue(p.name, path))),
      queryString(queryParams),
      body,
    )
    .map(([values, query, payload]): Sent => {
      let filled = path;
      pathParams.forEach((p, i) => {
        filled = filled.replace(`{${p.name}}`, values[i] as string);
      });
      return { method: method.toUpperCase(), path: filled + query, ...payload };
    });
}

/** The members of a body schema (of its fixes, for a batch). */
function bodyKeys(schema: Schema): string[] {
  const resolved = schema.$ref
    ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]
    : schema;
  const props = resolved?.properties ?? resolved?.anyOf?.[0]?.properties;
  if (props?.fixes?.items) return bodyKeys(props.fixes.items);
  return Object.keys(props ?? {});
}

/** Every operation that takes a body, a path or a query parameter. */
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  (['get', 'post'] as const).flatMap((method) => {
    const operation = item[method];
    if (!operation) return [];
    if (!operation.requestBody && !operation.parameters?.length) return [];
    return [{ method, path, operation }];
  }),
);

describe('REST: generated bad input', () => {
  it('covers every operation of the document with a body or parameters', () => {
    expect(operations.length).toBeGreaterThanOrEqual(14);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        'post /api/auth/login',
        'post /api/incidents',
        'post /api/incidents/{id}/assign',
        'post /api/units/{id}/status',
        'post /api/units/{id}/positions',
        'post /api/users',
      ]),
    );
  });

  for (const { method, path, operation } of operations) {
    const key = `${method.toUpperCase()} ${path}`;
    it(`${key}: never a 5xx, still answering, nothing stored on refusal`, async () => {
      const token = operation.security.length === 0 ? undefined : admin;
      await fc.assert(
        fc.asyncProperty(requests(method, path, operation), async (request) => {
          const before = await snapshot();
          const answer = await send(request, token);
          const label = `${request.method} ${request.path.slice(0, 200)} ${show(request.body)} -> ${answer.status} ${show(answer.body)}`;
          expect(answer.status, label).toBeLessThan(500);
          const after = await snapshot();
          if (answer.status >= 400) {
            expectCatalogueError(answer.status, answer.body, label);
            expect(after, label).toEqual(before);
          } else if (method === 'get') {
            expect(after, `a read stored something: ${label}`).toEqual(before);
          } else if (path.endsWith('/positions')) {
            const accepted = (answer.body as { accepted: number }).accepted;
            expect(trackAdded(before, after), label).toBe(accepted);
          }
          await stillAnswers();
        }),
        {
          seed: SEED,
          numRuns: runs(method === 'get' ? 25 : 40),
          endOnFailure: true,
        },
      );
      expect(ts.server.tracker.trackStats.dropped).toBe(0);
    });
  }
});

// ---------------------------------------------------------------- sockets

/** The payload schemas of the tablet's events (contract.ts). */
const TABLET_EVENTS: Record<string, Schema> = {
  status: { $ref: '#/components/schemas/UnitStatusRequest' },
  position: { $ref: '#/components/schemas/PositionReport' },
  positions: { $ref: '#/components/schemas/PositionBatch' },
  'assignment:ack': {
    type: 'object',
    additionalProperties: false,
    required: ['incidentId'],
    properties: {
      incidentId: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
      at: (doc.components.schemas.UnitStatusRequest?.properties?.at ??
        {}) as Schema,
    },
  },
};

/** Socket payloads: the HTTP junk plus binary, which JSON cannot carry. */
const binary = fc
  .uint8Array({ maxLength: 64 })
  .map((bytes) => Buffer.from(bytes));

function ack(socket: Socket, event: string, ...args: unknown[]) {
  return socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args);
}

/**
 * Emits generated events on `socket`, named from `names` or anything,
 * with junk arguments and no ack: each changes nothing, and a
 * `snapshot` asked after it (so answered after it was handled) still
 * answers, as `check` also wants.
 */
async function junkEventsChangeNothing(
  socket: Socket,
  names: string[],
  check: (answer: any) => void = () => {},
) {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 20 })),
      fc.array(fc.oneof(junk, binary), { maxLength: 3 }),
      async (event, args) => {
        const before = await snapshot();
        socket.emit(event, ...args);
        const answer = await ack(socket, 'snapshot');
        expect(answer.ok, `${event} ${show(args)}`).toBe(true);
        check(answer);
        expect(await snapshot(), `${event} ${show(args)}`).toEqual(before);
      },
    ),
    { seed: SEED, numRuns: runs(40), endOnFailure: true },
  );
}

describe('/tablet: generated bad events', () => {
  for (const [event, schema] of Object.entries(TABLET_EVENTS)) {
    it(`${event}: acked, never a 5xx code, nothing stored on refusal`, async () => {
      const payload = fc.oneof(
        {
          weight: 8,
          arbitrary: nearValid(doc, schema, hints, bodyKeys(schema)),
        },
        { weight: 1, arbitrary: binary },
        {
          weight: 1,
          arbitrary: fc.record({ status: binary, lat: binary, at: binary }),
        },
      );
      await fc.assert(
        fc.asyncProperty(payload, async (value) => {
          const before = await snapshot();
          const answer = await ack(tablet, event, value);
          const label = `${event} ${show(value)} -> ${show(answer)}`;
          const after = await snapshot();
          if (answer.ok) {
            if (event === 'position') {
              expect(trackAdded(before, after), label).toBe(
                answer.result.accepted ? 1 : 0,
              );
            } else if (event === 'positions') {
              expect(trackAdded(before, after), label).toBe(
                answer.results.filter((r: any) => r.accepted).length,
              );
            }
          } else {
            expect(answer, label).toEqual({
              ok: false,
              error: { code: expect.any(String), message: expect.any(String) },
            });
            const status =
              DISPATCH_ERRORS[answer.error.code as keyof typeof DISPATCH_ERRORS]
                ?.status;
            expect(status, label).toBeDefined();
            expect(status, label).toBeLessThan(500);
            expect(answer.error.message.length, label).toBeLessThanOrEqual(600);
            expect(after, label).toEqual(before);
          }
          expect(tablet.connected, label).toBe(true);
        }),
        { seed: SEED, numRuns: runs(50), endOnFailure: true },
      );
      expect(ts.server.tracker.trackStats.dropped).toBe(0);
      await stillAnswers();
    });
  }

  it('events without an ack, of unknown names or with junk arguments change nothing and leave the socket working', async () => {
    await junkEventsChangeNothing(tablet, [
      'status',
      'position',
      'positions',
      'assignment:ack',
      'snapshot',
      'error',
      'connect_timeout',
      'ping',
      'constructor',
      'hasOwnProperty',
      '__proto__',
      'toString',
    ]);
  });
});

describe('/console: generated bad events', () => {
  it('junk events and arguments change nothing; snapshot still answers', async () => {
    await junkEventsChangeNothing(
      consoleSocket,
      [
        'snapshot',
        'status',
        'position',
        'positions',
        'assignment:ack',
        'incident:created',
        'unit:positions',
        'error',
        'constructor',
        '__proto__',
      ],
      (answer) => expect(answer.units.length).toBeGreaterThan(0),
    );
    expect(consoleSocket.connected).toBe(true);
  });
});

describe('raw socket.io packets', () => {
  /** Packets a socket.io client would never send, for either namespace. */
  const packet = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('/tablet', '/console'),
        fc.constantFrom(
          'status',
          'position',
          'positions',
          'snapshot',
          'assignment:ack',
          'disconnect',
          'connect',
          'connect_error',
          'disconnecting',
          'newListener',
          'removeListener',
          'error',
        ),
        fc.oneof(junk, fc.constant(undefined)),
        fc.oneof(
          fc.constant(''),
          fc.nat().map(String),
          fc.constant('99999999999999999999'),
        ),
      )
      .map(
        ([ns, event, arg, id]) =>
          `2${ns},${id}${JSON.stringify(arg === undefined ? [event] : [event, arg])}`,
      ),
    fc.constantFrom(
      '2/tablet,',
      '2/tablet,{"not":"an array"}',
      '2/tablet,[]',
      '2/tablet,[1,2,3]',
      '2/tablet,[null]',
      '2/tablet,["status"',
      '9/tablet,["status"]',
      '3/tablet,1["x"]',
      '1/tablet,',
      '0/tablet,{"token":"x"}',
      '51-/tablet,["position",{"_placeholder":true,"num":0}]',
      '51-/tablet,["positions",{"_placeholder":true,"num":7}]',
      '99-/tablet,["status"]',
      '2/nowhere,["status"]',
      '2/tablet,1e999["status"]',
    ),
    fc.string({ maxLength: 60 }).map((text) => `2/tablet,${text}`),
  );

  it('are refused or ignored: nothing stored, the server still answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(packet, { minLength: 1, maxLength: 3 }),
        async (packets) => {
          const before = await snapshot();
          const raw = connectSocket(`${ts.url}/tablet`, {
            auth: { token: crew },
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
          });
          try {
            await new Promise((resolve, reject) => {
              raw.once('connect', () => resolve(undefined));
              raw.once('connect_error', reject);
            });
            // The engine.io socket under the manager: bytes as they are.
            const engine = raw.io.engine as unknown as {
              write(data: string): void;
            };
            for (const text of packets) engine.write(text);
            await new Promise((resolve) => setTimeout(resolve, 30));
          } finally {
            raw.close();
          }
          expect(await snapshot(), show(packets)).toEqual(before);
          await stillAnswers();
        },
      ),
      { seed: SEED, numRuns: runs(40), endOnFailure: true },
    );
    // The shared sockets were not disturbed by the others' packets.
    expect((await ack(tablet, 'snapshot')).ok).toBe(true);
    expect((await ack(consoleSocket, 'snapshot')).ok).toBe(true);
    expect(crewUnit).toBeGreaterThan(0);
  });
});

describe('regressions the properties found', () => {
  let sent = 0;
  // At the unit's latest position, so no property run's fix before can
  // make this one an implausible jump, and at a time no fix had.
  const fix = async (extra: Record<string, unknown>) => {
    const last = await ts.server.tracker.store.get(crewUnit);
    sent += 1;
    return {
      fixes: [
        {
          lat: last?.lat ?? DOWNTOWN.lat,
          lon: last?.lon ?? DOWNTOWN.lon,
          at: new Date(Date.now() - 5000 - sent * 1013).toISOString(),
          ...extra,
        },
      ],
    };
  };
  const positions = (body: unknown) =>
    ts.request('POST', `/api/units/${crewUnit}/positions`, {
      token: crew,
      body,
    });

  it('a measurement a real column cannot hold (6e-323) is stored as 0, not a batch the database refuses', async () => {
    const before = await snapshot();
    const answer = await positions(
      await fix({ headingDeg: 6e-323, altitudeMeters: 1e-300 }),
    );
    expect(answer.status, show(answer.body)).toBe(200);
    expect(answer.body.accepted, show(answer.body)).toBe(1);
    const after = await snapshot();
    expect(trackAdded(before, after)).toBe(1);
    expect(ts.server.tracker.trackStats.dropped).toBe(0);
  });

  it.each([
    ['speedMps', 1e300],
    ['speedMps', -1],
    ['headingDeg', 361],
    ['altitudeMeters', -1e300],
    ['batteryPercent', 101],
    ['accuracyMeters', -5],
  ])(
    'a fix with %s %d is refused with 400 VALIDATION_FAILED naming it',
    async (name, value) => {
      const before = await snapshot();
      const answer = await positions(await fix({ [name]: value }));
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(answer.body.error.message).toContain(name);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('a time in the year 0 is refused (400 INVALID_TIMESTAMP): PostgreSQL cannot store it', async () => {
    const answer = await positions(await fix({ at: '0000-06-01T00:00:00Z' }));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_TIMESTAMP');
    const incident = await ts.request('POST', '/api/incidents', {
      token: dispatcher,
      body: {
        location: DOWNTOWN,
        priority: 2,
        receivedAt: '0001-01-01T00:30:00+01:00',
      },
    });
    expect(incident.status).toBe(400);
    expect(incident.body.error.code).toBe('INVALID_TIMESTAMP');
  });

  it('nesting too deep to quote is a 400 with a short message, not a 500', async () => {
    const deepArray = `${'['.repeat(30_000)}1${']'.repeat(30_000)}`;
    const priority = await send(
      {
        method: 'POST',
        path: '/api/incidents',
        body: `{"location":{"lat":${DOWNTOWN.lat},"lon":${DOWNTOWN.lon}},"priority":${deepArray}}`,
      },
      dispatcher,
    );
    expect(priority.status).toBe(400);
    expectCatalogueError(400, priority.body, 'deep priority');
    const assign = await send(
      {
        method: 'POST',
        path: `/api/incidents/${incidentIds[0]}/assign`,
        body: `{"unitId":${deepArray}}`,
      },
      dispatcher,
    );
    expect(assign.status).toBe(400);
    expectCatalogueError(400, assign.body, 'deep unitId');
  });

  it('a username with NUL in the path is an unknown user (404), not a 500', async () => {
    const answer = await ts.request('POST', '/api/users/a%00b/revoke-tokens', {
      token: admin,
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('USER_NOT_FOUND');
  });

  it('a kilobyte path id or unknown key is quoted in a few dozen characters', async () => {
    const id = 'x'.repeat(3000);
    const answer = await ts.request('GET', `/api/units/${id}`, {
      token: admin,
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error.message.length).toBeLessThan(100);
    const key = await ts.request('POST', '/api/incidents', {
      token: dispatcher,
      body: { location: DOWNTOWN, priority: 1, [id]: 1 },
    });
    expect(key.status).toBe(400);
    expect(key.body.error.message.length).toBeLessThan(200);
  });
});
