/**
 * Bad input: every refusal has the right status and catalogue code, a
 * message that names what was wrong, stores nothing, and leaves the
 * server answering.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  ADMIN_PASSWORD,
  DOWNTOWN,
  startTestServer,
  type TestServer,
} from './harness.ts';

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

let ts: TestServer;
let dispatcher: string;
let admin: string;
const unitIds = new Map<string, number>();

beforeAll(async () => {
  ts = await startTestServer();
  [dispatcher, admin] = await Promise.all([
    ts.login('dispatcher', 'dispatcher-demo'),
    ts.login('admin', ADMIN_PASSWORD),
  ]);
  const units = await ts.request('GET', '/api/units', { token: dispatcher });
  for (const unit of units.body) unitIds.set(unit.callSign, unit.id);
});

afterAll(async () => {
  await ts?.close();
});

// Whatever the case did, the server still answers.
afterEach(async () => {
  const health = await ts.request('GET', '/healthz');
  expect(health.status).toBe(200);
  const me = await ts.request('GET', '/api/auth/me', { token: dispatcher });
  expect(me.status).toBe(200);
});

function unitId(callSign: string): number {
  const id = unitIds.get(callSign);
  if (id === undefined) throw new Error(`no demo unit ${callSign}`);
  return id;
}

/** A request with a raw body and headers of the caller's choosing. */
async function raw(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const response = await fetch(ts.url + path, {
    method,
    headers: { authorization: `Bearer ${dispatcher}`, ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Left as text: the shape assertion will show it.
  }
  return { status: response.status, body, headers: response.headers };
}

/** Asserts a catalogue refusal; `names` must appear in its message. */
function expectRefused(
  answer: Answer,
  status: number,
  code: string,
  ...names: string[]
) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toEqual({
    error: { code, message: expect.any(String) },
  });
  for (const name of names) expect(answer.body.error.message).toContain(name);
}

/** How many incidents and audit lines exist: every write adds to them. */
async function storedCounts() {
  const [incidents, trail] = await Promise.all([
    ts.request('GET', '/api/incidents?limit=5000', { token: dispatcher }),
    ts.request('GET', '/api/audit?limit=5000', { token: admin }),
  ]);
  expect(incidents.status).toBe(200);
  expect(trail.status).toBe(200);
  return { incidents: incidents.body.length, audit: trail.body.length };
}

/** Runs `work` and asserts that it stored nothing. */
async function storesNothing<T>(work: () => Promise<T>): Promise<T> {
  const before = await storedCounts();
  const result = await work();
  expect(await storedCounts()).toEqual(before);
  return result;
}

async function getUnit(id: number) {
  const answer = await ts.request('GET', `/api/units/${id}`, {
    token: dispatcher,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function getIncident(id: number) {
  const answer = await ts.request('GET', `/api/incidents/${id}`, {
    token: dispatcher,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** Runs `work` and asserts that the unit and its incident did not change. */
async function unitUnchanged<T>(
  id: number,
  work: () => Promise<T>,
): Promise<T> {
  const before = await getUnit(id);
  const incidentBefore = before.incidentId
    ? await getIncident(before.incidentId)
    : undefined;
  const result = await storesNothing(work);
  const after = await getUnit(id);
  expect(after).toEqual(before);
  if (incidentBefore) {
    expect(await getIncident(incidentBefore.id)).toEqual(incidentBefore);
  }
  return result;
}

function postIncident(body: unknown) {
  return ts.request('POST', '/api/incidents', { token: dispatcher, body });
}

async function newIncident(): Promise<any> {
  const answer = await postIncident({ location: DOWNTOWN, priority: 2 });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

function reportStatus(id: number | string, body: unknown, token = dispatcher) {
  return ts.request('POST', `/api/units/${id}/status`, { token, body });
}

function ack(socket: Socket, event: string, ...args: unknown[]) {
  return socket.timeout(10_000).emitWithAck(event, ...args);
}

describe('request bodies', () => {
  it('malformed JSON is refused with 400 INVALID_JSON', async () => {
    const answer = await storesNothing(() =>
      ts.request('POST', '/api/incidents', {
        token: dispatcher,
        body: '{"location": {"lat": -30.03, "lon": -51.23}, "priority": 1',
      }),
    );
    expectRefused(answer, 400, 'INVALID_JSON', 'JSON');
  });

  it('malformed JSON at login is refused with 400 INVALID_JSON', async () => {
    const answer = await raw('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: "{username: 'dispatcher'}",
    });
    expectRefused(answer, 400, 'INVALID_JSON', 'JSON');
  });

  it.each([
    ['text/plain', 'location=-30.03,-51.23&priority=1'],
    ['application/x-www-form-urlencoded', 'priority=1'],
    ['application/xml', '<incident priority="1"/>'],
  ])(
    'a %s body is refused with 415 UNSUPPORTED_MEDIA_TYPE',
    async (type, body) => {
      const answer = await storesNothing(() =>
        raw('POST', '/api/incidents', {
          headers: { 'content-type': type },
          body,
        }),
      );
      expectRefused(answer, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
    },
  );

  it('a body without a content type is refused with 415', async () => {
    const answer = await storesNothing(() =>
      raw('POST', '/api/incidents', {
        body: JSON.stringify({ location: DOWNTOWN, priority: 1 }),
      }),
    );
    // fetch labels a string body text/plain by itself.
    expectRefused(answer, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
  });

  it('a body over 64 KiB is refused with 413 BODY_TOO_LARGE', async () => {
    const answer = await storesNothing(() =>
      postIncident({
        location: DOWNTOWN,
        priority: 1,
        complaint: 'x'.repeat(70 * 1024),
      }),
    );
    expectRefused(answer, 413, 'BODY_TOO_LARGE', 'too large');
  });

  it.each([
    ['an array', [{ location: DOWNTOWN, priority: 1 }]],
    ['a string', '"chest pain at the market"'],
    ['a number', '42'],
    ['null', 'null'],
  ])(
    '%s as the body is refused with 400 VALIDATION_FAILED',
    async (_, body) => {
      const answer = await storesNothing(() => postIncident(body));
      expectRefused(answer, 400, 'VALIDATION_FAILED', 'object');
    },
  );

  it('an empty body is refused with 400 VALIDATION_FAILED', async () => {
    const answer = await storesNothing(() =>
      ts.request('POST', '/api/incidents', { token: dispatcher }),
    );
    expectRefused(answer, 400, 'VALIDATION_FAILED', 'object');
  });

  it('unknown fields are refused and named', async () => {
    const answer = await storesNothing(() =>
      postIncident({ location: DOWNTOWN, priority: 1, severity: 'high' }),
    );
    expectRefused(answer, 400, 'VALIDATION_FAILED', 'severity');
  });

  it('a __proto__ field is refused, not merged', async () => {
    const answer = await storesNothing(() =>
      ts.request('POST', '/api/incidents', {
        token: dispatcher,
        body: `{"location": {"lat": ${DOWNTOWN.lat}, "lon": ${DOWNTOWN.lon}}, "priority": 1, "__proto__": {"admin": true}}`,
      }),
    );
    expectRefused(answer, 400, 'VALIDATION_FAILED', '__proto__');
  });
});

describe('incident intake', () => {
  it.each<[string, unknown]>([
    ['missing', undefined],
    ['null', null],
    ['a string', '-30.03,-51.23'],
    ['an array', [DOWNTOWN.lat, DOWNTOWN.lon]],
    ['lat 91', { lat: 91, lon: DOWNTOWN.lon }],
    ['lat -90.0001', { lat: -90.0001, lon: DOWNTOWN.lon }],
    ['lon -181', { lat: DOWNTOWN.lat, lon: -181 }],
    ['lon 180.5', { lat: DOWNTOWN.lat, lon: 180.5 }],
    ['lat as a string', { lat: String(DOWNTOWN.lat), lon: DOWNTOWN.lon }],
    ['lon as a string', { lat: DOWNTOWN.lat, lon: String(DOWNTOWN.lon) }],
    ['lat "NaN"', { lat: 'NaN', lon: DOWNTOWN.lon }],
    ['lat "Infinity"', { lat: 'Infinity', lon: DOWNTOWN.lon }],
    ['lat null', { lat: null, lon: DOWNTOWN.lon }],
    ['lon missing', { lat: DOWNTOWN.lat }],
    ['lat a boolean', { lat: true, lon: DOWNTOWN.lon }],
  ])(
    'location %s is refused with 400 INVALID_COORDINATE',
    async (_, location) => {
      const answer = await storesNothing(() =>
        postIncident({ location, priority: 1 }),
      );
      expectRefused(answer, 400, 'INVALID_COORDINATE', 'location');
    },
  );

  it('a lat that JSON parses to Infinity (1e999) is refused with 400 INVALID_COORDINATE', async () => {
    const answer = await storesNothing(() =>
      ts.request('POST', '/api/incidents', {
        token: dispatcher,
        body: `{"location": {"lat": 1e999, "lon": ${DOWNTOWN.lon}}, "priority": 1}`,
      }),
    );
    expectRefused(answer, 400, 'INVALID_COORDINATE', 'location');
  });

  it('a location outside the service area is refused with 422 OUTSIDE_SERVICE_AREA', async () => {
    for (const location of [
      { lat: -23.5505, lon: -46.6333 }, // São Paulo
      { lat: 0, lon: 0 },
      { lat: DOWNTOWN.lat, lon: -51.0 }, // east of the area
    ]) {
      const answer = await storesNothing(() =>
        postIncident({ location, priority: 1 }),
      );
      expectRefused(answer, 422, 'OUTSIDE_SERVICE_AREA', 'location');
    }
  });

  it.each<[string, unknown]>([
    ['0', 0],
    ['4', 4],
    ['"1" (a string)', '1'],
    ['1.5', 1.5],
    ['-1', -1],
    ['null', null],
    ['missing', undefined],
    ['true', true],
  ])(
    'priority %s is refused with 400 INVALID_PRIORITY',
    async (_, priority) => {
      const answer = await storesNothing(() =>
        postIncident({ location: DOWNTOWN, priority }),
      );
      expectRefused(answer, 400, 'INVALID_PRIORITY', 'priority');
    },
  );

  it.each<[string, unknown]>([
    ['not ISO', '31/01/2026 14:05'],
    ['a word', 'yesterday'],
    ['without a zone', '2026-01-31T14:05:00'],
    ['a date without a time', '2026-01-31'],
    ['an hour 25', '2026-01-31T25:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['a number', 1769868300000],
    ['an object', { at: '2026-01-31T14:05:00Z' }],
  ])(
    'receivedAt %s is refused with 400 INVALID_TIMESTAMP',
    async (_, receivedAt) => {
      const answer = await storesNothing(() =>
        postIncident({ location: DOWNTOWN, priority: 1, receivedAt }),
      );
      expectRefused(answer, 400, 'INVALID_TIMESTAMP', 'receivedAt');
    },
  );

  it('receivedAt on a day that does not exist (February 30) is refused with 400 INVALID_TIMESTAMP', async () => {
    const answer = await storesNothing(() =>
      postIncident({
        location: DOWNTOWN,
        priority: 1,
        receivedAt: '2026-02-30T10:00:00Z',
      }),
    );
    expectRefused(answer, 400, 'INVALID_TIMESTAMP', 'receivedAt');
  });

  it('receivedAt an hour in the future is refused with 422 TIMESTAMP_IN_FUTURE', async () => {
    const answer = await storesNothing(() =>
      postIncident({
        location: DOWNTOWN,
        priority: 1,
        receivedAt: new Date(Date.now() + 3600_000).toISOString(),
      }),
    );
    expectRefused(answer, 422, 'TIMESTAMP_IN_FUTURE', 'receivedAt');
  });

  it('receivedAt whose zone offset puts it hours ahead is refused with 422', async () => {
    // The UTC wall-clock time of now, but said to be at UTC-03:00: that
    // instant is three hours from now.
    const wallClock = new Date().toISOString().slice(0, 19);
    const answer = await storesNothing(() =>
      postIncident({
        location: DOWNTOWN,
        priority: 1,
        receivedAt: `${wallClock}-03:00`,
      }),
    );
    expectRefused(answer, 422, 'TIMESTAMP_IN_FUTURE', 'receivedAt');
  });

  it.each<[string, Record<string, unknown>]>([
    ['complaint', { complaint: 42 }],
    ['callerPhone', { callerPhone: 5551987654321 }],
    ['address', { address: { street: 'Rua X' } }],
    ['complaint', { complaint: 'x'.repeat(1001) }],
    ['address', { address: 'x'.repeat(301) }],
    ['callerPhone', { callerPhone: '9'.repeat(41) }],
  ])(
    'a bad %s is refused with 400 VALIDATION_FAILED naming it',
    async (field, extra) => {
      const answer = await storesNothing(() =>
        postIncident({ location: DOWNTOWN, priority: 1, ...extra }),
      );
      expectRefused(answer, 400, 'VALIDATION_FAILED', field);
    },
  );

  it.each(['complaint', 'address', 'callerPhone'])(
    'a %s holding a NUL character is refused with 400 VALIDATION_FAILED, not a 500',
    async (field) => {
      const answer = await storesNothing(() =>
        postIncident({
          location: DOWNTOWN,
          priority: 1,
          [field]: 'dor\u0000no peito',
        }),
      );
      expectRefused(answer, 400, 'VALIDATION_FAILED', field);
    },
  );
});

describe('ids', () => {
  it.each(['999999', 'abc', '0', '-1', '1.5', '99999999999', '1e3'])(
    'incident id %s answers 404 INCIDENT_NOT_FOUND',
    async (id) => {
      const answer = await ts.request('GET', `/api/incidents/${id}`, {
        token: dispatcher,
      });
      expectRefused(answer, 404, 'INCIDENT_NOT_FOUND', id);
    },
  );

  it.each(['999999', 'abc', '0', '99999999999'])(
    'unit id %s answers 404 UNIT_NOT_FOUND',
    async (id) => {
      const answer = await ts.request('GET', `/api/units/${id}`, {
        token: dispatcher,
      });
      expectRefused(answer, 404, 'UNIT_NOT_FOUND', id);
    },
  );

  it('assigning a unit to an unknown incident answers 404 INCIDENT_NOT_FOUND', async () => {
    const unit = unitId('A01');
    for (const id of ['999999', 'abc']) {
      const answer = await unitUnchanged(unit, () =>
        ts.request('POST', `/api/incidents/${id}/assign`, {
          token: dispatcher,
          body: { unitId: unit },
        }),
      );
      expectRefused(answer, 404, 'INCIDENT_NOT_FOUND', id);
    }
  });

  it('assigning an unknown unit answers 404 UNIT_NOT_FOUND, a malformed id 400', async () => {
    const incident = await newIncident();
    for (const unit of [999999, 0, -3, 2147483648]) {
      const answer = await storesNothing(() =>
        ts.request('POST', `/api/incidents/${incident.id}/assign`, {
          token: dispatcher,
          body: { unitId: unit },
        }),
      );
      expectRefused(answer, 404, 'UNIT_NOT_FOUND', 'unit', String(unit));
    }
    for (const unit of ['abc', 1.5, null, '7']) {
      const answer = await storesNothing(() =>
        ts.request('POST', `/api/incidents/${incident.id}/assign`, {
          token: dispatcher,
          body: { unitId: unit },
        }),
      );
      expectRefused(answer, 400, 'VALIDATION_FAILED', 'unitId');
    }
    const after = await getIncident(incident.id);
    expect(after).toMatchObject({ phase: 'received', unitIds: [] });
  });

  it('a status for an unknown unit answers 404 UNIT_NOT_FOUND', async () => {
    for (const id of ['999999', 'abc']) {
      const answer = await storesNothing(() =>
        reportStatus(id, { status: 'out_of_service' }),
      );
      expectRefused(answer, 404, 'UNIT_NOT_FOUND', id);
    }
  });

  it('cancelling an unknown incident answers 404 INCIDENT_NOT_FOUND', async () => {
    for (const id of ['999999', 'abc']) {
      const answer = await storesNothing(() =>
        ts.request('POST', `/api/incidents/${id}/cancel`, {
          token: dispatcher,
          body: { reason: 'duplicate call' },
        }),
      );
      expectRefused(answer, 404, 'INCIDENT_NOT_FOUND', id);
    }
  });
});

describe('assignment and phases', () => {
  it('assigning to a cancelled incident answers 409 INCIDENT_CLOSED; the unit stays available', async () => {
    const incident = await newIncident();
    const cancel = await ts.request(
      'POST',
      `/api/incidents/${incident.id}/cancel`,
      { token: dispatcher, body: { reason: 'duplicate call' } },
    );
    expect(cancel.status).toBe(200);
    expect(cancel.body.phase).toBe('cancelled');
    const unit = unitId('A03');

    const answer = await unitUnchanged(unit, () =>
      ts.request('POST', `/api/incidents/${incident.id}/assign`, {
        token: dispatcher,
        body: { unitId: unit },
      }),
    );
    expectRefused(answer, 409, 'INCIDENT_CLOSED', String(incident.id));
    expect((await getUnit(unit)).status).toBe('available');

    const again = await storesNothing(() =>
      ts.request('POST', `/api/incidents/${incident.id}/cancel`, {
        token: dispatcher,
        body: { reason: 'twice' },
      }),
    );
    expectRefused(again, 409, 'INCIDENT_CLOSED', String(incident.id));
    expect((await getIncident(incident.id)).phase).toBe('cancelled');
  });

  it('a cancel without a reason is refused, naming reason', async () => {
    const incident = await newIncident();
    const answer = await storesNothing(() =>
      ts.request('POST', `/api/incidents/${incident.id}/cancel`, {
        token: dispatcher,
        body: {},
      }),
    );
    expectRefused(answer, 400, 'VALIDATION_FAILED', 'reason');
    expect((await getIncident(incident.id)).open).toBe(true);
  });

  it('an available unit cannot go on scene without an assignment (409 STATUS_TRANSITION_INVALID)', async () => {
    const unit = unitId('B02');
    const crew = await ts.login('crew-b02', 'crew-demo-pass');
    for (const status of [
      'en_route',
      'on_scene',
      'transporting',
      'at_hospital',
    ]) {
      for (const token of [dispatcher, crew]) {
        const answer = await unitUnchanged(unit, () =>
          reportStatus(unit, { status }, token),
        );
        expectRefused(answer, 409, 'STATUS_TRANSITION_INVALID', status);
      }
    }
  });

  it('phases cannot go backwards: on scene after at hospital is refused with 409', async () => {
    const unit = unitId('A05');
    const incident = await newIncident();
    const assign = await ts.request(
      'POST',
      `/api/incidents/${incident.id}/assign`,
      { token: dispatcher, body: { unitId: unit } },
    );
    expect(assign.status, JSON.stringify(assign.body)).toBe(200);
    const crew = await ts.login('crew-a05', 'crew-demo-pass');
    for (const status of ['on_scene', 'at_hospital']) {
      const answer = await reportStatus(unit, { status }, crew);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }

    for (const status of ['on_scene', 'transporting', 'en_route']) {
      const answer = await unitUnchanged(unit, () =>
        reportStatus(unit, { status }, crew),
      );
      expectRefused(answer, 409, 'STATUS_TRANSITION_INVALID', status);
    }
    // The status it already has (GPS and the crew's button both saw the
    // arrival) is a duplicate: logged once, answered 200.
    const again = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'at_hospital' }, crew),
    );
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    const outOfService = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'out_of_service' }, crew),
    );
    expectRefused(outOfService, 409, 'STATUS_TRANSITION_INVALID');
    expect(await getUnit(unit)).toMatchObject({
      status: 'at_hospital',
      incidentId: incident.id,
    });
    expect((await getIncident(incident.id)).phase).toBe('at_hospital');

    // Clearing is allowed and closes the incident.
    const cleared = await reportStatus(unit, { status: 'available' }, crew);
    expect(cleared.status).toBe(200);
    expect((await getIncident(incident.id)).phase).toBe('closed');
  });

  it("'dispatched' cannot be reported through the status route (409)", async () => {
    const unit = unitId('A07');
    const answer = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'dispatched' }),
    );
    expectRefused(answer, 409, 'STATUS_TRANSITION_INVALID', 'assign');
  });

  it('a status whose time is before the current status began is refused with 422 TIMESTAMP_BEFORE_PREVIOUS', async () => {
    const unit = unitId('B08');
    const { statusSince } = await getUnit(unit);
    const at = new Date(Date.parse(statusSince) - 60_000).toISOString();
    const answer = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'out_of_service', at }),
    );
    expectRefused(answer, 422, 'TIMESTAMP_BEFORE_PREVIOUS', 'at');
  });

  it('a status time in the future or not ISO is refused, naming at', async () => {
    const unit = unitId('B08');
    const future = await unitUnchanged(unit, () =>
      reportStatus(unit, {
        status: 'out_of_service',
        at: new Date(Date.now() + 3600_000).toISOString(),
      }),
    );
    expectRefused(future, 422, 'TIMESTAMP_IN_FUTURE', 'at');
    const garbled = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'out_of_service', at: 'now' }),
    );
    expectRefused(garbled, 400, 'INVALID_TIMESTAMP', 'at');
  });

  it('a reused eventId with a different status is refused with 409 EVENT_ID_CONFLICT', async () => {
    const unit = unitId('B10');
    const eventId = `tablet-b10:${Date.now()}`;
    const first = await reportStatus(unit, {
      status: 'out_of_service',
      eventId,
    });
    expect(first.status).toBe(200);
    expect(first.body.duplicate).toBe(false);

    const conflict = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'available', eventId }),
    );
    expectRefused(conflict, 409, 'EVENT_ID_CONFLICT', eventId);
    expect((await getUnit(unit)).status).toBe('out_of_service');

    const replay = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'out_of_service', eventId }),
    );
    expect(replay.status).toBe(200);
    expect(replay.body.duplicate).toBe(true);

    const back = await reportStatus(unit, { status: 'available' });
    expect(back.status).toBe(200);
  });

  it.each<[string, unknown]>([
    ['an unknown status', { status: 'flying' }],
    ['a status in capitals', { status: 'ON_SCENE' }],
    ['a missing status', {}],
    ['a numeric status', { status: 3 }],
  ])('%s is refused with 400 VALIDATION_FAILED', async (_, body) => {
    const unit = unitId('A11');
    const answer = await unitUnchanged(unit, () => reportStatus(unit, body));
    expectRefused(answer, 400, 'VALIDATION_FAILED', 'status');
  });

  it('a malformed eventId or an unknown field in a status report is refused, named', async () => {
    const unit = unitId('A11');
    const badId = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'out_of_service', eventId: 'has spaces' }),
    );
    expectRefused(badId, 400, 'VALIDATION_FAILED', 'eventId');
    const extra = await unitUnchanged(unit, () =>
      reportStatus(unit, { status: 'out_of_service', unit: 'A11' }),
    );
    expectRefused(extra, 400, 'VALIDATION_FAILED', 'unit');
  });
});

describe('tablet socket', () => {
  let tablet: Socket;
  let unit: number;

  beforeAll(async () => {
    unit = unitId('A13');
    tablet = await ts.socket(
      '/tablet',
      await ts.login('crew-a13', 'crew-demo-pass'),
    );
  });

  afterAll(() => {
    tablet?.disconnect();
  });

  it.each<[string, unknown, string]>([
    ['a string', 'garbage', 'VALIDATION_FAILED'],
    ['a number', 42, 'VALIDATION_FAILED'],
    ['null', null, 'VALIDATION_FAILED'],
    ['an array', ['on_scene'], 'VALIDATION_FAILED'],
    ['an unknown status', { status: 'flying' }, 'VALIDATION_FAILED'],
    [
      'an unknown field',
      { status: 'out_of_service', x: 1 },
      'VALIDATION_FAILED',
    ],
    [
      'a bad time',
      { status: 'out_of_service', at: 'soon' },
      'INVALID_TIMESTAMP',
    ],
    [
      'a phase without an incident',
      { status: 'on_scene' },
      'STATUS_TRANSITION_INVALID',
    ],
  ])('status with %s answers ok:false %s', async (_, payload, code) => {
    const answer = await unitUnchanged(unit, () =>
      ack(tablet, 'status', payload),
    );
    expect(answer).toEqual({
      ok: false,
      error: { code, message: expect.any(String) },
    });
  });

  it('status without an ack callback does not crash the server or the socket', async () => {
    await unitUnchanged(unit, async () => {
      tablet.emit('status', 'garbage');
      tablet.emit('status', { status: 'flying' });
      tablet.emit('status');
      tablet.emit('position', { lat: 999, lon: 0 });
      tablet.emit('assignment:ack', 'nope');
      tablet.emit('snapshot');
      // Let the server handle them before looking.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(tablet.connected).toBe(true);
    const snapshot = await ack(tablet, 'snapshot');
    expect(snapshot).toMatchObject({ ok: true, unit: { id: unit } });
  });

  it('a position out of range is refused by the filter with its reason, an unreadable one as invalid', async () => {
    for (const fix of [
      { lat: 999, lon: DOWNTOWN.lon },
      { lat: DOWNTOWN.lat, lon: -999 },
    ]) {
      // Refused per fix, not per request: one bad fix in a replayed queue
      // must not block the good ones behind it.
      const answer = await unitUnchanged(unit, () =>
        ack(tablet, 'position', { ...fix, at: new Date().toISOString() }),
      );
      expect(answer).toEqual({
        ok: true,
        result: { accepted: false, reason: 'invalid_coordinates' },
      });
    }
    for (const fix of [
      { lat: String(DOWNTOWN.lat), lon: DOWNTOWN.lon },
      { lon: DOWNTOWN.lon },
    ]) {
      const answer = await unitUnchanged(unit, () =>
        ack(tablet, 'position', { ...fix, at: new Date().toISOString() }),
      );
      expect(answer).toEqual({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: expect.any(String) },
      });
      expect(answer.error.message).toContain('position.lat');
    }
    expect((await getUnit(unit)).lastPosition).toBeNull();
  });

  it('position with a bad speed or an unknown field answers ok:false VALIDATION_FAILED, naming it', async () => {
    const at = new Date().toISOString();
    const speed = await ack(tablet, 'position', {
      ...DOWNTOWN,
      at,
      speedMps: 'fast',
    });
    expect(speed).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(speed.error.message).toContain('speedMps');
    const extra = await ack(tablet, 'position', { ...DOWNTOWN, at, alt: 10 });
    expect(extra).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(extra.error.message).toContain('alt');
    expect((await getUnit(unit)).lastPosition).toBeNull();
  });

  it('assignment:ack for a non-numeric or foreign incident is refused', async () => {
    const notAnId = await unitUnchanged(unit, () =>
      ack(tablet, 'assignment:ack', { incidentId: 'abc' }),
    );
    expect(notAnId).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    const tooBig = await unitUnchanged(unit, () =>
      ack(tablet, 'assignment:ack', { incidentId: 2147483648 }),
    );
    expect(tooBig).toMatchObject({
      ok: false,
      error: { code: 'INCIDENT_NOT_FOUND' },
    });
    const incident = await newIncident();
    const foreign = await unitUnchanged(unit, () =>
      ack(tablet, 'assignment:ack', { incidentId: incident.id }),
    );
    expect(foreign).toMatchObject({
      ok: false,
      error: { code: 'STATUS_TRANSITION_INVALID' },
    });
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/api/nope'],
    ['DELETE', '/api/incidents'],
    ['PUT', '/api/units/1'],
    ['GET', '/api/incidents/1/nope'],
  ])(
    '%s %s answers 404 ROUTE_NOT_FOUND in the catalogue shape',
    async (method, path) => {
      const answer = await ts.request(method, path, { token: dispatcher });
      expectRefused(answer, 404, 'ROUTE_NOT_FOUND', path);
      expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    },
  );
});
