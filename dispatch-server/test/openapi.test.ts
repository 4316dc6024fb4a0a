/**
 * Keeps the OpenAPI document, the error catalogue and the code in step:
 * the routes declared in routes.ts and app.ts, their roles, the error
 * codes and their statuses, the socket events of contract.ts, and, on a
 * running server, what the routes really answer.
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  PERMISSIONS,
  ROLES,
  type Permission,
  type Role,
} from '../src/auth/roles.ts';
import { DISPATCH_ERRORS, type DispatchErrorCode } from '../src/errors.ts';
import {
  OPENAPI_DOCUMENT,
  type Operation,
  type ResponseObject,
  type Schema,
} from '../src/http/openapi.ts';
import {
  ADMIN_PASSWORD,
  DOWNTOWN,
  startTestServer,
  type TestServer,
} from './harness.ts';

const doc = OPENAPI_DOCUMENT;
const ERROR_REF = '#/components/schemas/Error';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function source(relative: string): string {
  return readFileSync(new URL(relative, import.meta.url), 'utf8');
}

interface DeclaredRoute {
  /** `GET /api/units/{id}` */
  key: string;
  method: string;
  path: string;
  /** The permission of the route's `allow()`, when it has one. */
  permission: Permission | undefined;
  /** Declared before `authenticate()`, or outside `/api`'s router. */
  isPublic: boolean;
}

/** Express `:name` to OpenAPI `{name}`. */
function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** The routes of routes.ts and app.ts, read from their source text. */
function declaredRoutes(): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  const api = source('../src/http/routes.ts');
  const guard = api.indexOf('api.use(authenticate(');
  if (guard < 0) throw new Error('routes.ts: no api.use(authenticate(...))');
  const apiCalls = api.match(/\bapi\.(get|put|post|delete|patch)\(/g) ?? [];
  const apiRoute =
    /\bapi\.(get|put|post|delete|patch)\(\s*'([^']+)'\s*,(?:\s*allow\('([^']+)'\)\s*,)?/g;
  for (const match of api.matchAll(apiRoute)) {
    const [, method = '', path = '', permission] = match;
    routes.push({
      key: `${method.toUpperCase()} ${openApiPath(`/api${path}`)}`,
      method,
      path: openApiPath(`/api${path}`),
      permission: permission as Permission | undefined,
      isPublic: (match.index ?? 0) < guard,
    });
  }
  // A route whose path is not a plain string literal would slip through.
  if (routes.length !== apiCalls.length) {
    throw new Error(
      `routes.ts: parsed ${routes.length} of ${apiCalls.length} api routes`,
    );
  }
  const app = source('../src/http/app.ts');
  for (const match of app.matchAll(
    /\bapp\.(get|put|post|delete|patch)\(\s*'([^']+)'/g,
  )) {
    const [, method = '', path = ''] = match;
    routes.push({
      key: `${method.toUpperCase()} ${openApiPath(path)}`,
      method,
      path: openApiPath(path),
      permission: undefined,
      isPublic: true,
    });
  }
  return routes;
}

interface DocumentedOperation {
  key: string;
  method: string;
  path: string;
  operation: Operation;
  isPublic: boolean;
}

function documentedOperations(): DocumentedOperation[] {
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Partial<Record<string, Operation>>)[method];
      if (!operation) continue;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        operation,
        isPublic: operation.security.length === 0,
      });
    }
  }
  return operations;
}

function operationAt(key: string): Operation {
  const found = documentedOperations().find((o) => o.key === key);
  if (!found) throw new Error(`${key} is not documented`);
  return found.operation;
}

/** Every object in `value`, however deep (to find the `$ref`s). */
function* schemasIn(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* schemasIn(item);
  } else if (typeof value === 'object' && value !== null) {
    yield value as Record<string, unknown>;
    for (const child of Object.values(value)) yield* schemasIn(child);
  }
}

function component(refText: string): Schema {
  const name = refText.replace('#/components/schemas/', '');
  const schema = doc.components.schemas[name];
  if (!refText.startsWith('#/components/schemas/') || !schema) {
    throw new Error(`unresolved $ref ${refText}`);
  }
  return schema;
}

function referencesError(schema: Schema | undefined): boolean {
  if (!schema) return false;
  if (schema.$ref === ERROR_REF) return true;
  return [...(schema.allOf ?? []), ...(schema.anyOf ?? [])].some(
    referencesError,
  );
}

/** The codes an error response narrows the `Error` schema to. */
function narrowedCodes(schema: Schema): string[] {
  const own = schema.properties?.error?.properties?.code?.enum ?? [];
  return [
    ...(own as string[]),
    ...[...(schema.allOf ?? []), ...(schema.anyOf ?? [])].flatMap(
      narrowedCodes,
    ),
  ];
}

interface ErrorResponse {
  where: string;
  status: number;
  response: ResponseObject;
  /** The response's JSON schema, when it has one. */
  schema: Schema | undefined;
}

/**
 * Every 4xx and 5xx response of the operations, and the shared responses
 * of components (which have no status of their own: they count under the
 * status of their first code, so their other codes must share it).
 */
function errorResponses(): ErrorResponse[] {
  const found: ErrorResponse[] = [];
  for (const { key, operation } of documentedOperations()) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) < 400) continue;
      const schema = response.content?.['application/json'].schema;
      found.push({
        where: `${key} ${status}`,
        status: Number(status),
        response,
        schema,
      });
    }
  }
  for (const [name, response] of Object.entries(doc.components.responses)) {
    const schema = response.content?.['application/json'].schema;
    const first = narrowedCodes(schema ?? {})[0] as DispatchErrorCode;
    found.push({
      where: `components.responses.${name}`,
      status: DISPATCH_ERRORS[first]?.status ?? 0,
      response,
      schema,
    });
  }
  return found;
}

/** The error responses whose body is the catalogue's `Error`. */
function catalogueErrorResponses() {
  return errorResponses().flatMap((found) =>
    found.schema && referencesError(found.schema)
      ? [{ ...found, schema: found.schema }]
      : [],
  );
}

// ---------------------------------------------------------------------
// A small JSON Schema check, enough for the keywords the document uses.

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return (
        typeof value === 'object' && value !== null && !Array.isArray(value)
      );
    default:
      throw new Error(`unknown type ${type}`);
  }
}

/**
 * What is wrong with `value` under `schema`; empty when it fits. With
 * `closed`, an object schema listing `properties` refuses other members
 * (to catch a response field the document does not describe).
 */
function schemaErrors(
  schema: Schema,
  value: unknown,
  at = 'body',
  closed = false,
): string[] {
  if (schema.$ref) {
    const { $ref, ...rest } = schema;
    return [
      ...schemaErrors(component($ref), value, at, closed),
      ...schemaErrors(rest, value, at, closed),
    ];
  }
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((type) => hasType(value, type))) {
      return [`${at}: expected ${types.join(' or ')}, got ${show(value)}`];
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push(`${at}: ${show(value)} is not one of ${show(schema.enum)}`);
  }
  if ('const' in schema && schema.const !== value) {
    errors.push(`${at}: expected ${show(schema.const)}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      errors.push(`${at}: shorter than ${schema.minLength}`);
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      errors.push(`${at}: longer than ${schema.maxLength}`);
    }
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${at}: ${show(value)} does not match ${schema.pattern}`);
    }
    if (
      schema.format === 'date-time' &&
      (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(
        value,
      ) ||
        Number.isNaN(Date.parse(value)))
    ) {
      errors.push(`${at}: ${show(value)} is not a date-time`);
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      errors.push(`${at}: ${value} is below ${schema.minimum}`);
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      errors.push(`${at}: ${value} is above ${schema.maximum}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(`${at}: fewer than ${schema.minItems} items`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push(`${at}: more than ${schema.maxItems} items`);
    }
    if (schema.items) {
      const items = schema.items;
      value.forEach((item, i) =>
        errors.push(...schemaErrors(items, item, `${at}[${i}]`, closed)),
      );
    }
  }
  if (hasType(value, 'object')) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) errors.push(`${at}: missing ${key}`);
    }
    const extra = schema.additionalProperties;
    for (const [key, member] of Object.entries(object)) {
      const declared = schema.properties?.[key];
      if (declared) {
        errors.push(...schemaErrors(declared, member, `${at}.${key}`, closed));
      } else if (typeof extra === 'object') {
        errors.push(...schemaErrors(extra, member, `${at}.${key}`, closed));
      } else if (
        extra === false ||
        (closed && schema.properties && extra === undefined)
      ) {
        errors.push(`${at}: unexpected member ${key}`);
      }
    }
  }
  for (const part of schema.allOf ?? []) {
    errors.push(...schemaErrors(part, value, at, false));
  }
  if (
    schema.anyOf &&
    !schema.anyOf.some(
      (part) => schemaErrors(part, value, at, closed).length === 0,
    )
  ) {
    errors.push(`${at}: ${show(value)} fits none of anyOf`);
  }
  if (schema.if) {
    const fits = schemaErrors(schema.if, value, at).length === 0;
    const branch = fits ? schema.then : schema.else;
    if (branch) errors.push(...schemaErrors(branch, value, at));
  }
  return errors;
}

function show(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}

// ---------------------------------------------------------------------

describe('the OpenAPI document and the routes in the code', () => {
  const declared = declaredRoutes();
  const documented = documentedOperations();

  it('parses a plausible number of routes from routes.ts and app.ts', () => {
    expect(declared.length).toBeGreaterThanOrEqual(20);
    expect(declared.map((r) => r.key)).toEqual(
      expect.arrayContaining(['GET /healthz', 'GET /api/openapi.json']),
    );
  });

  it('documents every declared route with its method', () => {
    const keys = new Set(documented.map((o) => o.key));
    expect(declared.filter((r) => !keys.has(r.key)).map((r) => r.key)).toEqual(
      [],
    );
  });

  it('documents no route that the code lacks', () => {
    const keys = new Set(declared.map((r) => r.key));
    expect(
      documented.filter((o) => !keys.has(o.key)).map((o) => o.key),
    ).toEqual([]);
  });

  it('makes public exactly the routes that need no token', () => {
    for (const route of declared) {
      const operation = operationAt(route.key);
      if (route.isPublic) {
        expect(operation.security, route.key).toEqual([]);
        expect(operation['x-roles'], route.key).toBeUndefined();
        expect(operation.description, route.key).toContain('Public');
      } else {
        expect(operation.security, route.key).toEqual([{ bearerAuth: [] }]);
      }
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it("lists in x-roles the roles of the route's allow() permission", () => {
    for (const route of declared.filter((r) => !r.isPublic)) {
      const operation = operationAt(route.key);
      const roles = route.permission ? PERMISSIONS[route.permission] : ROLES;
      expect(operation['x-permission'], route.key).toBe(route.permission);
      expect(operation['x-roles'], route.key).toEqual([...roles]);
      expect(operation.description, route.key).toContain(roles.join(', '));
    }
  });

  it('gives every operation a unique operationId and a summary', () => {
    const ids = documented.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, operation } of documented) {
      expect(operation.summary.length, key).toBeGreaterThan(0);
    }
  });

  it('declares each path parameter of a path in its operations', () => {
    for (const { key, path, operation } of documented) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declaredParams = (operation.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name);
      expect(declaredParams, key).toEqual(inPath);
    }
  });

  it('resolves every $ref to a schema of components', () => {
    for (const node of schemasIn(doc)) {
      if (typeof node.$ref === 'string') {
        expect(() => component(node.$ref as string)).not.toThrow();
      }
    }
  });

  it('is OpenAPI 3.1 with a relative server url', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([
      { url: '/', description: expect.any(String) },
    ]);
  });
});

describe('the error codes of the document and the catalogue', () => {
  it('lists exactly the catalogue codes in the Error schema', () => {
    const code =
      doc.components.schemas.Error?.properties?.error?.properties?.code;
    expect(code?.enum).toEqual(Object.keys(DISPATCH_ERRORS));
  });

  it('answers every documented failure with an Error body, but /healthz 503', () => {
    const others = errorResponses().filter(
      (found) => !found.schema || !referencesError(found.schema),
    );
    expect(others.map((found) => found.where)).toEqual(['GET /healthz 503']);
  });

  it('lists each code only under the HTTP status the catalogue gives it', () => {
    const responses = catalogueErrorResponses();
    expect(responses.length).toBeGreaterThan(50);
    for (const { where, status, response, schema } of responses) {
      const codes = narrowedCodes(schema);
      expect(codes.length, `${where} names no code`).toBeGreaterThan(0);
      for (const code of codes) {
        expect(Object.keys(DISPATCH_ERRORS), where).toContain(code);
        expect(
          DISPATCH_ERRORS[code as DispatchErrorCode].status,
          `${where}: ${code} listed under ${status}`,
        ).toBe(status);
        expect(response.description, where).toContain(`\`${code}\``);
      }
    }
  });

  it('documents every catalogue code somewhere', () => {
    const used = new Set(
      catalogueErrorResponses().flatMap((r) => narrowedCodes(r.schema)),
    );
    expect(Object.keys(DISPATCH_ERRORS).filter((c) => !used.has(c))).toEqual(
      [],
    );
  });

  it('lists AUTH_REQUIRED under 401 on exactly the non-public operations', () => {
    for (const { key, operation, isPublic } of documentedOperations()) {
      const schema =
        operation.responses['401']?.content?.['application/json'].schema;
      const codes = schema ? narrowedCodes(schema) : [];
      expect(codes.includes('AUTH_REQUIRED'), key).toBe(!isPublic);
    }
  });
});

describe('the socket.io contract in info.description', () => {
  it('names both namespaces and every event of contract.ts', () => {
    const contract = source('../src/realtime/contract.ts');
    const events = new Set<string>();
    for (const match of contract.matchAll(
      /export interface \w+(?:ServerToClient|ClientToServer) \{([\s\S]*?)\n\}/g,
    )) {
      for (const key of (match[1] ?? '').matchAll(/^ {2}'?([\w:]+)'?:/gm)) {
        events.add(key[1] as string);
      }
    }
    expect(events.size).toBeGreaterThanOrEqual(10);
    const description = doc.info.description;
    for (const namespace of ['/console', '/tablet']) {
      expect(contract).toContain(`\`${namespace}\``);
      expect(description).toContain(`\`${namespace}\``);
    }
    for (const event of events) expect(description).toContain(`\`${event}\``);
    expect(description).toContain('auth: { token }');
  });
});

describe('a running server and the document', () => {
  let server: TestServer;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    // Failed logins below must not lock the test's own address out.
    server = await startTestServer({ DISPATCH_LOGIN_MAX_FAILURES: '1000' });
    tokens.admin = await server.login('admin', ADMIN_PASSWORD);
    tokens.dispatcher = await server.login('dispatcher', 'dispatcher-demo');
    tokens.planner = await server.login('planner', 'planner-demo');
    tokens.crew = await server.login('crew-a01', 'crew-demo-pass');
  });

  afterAll(async () => {
    await server?.close();
  });

  /** `path` with each `{param}` replaced by `values[param]`, else `1`. */
  function url(path: string, values: Record<string, string | number> = {}) {
    return path.replace(/\{(\w+)\}/g, (_, name: string) =>
      String(values[name] ?? 1),
    );
  }

  /** Checks that `answer` is a documented response of `key`. */
  function expectDocumented(
    key: string,
    answer: { status: number; body: unknown },
  ) {
    const response = operationAt(key).responses[String(answer.status)];
    expect(
      response,
      `${key} answered ${answer.status} ${show(answer.body)}, undocumented`,
    ).toBeDefined();
    const schema = response?.content?.['application/json'].schema;
    if (schema) {
      expect(schemaErrors(schema, answer.body, 'body', true), key).toEqual([]);
    } else {
      expect(answer.body, key).toBeUndefined();
    }
  }

  async function call(
    key: string,
    options: {
      token?: string;
      body?: unknown;
      params?: Record<string, string | number>;
      query?: string;
    } = {},
  ) {
    const [method = '', path = ''] = key.split(' ');
    const answer = await server.request(
      method,
      url(path, options.params) + (options.query ?? ''),
      { token: options.token, body: options.body },
    );
    expectDocumented(key, answer);
    return answer;
  }

  it('serves the document at GET /api/openapi.json without a token', async () => {
    const answer = await server.request('GET', '/api/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  });

  it('answers unknown paths with the shared RouteNotFound response', async () => {
    const schema =
      doc.components.responses.RouteNotFound?.content?.['application/json']
        .schema;
    if (!schema) throw new Error('no components.responses.RouteNotFound');
    for (const [path, token] of [
      ['/no-such-page', undefined],
      ['/api/no-such-route', tokens.planner],
    ] as const) {
      const answer = await server.request('GET', path, { token });
      expect(answer.status, path).toBe(404);
      expect(answer.body.error.code, path).toBe('ROUTE_NOT_FOUND');
      expect(schemaErrors(schema, answer.body, 'body', true), path).toEqual([]);
    }
  });

  it('answers the public operations without a token', async () => {
    expect((await call('GET /healthz')).status).toBe(200);
    const login = await call('POST /api/auth/login', { body: {} });
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('VALIDATION_FAILED');
  });

  // Each protected operation without a token, and each role on each
  // operation: security-matrix.test.ts, from the served document.

  it('answers the signed-in routes with bodies of their documented schemas', async () => {
    const admin = tokens.admin;
    const created = await call('POST /api/incidents', {
      token: admin,
      body: {
        location: DOWNTOWN,
        priority: 1,
        complaint: 'chest pain',
        address: 'Av. Borges de Medeiros',
        callerPhone: '+55 51 5555 0000',
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const ranked = await call('GET /api/incidents/{id}/recommendations', {
      token: tokens.dispatcher,
      params: { id },
    });
    expect(ranked.status).toBe(200);
    expect(ranked.body.length).toBeGreaterThan(0);
    const unitId = ranked.body[0].unitId as number;
    const assigned = await call('POST /api/incidents/{id}/assign', {
      token: tokens.dispatcher,
      params: { id },
      body: { unitId },
    });
    expect(assigned.status).toBe(200);
    const moved = await call('POST /api/units/{id}/status', {
      token: tokens.dispatcher,
      params: { id: unitId },
      body: { status: 'en_route', eventId: 'openapi-test-1' },
    });
    expect(moved.status).toBe(200);
    for (const [key, token, query] of [
      ['GET /api/auth/me', tokens.crew, ''],
      ['GET /api/city', tokens.planner, ''],
      ['GET /api/users', admin, ''],
      ['GET /api/units', tokens.crew, ''],
      ['GET /api/units/{id}', tokens.planner, ''],
      ['GET /api/incidents', tokens.planner, '?open=true&limit=10'],
      ['GET /api/incidents/{id}', tokens.dispatcher, ''],
      ['GET /api/metrics/response-times', tokens.planner, ''],
      ['GET /api/metrics/response-times', admin, '?priority=1'],
      ['GET /api/audit', admin, '?limit=20'],
    ] as const) {
      const answer = await call(key, {
        token,
        params: { id: key.startsWith('GET /api/units') ? unitId : id },
        query,
      });
      expect(answer.status, key).toBe(200);
    }
    const missing = await call('GET /api/units/{id}', {
      token: admin,
      params: { id: 999_999 },
    });
    expect(missing.body.error.code).toBe('UNIT_NOT_FOUND');
    const revoked = await call('POST /api/users/{username}/revoke-tokens', {
      token: admin,
      params: { username: 'planner' },
    });
    expect(revoked.body).toEqual({ revoked: 1 });
    const planner = await call('GET /api/auth/me', { token: tokens.planner });
    expect(planner.body.error.code).toBe('AUTH_TOKEN_REVOKED');
    tokens.planner = await server.login('planner', 'planner-demo');
  });

  /**
   * Sends each body to `key`: the document's request schema must accept
   * exactly the bodies marked `ok`, and the server must refuse (400, or
   * 404 for an id that cannot exist) exactly the others, with a code the
   * document lists for the route.
   */
  async function expectSchemaAgrees(
    key: string,
    token: string,
    cases: readonly { ok: boolean; body: unknown; params?: object }[],
  ) {
    const operation = operationAt(key);
    const schema = operation.requestBody?.content['application/json'].schema;
    if (!schema) throw new Error(`${key} documents no request body`);
    for (const { ok, body, params } of cases) {
      const label = `${key} ${show(body)}`;
      expect(schemaErrors(schema, body).length === 0, label).toBe(ok);
      const answer = await call(key, {
        token,
        body,
        params: params as Record<string, number>,
      });
      if (ok) {
        expect([400, 404], `${label}: ${show(answer.body)}`).not.toContain(
          answer.status,
        );
      } else {
        expect([400, 404], `${label}: ${answer.status}`).toContain(
          answer.status,
        );
      }
    }
  }

  it('refuses exactly the login bodies its schema refuses', async () => {
    await expectSchemaAgrees('POST /api/auth/login', '', [
      { ok: true, body: { username: 'admin', password: ADMIN_PASSWORD } },
      { ok: true, body: { username: 'nobody', password: 'wrong' } },
      { ok: false, body: {} },
      { ok: false, body: [] },
      { ok: false, body: { username: '  ', password: 'x' } },
      { ok: false, body: { username: 'a'.repeat(65), password: 'x' } },
      { ok: false, body: { username: 'admin', password: 5 } },
      { ok: false, body: { username: 'admin', password: 'x', otp: '1' } },
    ]);
  });

  it('refuses exactly the new incidents its schema refuses', async () => {
    const valid = { location: DOWNTOWN, priority: 2 };
    await expectSchemaAgrees('POST /api/incidents', tokens.dispatcher, [
      { ok: true, body: valid },
      {
        ok: true,
        body: {
          ...valid,
          priority: 3,
          complaint: 'fall',
          address: null,
          callerPhone: '',
          receivedAt: '2024-01-31T14:05:00.123Z',
        },
      },
      { ok: true, body: { ...valid, receivedAt: '2024-01-31T14:05-0300' } },
      { ok: true, body: { ...valid, location: { ...DOWNTOWN, alt: 3 } } },
      { ok: false, body: { priority: 1 } },
      { ok: false, body: { location: DOWNTOWN } },
      { ok: false, body: { ...valid, priority: 4 } },
      { ok: false, body: { ...valid, priority: '1' } },
      { ok: false, body: { ...valid, location: { lat: 91, lon: 0 } } },
      { ok: false, body: { ...valid, location: { lat: 0, lon: -181 } } },
      { ok: false, body: { ...valid, location: { lat: '-30', lon: -51 } } },
      { ok: false, body: { ...valid, receivedAt: '2024-01-31 14:05:00Z' } },
      { ok: false, body: { ...valid, receivedAt: '2024-01-31T14:05:00' } },
      { ok: false, body: { ...valid, receivedAt: 1706709900 } },
      { ok: false, body: { ...valid, complaint: 'x'.repeat(1001) } },
      { ok: false, body: { ...valid, complaint: 7 } },
      { ok: false, body: { ...valid, complaint: 'chest\u0000pain' } },
      { ok: false, body: { ...valid, notes: 'x' } },
    ]);
  });

  it('refuses exactly the new units and users their schemas refuse', async () => {
    const station = DOWNTOWN;
    await expectSchemaAgrees('POST /api/units', tokens.admin, [
      { ok: true, body: { callSign: 'T01', capability: 'BLS', station } },
      {
        ok: true,
        body: {
          callSign: 'T02',
          capability: 'ALS',
          station,
          stationName: null,
          trackerId: 'trk-t02',
        },
      },
      { ok: false, body: { callSign: 'T03', capability: 'XLS', station } },
      { ok: false, body: { capability: 'ALS', station } },
      { ok: false, body: { callSign: '   ', capability: 'ALS', station } },
      {
        ok: false,
        body: { callSign: 'T'.repeat(41), capability: 'ALS', station },
      },
      { ok: false, body: { callSign: 'T04', capability: 'ALS' } },
      {
        ok: false,
        body: {
          callSign: 'T05',
          capability: 'ALS',
          station: { lat: 100, lon: 0 },
        },
      },
      {
        ok: false,
        body: { callSign: 'T06', capability: 'ALS', station, x: 1 },
      },
    ]);
    const units = await server.request('GET', '/api/units', {
      token: tokens.admin,
    });
    const t01 = (units.body as { id: number; callSign: string }[]).find(
      (u) => u.callSign === 'T01',
    )?.id;
    const password = 'long-enough-password';
    await expectSchemaAgrees('POST /api/users', tokens.admin, [
      { ok: true, body: { username: 'planner2', password, role: 'planner' } },
      {
        ok: true,
        body: { username: 'crew-t01', password, role: 'crew', unitId: t01 },
      },
      { ok: false, body: { username: 'boss', password, role: 'boss' } },
      { ok: false, body: { username: 'crew-x', password, role: 'crew' } },
      {
        ok: false,
        body: { username: 'planner3', password, role: 'planner', unitId: t01 },
      },
      {
        ok: false,
        body: { username: 'planner4', password: 'short', role: 'planner' },
      },
      { ok: false, body: { username: 'p', password, role: 'planner' } },
      { ok: false, body: { username: 'has space', password, role: 'planner' } },
      {
        ok: false,
        body: { username: 'planner5', password, role: 'planner', team: 'a' },
      },
    ]);
  });

  it('refuses exactly the status reports its schema refuses', async () => {
    const created = await server.request('POST', '/api/units', {
      token: tokens.admin,
      body: { callSign: 'S01', capability: 'BLS', station: DOWNTOWN },
    });
    const params = { id: created.body.id as number };
    await expectSchemaAgrees('POST /api/units/{id}/status', tokens.dispatcher, [
      { ok: false, params, body: { status: 'sleeping' } },
      { ok: false, params, body: {} },
      { ok: false, params, body: { status: 'available', eventId: 'a b' } },
      { ok: false, params, body: { status: 'available', at: 'yesterday' } },
      { ok: false, params, body: { status: 'available', by: 'me' } },
      { ok: true, params, body: { status: 'out_of_service' } },
      {
        ok: true,
        params,
        body: { status: 'available', eventId: 'evt:1', at: null },
      },
      // Valid, but the unit has no incident: a conflict, not a bad request.
      { ok: true, params, body: { status: 'on_scene' } },
    ]);
  });

  it('refuses exactly the position batches its schema refuses', async () => {
    const created = await server.request('POST', '/api/units', {
      token: tokens.admin,
      body: { callSign: 'P01', capability: 'BLS', station: DOWNTOWN },
    });
    const params = { id: created.body.id as number };
    const base = Date.now() - 30_000;
    const at = (seconds: number) =>
      new Date(base + seconds * 1000).toISOString();
    const fix = (seconds: number) => ({ ...DOWNTOWN, at: at(seconds) });
    const short = { lat: 0, lon: 0, at: '2026-01-01T00:00:00Z' };
    await expectSchemaAgrees('POST /api/units/{id}/positions', tokens.admin, [
      { ok: true, params, body: { fixes: [fix(0)] } },
      {
        ok: true,
        params,
        body: [
          fix(1),
          {
            ...fix(2),
            speedMps: 3.5,
            headingDeg: null,
            accuracyMeters: 8,
            altitudeMeters: 12,
            batteryPercent: 80,
          },
        ],
      },
      {
        ok: true,
        params,
        body: [{ ...DOWNTOWN, at: '2026-01-31T11:05-03:00' }],
      },
      // Read, then refused by the filter: answered in results, not 400.
      { ok: true, params, body: [{ lat: 91, lon: 0, at: at(4) }] },
      { ok: true, params, body: [{ ...DOWNTOWN, at: '2999-01-01T00:00:00Z' }] },
      { ok: true, params, body: Array.from({ length: 1000 }, () => short) },
      { ok: false, params, body: {} },
      { ok: false, params, body: { fixes: [] } },
      { ok: false, params, body: [] },
      { ok: false, params, body: { fixes: fix(5) } },
      { ok: false, params, body: Array.from({ length: 1001 }, () => short) },
      { ok: false, params, body: [1] },
      { ok: false, params, body: [{ lon: DOWNTOWN.lon, at: at(6) }] },
      { ok: false, params, body: [{ ...fix(7), lat: '-30.0' }] },
      { ok: false, params, body: [{ ...DOWNTOWN }] },
      { ok: false, params, body: [{ ...DOWNTOWN, at: 'yesterday' }] },
      { ok: false, params, body: [{ ...DOWNTOWN, at: 1706709900 }] },
      { ok: false, params, body: [{ ...fix(8), alt: 3 }] },
      // One fix that cannot be read refuses the whole batch.
      { ok: false, params, body: [fix(9), { ...fix(10), speedMps: '12' }] },
    ]);
    const judged = await call('POST /api/units/{id}/positions', {
      token: tokens.admin,
      params,
      body: [fix(20), fix(20), { lat: 0, lon: 0, at: at(21) }, fix(1.5)],
    });
    expect(judged.body).toEqual({
      accepted: 2,
      results: [
        { accepted: true, live: true },
        { accepted: false, reason: 'duplicate' },
        { accepted: false, reason: 'null_island' },
        { accepted: true, live: false },
      ],
    });
    const moved = await call('GET /api/units/{id}', {
      token: tokens.planner,
      params,
    });
    expect(moved.body).toMatchObject({
      lastPosition: { ...DOWNTOWN, at: at(20) },
      stale: false,
    });
    const me = await server.request('GET', '/api/auth/me', {
      token: tokens.crew,
    });
    const own = await call('POST /api/units/{id}/positions', {
      token: tokens.crew,
      params: { id: me.body.unitId as number },
      body: { fixes: [{ ...DOWNTOWN, at: new Date().toISOString() }] },
    });
    expect(own.body).toEqual({
      accepted: 1,
      results: [{ accepted: true, live: true }],
    });
    const other = await call('POST /api/units/{id}/positions', {
      token: tokens.crew,
      params,
      body: [fix(30)],
    });
    expect(other.body.error.code).toBe('NOT_OWN_UNIT');
    const missing = await call('POST /api/units/{id}/positions', {
      token: tokens.admin,
      params: { id: 999_999 },
      body: [fix(30)],
    });
    expect(missing.body.error.code).toBe('UNIT_NOT_FOUND');
  });

  it('refuses exactly the assignments and cancellations their schemas refuse', async () => {
    const incident = await server.request('POST', '/api/incidents', {
      token: tokens.dispatcher,
      body: { location: DOWNTOWN, priority: 2 },
    });
    const unit = await server.request('POST', '/api/units', {
      token: tokens.admin,
      body: { callSign: 'S02', capability: 'ALS', station: DOWNTOWN },
    });
    const params = { id: incident.body.id as number };
    const unitId = unit.body.id as number;
    await expectSchemaAgrees(
      'POST /api/incidents/{id}/assign',
      tokens.dispatcher,
      [
        { ok: false, params, body: {} },
        { ok: false, params, body: { unitId: 0 } },
        { ok: false, params, body: { unitId: 1.5 } },
        { ok: false, params, body: { unitId: 'S02' } },
        { ok: false, params, body: { unitId, why: 'closest' } },
        { ok: true, params, body: { unitId } },
        // Valid, but already on it: a conflict.
        { ok: true, params, body: { unitId } },
      ],
    );
    await expectSchemaAgrees(
      'POST /api/incidents/{id}/cancel',
      tokens.dispatcher,
      [
        { ok: false, params, body: {} },
        { ok: false, params, body: { reason: ' ' } },
        { ok: false, params, body: { reason: '\u0000' } },
        { ok: false, params, body: { reason: 'x'.repeat(501) } },
        { ok: false, params, body: { reason: 'duplicate', by: 'me' } },
        { ok: true, params, body: { reason: 'duplicate call' } },
        // Valid, but already cancelled: a conflict.
        { ok: true, params, body: { reason: 'duplicate call' } },
      ],
    );
  });
});
