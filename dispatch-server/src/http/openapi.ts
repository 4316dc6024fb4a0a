/**
 * The OpenAPI 3.1 description of the dispatch server's HTTP API, served
 * at `GET /api/openapi.json`. Enums come from the code (roles, statuses,
 * phases, the error catalogue), so they cannot drift;
 * `test/openapi.test.ts` checks the routes, roles, error codes and
 * schemas against the code and a running server.
 */
import {
  MEASUREMENT_RANGES,
  type FixSource,
  type RejectReason,
} from '@dispatch/unit-tracker';

import { MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import {
  PERMISSIONS,
  ROLES,
  type Permission,
  type Role,
} from '../auth/roles.ts';
import { DISPATCH_ERRORS, type DispatchErrorCode } from '../errors.ts';
import {
  CAPABILITIES,
  INCIDENT_PHASES,
  INTERVAL_NAMES,
  PRIORITIES,
  UNIT_STATUSES,
} from '../policy/index.ts';
import { MAX_FIXES_PER_BATCH } from '../tracking/fixes.ts';

type JsonType =
  'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** The part of JSON Schema 2020-12 (OpenAPI 3.1's dialect) used here. */
export interface Schema {
  $ref?: string;
  description?: string;
  type?: JsonType | readonly JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Readonly<Record<string, Schema>>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  allOf?: readonly Schema[];
  anyOf?: readonly Schema[];
  if?: Schema;
  then?: Schema;
  else?: Schema;
  default?: unknown;
  examples?: readonly unknown[];
}

/** A path or query parameter. */
export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  schema: Schema;
}

/** A JSON request body. */
export interface RequestBody {
  required: boolean;
  description?: string;
  content: { 'application/json': { schema: Schema } };
}

/** One response of an operation, by HTTP status. */
export interface ResponseObject {
  description: string;
  headers?: Readonly<Record<string, { description: string; schema: Schema }>>;
  content?: { 'application/json': { schema: Schema } };
}

/** One operation (a method on a path). */
export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: readonly string[];
  /** `[]` for the public operations, bearer token for all others. */
  security: readonly Readonly<Record<string, readonly string[]>>[];
  parameters?: readonly Parameter[];
  requestBody?: RequestBody;
  responses: Readonly<Record<string, ResponseObject>>;
  /** Roles that may call it; absent on public operations. */
  'x-roles'?: readonly Role[];
  /** The permission of `PERMISSIONS` the route checks, when it checks one. */
  'x-permission'?: Permission;
}

/** The operations of one path. */
export interface PathItem {
  get?: Operation;
  post?: Operation;
}

/** The document as a whole. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; identifier: string };
  };
  servers: readonly { url: string; description: string }[];
  tags: readonly { name: string; description: string }[];
  security: readonly Readonly<Record<string, readonly string[]>>[];
  paths: Readonly<Record<string, PathItem>>;
  components: {
    securitySchemes: Readonly<Record<string, Readonly<Record<string, string>>>>;
    schemas: Readonly<Record<string, Schema>>;
    responses: Readonly<Record<string, ResponseObject>>;
  };
}

// ---------------------------------------------------------------------
// Building blocks

const ref = (name: string): Schema => ({
  $ref: `#/components/schemas/${name}`,
});
const nullable = (schema: Schema): Schema => ({
  anyOf: [schema, { type: 'null' }],
});
const arrayOf = (schema: Schema): Schema => ({ type: 'array', items: schema });

/** Largest id: the columns are PostgreSQL `integer`. */
const MAX_ID = 2_147_483_647;

/** `validate.ts` `instant()`: an ISO 8601 instant with a zone. */
const INSTANT_PATTERN =
  /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)$/.source;

/** A time the server wrote (`Date.toISOString()`). */
const dateTime: Schema = { type: 'string', format: 'date-time' };

/** A time a client sends: optional, default when the server receives it. */
const instantInput = (what: string, toleranceSeconds = 60): Schema => ({
  type: ['string', 'null'],
  pattern: INSTANT_PATTERN,
  description:
    `${what}: an ISO 8601 instant with a zone (\`Z\` or an offset), ` +
    'e.g. `2026-01-31T14:05:00Z`; seconds and fractions are optional. ' +
    'The pattern checks the form; a date or time that does not exist ' +
    '(February 30, 24:00) or is before the year 1 is `INVALID_TIMESTAMP` ' +
    'too. ' +
    `At most ${toleranceSeconds} s ahead of the server's clock ` +
    '(else `TIMESTAMP_IN_FUTURE`). Absent or null: when received.',
  examples: ['2026-01-31T14:05:00Z'],
});

/** Not blank, and no NUL anywhere (PostgreSQL text cannot hold it). */
const NON_BLANK_PATTERN = '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$';
const NO_NUL_PATTERN = '^[^\\u0000]*$';

/** `validate.ts` `requiredString()`: non-blank, at most `max` long. */
const requiredString = (max: number, description = ''): Schema => ({
  type: 'string',
  minLength: 1,
  maxLength: max,
  pattern: NON_BLANK_PATTERN,
  description: [description, `Not blank, no NUL; at most ${max} characters.`]
    .filter(Boolean)
    .join(' '),
});

/** `validate.ts` `optionalString()`: blank or null means none. */
const optionalString = (max: number, description: string): Schema => ({
  type: ['string', 'null'],
  maxLength: max,
  pattern: NO_NUL_PATTERN,
  description: `${description} At most ${max} characters, no NUL; blank or null: none.`,
});

/** `validate.ts` `id()` for an id in a body. */
const idInput = (what: string, notFound: DispatchErrorCode): Schema => ({
  type: 'integer',
  minimum: 1,
  maximum: MAX_ID,
  description:
    `The ${what}'s id, an integer. Missing or not an integer: ` +
    `\`VALIDATION_FAILED\` (400); an integer of no ${what}: ` +
    `\`${notFound}\` (404).`,
});

const pathId = (what: string, notFound: DispatchErrorCode): Parameter => ({
  name: 'id',
  in: 'path',
  required: true,
  description:
    `The ${what}'s id. An id that cannot exist (not 1 to 10 digits, 0, or past 2147483647) ` +
    `answers \`${notFound}\` like an unknown one.`,
  schema: { type: 'integer', minimum: 1, maximum: 999_999_999 },
});

const queryInstant = (name: 'from' | 'to', what: string): Parameter => ({
  name,
  in: 'query',
  required: false,
  description:
    `${what} (ISO 8601 instant with a zone, e.g. 2026-01-01T00:00:00Z). ` +
    'Malformed: `INVALID_TIMESTAMP`; more than about 31 years ahead: ' +
    '`TIMESTAMP_IN_FUTURE`. Empty: no bound.',
  schema: { type: 'string', pattern: INSTANT_PATTERN },
});

const queryLimit: Parameter = {
  name: 'limit',
  in: 'query',
  required: false,
  description: 'How many rows at most, 1 to 5000 (else `VALIDATION_FAILED`).',
  schema: { type: 'integer', minimum: 1, maximum: 5000, default: 200 },
};

const jsonBody = (name: string, description?: string): RequestBody => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema: ref(name) } },
});

// ---------------------------------------------------------------------
// Errors

/** Every catalogue code, in catalogue order. */
const ERROR_CODES = Object.keys(DISPATCH_ERRORS) as DispatchErrorCode[];

/** A request with a body may fail on it, whatever the route. */
const BODY_ERRORS = [
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_JSON',
  'BODY_TOO_LARGE',
  'VALIDATION_FAILED',
] as const satisfies readonly DispatchErrorCode[];

/** What `authenticate()` answers without a good bearer token. */
const TOKEN_ERRORS = [
  'AUTH_REQUIRED',
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_TOKEN_REVOKED',
] as const satisfies readonly DispatchErrorCode[];

/** Any route that reads or writes the database. */
const SERVER_ERRORS = [
  'STORAGE_UNAVAILABLE',
  'INTERNAL',
] as const satisfies readonly DispatchErrorCode[];

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Not JSON',
  422: 'Not accepted',
  429: 'Too many failed logins',
  500: 'Internal error',
  502: 'Routing failed',
  503: 'Storage unavailable',
};

const BODY_NOTES: Partial<Record<DispatchErrorCode, string>> = {
  UNSUPPORTED_MEDIA_TYPE:
    'a body was sent without `Content-Type: application/json`',
  INVALID_JSON: 'the body is not valid JSON',
  BODY_TOO_LARGE:
    'the body is over `DISPATCH_BODY_LIMIT_BYTES` (64 KiB by default)',
};

/**
 * Error responses for `codes`, one per HTTP status, each naming its codes
 * in the description and in the schema (the `Error` schema narrowed to
 * those codes).
 */
function errorResponses(
  codes: readonly DispatchErrorCode[],
  notes: Partial<Record<DispatchErrorCode, string>>,
): Record<string, ResponseObject> {
  const byStatus = new Map<number, DispatchErrorCode[]>();
  for (const code of ERROR_CODES) {
    if (!codes.includes(code)) continue;
    const status = DISPATCH_ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseObject> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const group = byStatus.get(status) as DispatchErrorCode[];
    const lines = group.map((code) => {
      const meaning =
        notes[code] ?? BODY_NOTES[code] ?? DISPATCH_ERRORS[code].message;
      return `- \`${code}\`: ${meaning}`;
    });
    responses[String(status)] = {
      description: `${STATUS_TEXT[status] ?? 'Error'}.\n\n${lines.join('\n')}`,
      ...(group.includes('AUTH_RATE_LIMITED')
        ? {
            headers: {
              'Retry-After': {
                description: 'Seconds until logins are accepted again.',
                schema: { type: 'integer', minimum: 1 },
              },
            },
          }
        : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              ref('Error'),
              {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    properties: { code: { enum: group } },
                  },
                },
              },
            ],
          },
        },
      },
    };
  }
  return responses;
}

// ---------------------------------------------------------------------
// Operations

interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  /**
   * `public`: no token; `signed-in`: any role with a valid token; else the
   * permission the route's `allow()` checks.
   */
  access: 'public' | 'signed-in' | Permission;
  /** False for the routes that never touch the database. */
  storage?: boolean;
  parameters?: readonly Parameter[];
  requestBody?: RequestBody;
  success: {
    status: number;
    description: string;
    schema?: Schema;
  };
  /** Other answers that are not catalogue errors, by status. */
  otherResponses?: Readonly<Record<string, ResponseObject>>;
  /** Codes of the route itself, beyond the body, token and role checks. */
  errors?: readonly DispatchErrorCode[];
  /** What a code means on this route, when more than the catalogue says. */
  notes?: Partial<Record<DispatchErrorCode, string>>;
}

function roleList(roles: readonly Role[]): string {
  return roles.join(', ');
}

function operation(spec: OperationSpec): Operation {
  const codes: DispatchErrorCode[] = [...BODY_ERRORS];
  let roles: readonly Role[] | undefined;
  let access: string;
  if (spec.access === 'public') {
    access = 'Public: no token needed.';
  } else {
    codes.push(...TOKEN_ERRORS);
    if (spec.access === 'signed-in') {
      roles = ROLES;
      access = `Roles: any signed-in user (${roleList(ROLES)}).`;
    } else {
      roles = PERMISSIONS[spec.access];
      access = `Roles: ${roleList(roles)} (permission \`${spec.access}\`).`;
      if (roles.length < ROLES.length) codes.push('FORBIDDEN');
    }
  }
  codes.push(...(spec.errors ?? []));
  if (spec.storage !== false) codes.push(...SERVER_ERRORS);
  const success: ResponseObject = {
    description: spec.success.description,
    ...(spec.success.schema
      ? { content: { 'application/json': { schema: spec.success.schema } } }
      : {}),
  };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: `${spec.description}\n\n${access}`,
    tags: [spec.tag],
    security: spec.access === 'public' ? [] : [{ bearerAuth: [] }],
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses: {
      [String(spec.success.status)]: success,
      ...spec.otherResponses,
      ...errorResponses(codes, {
        VALIDATION_FAILED:
          'the request is not valid (the message names the field)',
        ...spec.notes,
      }),
    },
    ...(roles ? { 'x-roles': [...roles] } : {}),
    ...(spec.access !== 'public' && spec.access !== 'signed-in'
      ? { 'x-permission': spec.access }
      : {}),
  };
}

// ---------------------------------------------------------------------
// Schemas

const latLon: Schema = {
  type: 'object',
  required: ['lat', 'lon'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
  },
  description:
    'A WGS84 position. In a request, anything else than numbers in range ' +
    'is `INVALID_COORDINATE`; other members are ignored.',
};

const user: Schema = {
  type: 'object',
  required: ['id', 'username', 'role', 'unitId'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    username: { type: 'string' },
    role: { enum: ROLES },
    unitId: {
      type: ['integer', 'null'],
      description: "The crew's unit; null for other roles.",
    },
  },
};

const positionFix: Schema = {
  type: 'object',
  required: ['lat', 'lon', 'at'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    at: { ...dateTime, description: "The device's time of the fix." },
    speedMps: { type: ['number', 'null'] },
    headingDeg: { type: ['number', 'null'] },
    accuracyMeters: { type: ['number', 'null'] },
  },
  description: 'A GPS fix.',
};

/** Why the tracker's filter refuses a fix (`unit-tracker/src/filter.ts`). */
const REJECT_REASONS: Record<RejectReason, string> = {
  invalid_coordinates: '`lat` outside [-90, 90] or `lon` outside [-180, 180]',
  null_island: 'exactly (0, 0), what GPS chips report before their first lock',
  outside_service_area: "outside the city's service area",
  in_future: "more than 60 s ahead of the server's clock",
  duplicate:
    'a fix of the unit at the same device time was already taken (a resend)',
  implausible_jump:
    'implies a move faster than `TRACKER_MAX_SPEED_MPS` (70 m/s) from ' +
    "the unit's latest fix",
  poor_accuracy:
    '`accuracyMeters` worse than `TRACKER_MAX_ACCURACY_METERS` (100 m)',
};

/** Where a fix came in (`unit-tracker/src/fix.ts`). */
const FIX_SOURCES: Record<FixSource, string> = {
  tablet: "the crew tablet's socket (`position`, `positions`)",
  http: '`POST /api/units/{id}/positions`',
  osmand: 'the OsmAnd endpoint (Traccar Client app)',
};

/** A fix's measurement, in `MEASUREMENT_RANGES` (unit-tracker's fix.ts). */
const fixNumber = (
  name: keyof typeof MEASUREMENT_RANGES,
  description: string,
): Schema => {
  const [minimum, maximum] = MEASUREMENT_RANGES[name];
  return {
    type: ['number', 'null'],
    minimum,
    maximum,
    description:
      `${description} Absent or null: unknown. Outside ${minimum} to ` +
      `${maximum}: \`VALIDATION_FAILED\`.`,
  };
};

const positionReport: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['lat', 'lon', 'at'],
  properties: {
    lat: {
      type: 'number',
      description:
        'Degrees. Missing or not a number: `VALIDATION_FAILED`; out of ' +
        '[-90, 90]: read, then refused by the filter (`invalid_coordinates`).',
    },
    lon: {
      type: 'number',
      description:
        'Degrees. Missing or not a number: `VALIDATION_FAILED`; out of ' +
        '[-180, 180]: read, then refused by the filter ' +
        '(`invalid_coordinates`).',
    },
    at: {
      type: 'string',
      pattern: INSTANT_PATTERN,
      description:
        "The device's time of the fix: an ISO 8601 instant with a zone " +
        '(`Z` or an offset), e.g. `2026-01-31T14:05:00Z`; seconds and ' +
        'fractions are optional. Missing, malformed or a date or time that ' +
        'does not exist: `INVALID_TIMESTAMP`. More than 60 s ahead: read, ' +
        'then refused by the filter (`in_future`).',
      examples: ['2026-01-31T14:05:00Z'],
    },
    speedMps: fixNumber('speedMps', 'Ground speed in m/s.'),
    headingDeg: fixNumber('headingDeg', 'Heading in degrees from north.'),
    accuracyMeters: fixNumber(
      'accuracyMeters',
      'Horizontal accuracy in metres; worse than ' +
        '`TRACKER_MAX_ACCURACY_METERS` (100): refused (`poor_accuracy`).',
    ),
    altitudeMeters: fixNumber('altitudeMeters', 'Altitude in metres.'),
    batteryPercent: fixNumber(
      'batteryPercent',
      "The device's battery charge in percent.",
    ),
  },
  description:
    'One GPS fix as a tablet or a gateway sends it. Unknown members are ' +
    'refused (`VALIDATION_FAILED`).',
};

const fixList: Schema = {
  type: 'array',
  items: ref('PositionReport'),
  minItems: 1,
  maxItems: MAX_FIXES_PER_BATCH,
};

const positionBatch: Schema = {
  anyOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['fixes'],
      properties: { fixes: fixList },
    },
    fixList,
  ],
  description:
    `\`{ fixes: [...] }\` or a bare array: 1 to ${MAX_FIXES_PER_BATCH} ` +
    'fixes, in any order (they are judged oldest first). Empty, over ' +
    `${MAX_FIXES_PER_BATCH}, or one fix that cannot be read: the whole ` +
    'batch is refused (`VALIDATION_FAILED` or `INVALID_TIMESTAMP`, the ' +
    'message naming the fix). The body limit (`DISPATCH_BODY_LIMIT_BYTES`, ' +
    '64 KiB by default) holds about 400 fixes with every member.',
};

const rejectTable = Object.entries(REJECT_REASONS)
  .map(([reason, meaning]) => `- \`${reason}\`: ${meaning}`)
  .join('\n');

const fixResult: Schema = {
  anyOf: [
    {
      type: 'object',
      required: ['accepted', 'live'],
      properties: {
        accepted: { type: 'boolean', const: true },
        live: {
          type: 'boolean',
          description:
            "True: the unit's newest fix, which moves it (live state, " +
            '`unit:positions`, ETA, arrival). False: older than its ' +
            'latest, so only into the track.',
        },
      },
    },
    {
      type: 'object',
      required: ['accepted', 'reason'],
      properties: {
        accepted: { type: 'boolean', const: false },
        reason: {
          enum: Object.keys(REJECT_REASONS),
          description:
            'Why the filter refused it (logged; do not resend):\n\n' +
            rejectTable,
        },
      },
    },
  ],
  description: 'The outcome of one fix.',
};

const positionBatchResult: Schema = {
  type: 'object',
  required: ['accepted', 'results'],
  properties: {
    accepted: {
      type: 'integer',
      minimum: 0,
      description: 'How many of the fixes were accepted.',
    },
    results: {
      ...arrayOf(ref('FixResult')),
      description: 'One per fix, in the order sent.',
    },
  },
};

const livePosition: Schema = {
  type: 'object',
  required: [
    'unitId',
    'lat',
    'lon',
    'at',
    'receivedAt',
    'speedMps',
    'headingDeg',
    'accuracyMeters',
    'source',
  ],
  properties: {
    unitId: { type: 'integer', minimum: 1 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    at: { ...dateTime, description: "The device's time of the fix." },
    receivedAt: { ...dateTime, description: 'When the server accepted it.' },
    speedMps: { type: ['number', 'null'] },
    headingDeg: { type: ['number', 'null'] },
    accuracyMeters: { type: ['number', 'null'] },
    source: {
      enum: Object.keys(FIX_SOURCES),
      description: `Where it came in: ${Object.entries(FIX_SOURCES)
        .map(([source, where]) => `\`${source}\`, ${where}`)
        .join('; ')}.`,
    },
  },
  description:
    "A unit's latest accepted position, as the live state holds it " +
    '(the socket event `unit:positions`).',
};

const etaUpdate: Schema = {
  type: 'object',
  required: [
    'unitId',
    'incidentId',
    'etaSeconds',
    'distanceMeters',
    'source',
    'at',
  ],
  properties: {
    unitId: { type: 'integer', minimum: 1 },
    incidentId: { type: 'integer', minimum: 1 },
    etaSeconds: {
      type: ['number', 'null'],
      minimum: 0,
      description: 'Drive time by road; null when unreachable.',
    },
    distanceMeters: { type: ['number', 'null'], minimum: 0 },
    source: { type: 'string', description: 'The routing engine.' },
    at: {
      ...dateTime,
      description: 'Device time of the fix it was computed from.',
    },
  },
  description:
    "A dispatched or en-route unit's drive time to its incident, " +
    'recomputed from its new fixes (the socket event `unit:eta`).',
};

const unit: Schema = {
  type: 'object',
  required: [
    'id',
    'callSign',
    'capability',
    'station',
    'trackerId',
    'status',
    'statusSince',
    'incidentId',
    'lastPosition',
    'stale',
  ],
  properties: {
    id: { type: 'integer', minimum: 1 },
    callSign: { type: 'string' },
    capability: {
      enum: CAPABILITIES,
      description: 'Advanced (ALS) or basic (BLS) life support.',
    },
    station: {
      type: 'object',
      required: ['lat', 'lon', 'name'],
      properties: {
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lon: { type: 'number', minimum: -180, maximum: 180 },
        name: { type: ['string', 'null'] },
      },
    },
    trackerId: { type: ['string', 'null'] },
    status: { enum: UNIT_STATUSES },
    statusSince: { ...dateTime, description: 'When the status began.' },
    incidentId: {
      type: ['integer', 'null'],
      description: 'The incident it is working; null when free.',
    },
    lastPosition: {
      ...nullable(ref('PositionFix')),
      description:
        'Its latest accepted GPS fix (from the live state), whatever its ' +
        'age; null when it never sent one.',
    },
    stale: {
      type: 'boolean',
      description:
        'True when its latest fix is older than ' +
        '`DISPATCH_FIX_FRESH_SECONDS` (60 s, by device time) or it has ' +
        'none: recommendations rank it from its station, consoles grey ' +
        'it out. Consoles get `unit:stale` when a unit goes stale and ' +
        'its next position in `unit:positions` when it is fresh again.',
    },
  },
  description: 'An ambulance and its current state.',
};

const phaseEvent: Schema = {
  type: 'object',
  required: [
    'seq',
    'phase',
    'at',
    'recordedAt',
    'unitId',
    'actor',
    'source',
    'data',
  ],
  properties: {
    seq: { type: 'integer', minimum: 1 },
    phase: { enum: INCIDENT_PHASES },
    at: {
      ...dateTime,
      description: "When it happened (a tablet's own clock for crew events).",
    },
    recordedAt: { ...dateTime, description: 'When the server stored it.' },
    unitId: { type: ['integer', 'null'] },
    actor: {
      type: ['string', 'null'],
      description: 'Username; null for the system.',
    },
    source: { enum: ['intake', 'dispatcher', 'crew', 'gps', 'system'] },
    data: {
      type: 'object',
      description: 'Details, e.g. `{ reason }` of a cancellation.',
    },
  },
  description: "One entry of an incident's append-only phase log.",
};

const intervals: Schema = {
  type: 'object',
  required: [...INTERVAL_NAMES],
  properties: Object.fromEntries(
    INTERVAL_NAMES.map((name) => [
      name,
      { type: ['number', 'null'], minimum: 0 } satisfies Schema,
    ]),
  ),
  description:
    'Seconds, null until measured: callProcessing (received to first ' +
    'dispatched), turnout (dispatched to en route), travel (en route to ' +
    'on scene), response (received to on scene, held against the target).',
};

const incident: Schema = {
  type: 'object',
  required: [
    'id',
    'location',
    'priority',
    'complaint',
    'address',
    'callerPhone',
    'receivedAt',
    'phase',
    'open',
    'unitIds',
    'needsUnit',
    'intervals',
    'targetSeconds',
    'withinTarget',
    'timeline',
  ],
  properties: {
    id: { type: 'integer', minimum: 1 },
    location: ref('LatLon'),
    priority: { enum: PRIORITIES, description: '1 is the most urgent.' },
    complaint: {
      type: ['string', 'null'],
      description: 'Personal data: null for planners.',
    },
    address: { type: ['string', 'null'] },
    callerPhone: {
      type: ['string', 'null'],
      description: 'Personal data: null for planners.',
    },
    receivedAt: dateTime,
    phase: { enum: INCIDENT_PHASES },
    open: {
      type: 'boolean',
      description: 'False once closed or cancelled.',
    },
    unitIds: {
      ...arrayOf({ type: 'integer' }),
      description: 'Units working it now.',
    },
    needsUnit: {
      type: 'boolean',
      description:
        'Open with no unit working it: a new call, or one whose only ' +
        'unit was freed before the scene (phase stays `dispatched`).',
    },
    intervals: ref('IncidentIntervals'),
    targetSeconds: { type: 'integer', minimum: 1 },
    withinTarget: {
      type: ['boolean', 'null'],
      description: 'Response within target; null until a unit is on scene.',
    },
    timeline: arrayOf(ref('PhaseEvent')),
  },
  description: 'An incident; phase and intervals derive from its timeline.',
};

const recommendation: Schema = {
  type: 'object',
  required: [
    'rank',
    'unitId',
    'callSign',
    'capability',
    'reachable',
    'etaSeconds',
    'distanceMeters',
    'rankingSeconds',
    'origin',
    'source',
    'reasons',
  ],
  properties: {
    rank: { type: 'integer', minimum: 1 },
    unitId: { type: 'integer', minimum: 1 },
    callSign: { type: 'string' },
    capability: { enum: CAPABILITIES },
    reachable: { type: 'boolean' },
    etaSeconds: {
      type: ['number', 'null'],
      minimum: 0,
      description:
        'Drive time by road, lights and sirens; null when unreachable ' +
        '(never zero).',
    },
    distanceMeters: { type: ['number', 'null'], minimum: 0 },
    rankingSeconds: {
      type: ['number', 'null'],
      minimum: 0,
      description: "ETA plus the response plan's capability penalty.",
    },
    origin: {
      enum: ['gps', 'station'],
      description: 'From its last fresh GPS fix, or from its station.',
    },
    source: {
      enum: ['embedded', 'osrm'],
      description: 'The routing engine of the ETA.',
    },
    fallbackReason: {
      type: 'string',
      description: 'Why the first routing engine failed, when it did.',
    },
    reasons: {
      ...arrayOf({ type: 'string' }),
      description: 'Why the unit ranks where it does, in plain words.',
    },
  },
  description: 'One line of the ranked list of units for an incident.',
};

const intervalSummary: Schema = {
  type: 'object',
  required: ['count', 'p50', 'p90'],
  properties: {
    count: {
      type: 'integer',
      minimum: 0,
      description: 'Incidents in which the interval was measured.',
    },
    p50: { type: ['number', 'null'], minimum: 0 },
    p90: { type: ['number', 'null'], minimum: 0 },
  },
  description: 'Percentiles of one interval in seconds; null with no data.',
};

const reportProperties: Record<string, Schema> = {
  from: { type: ['string', 'null'], format: 'date-time' },
  to: { type: ['string', 'null'], format: 'date-time' },
  priority: { enum: [...PRIORITIES, null] },
  count: {
    type: 'integer',
    minimum: 0,
    description: 'Incidents received in the period, cancelled ones left out.',
  },
  targetSeconds: { type: 'integer', minimum: 1 },
  withinTargetRatio: {
    type: ['number', 'null'],
    minimum: 0,
    maximum: 1,
    description: 'Share of measured responses at or under the target.',
  },
  intervals: {
    type: 'object',
    required: [...INTERVAL_NAMES],
    properties: Object.fromEntries(
      INTERVAL_NAMES.map((name) => [name, ref('IntervalSummary')]),
    ),
  },
};
const reportRequired = [
  'from',
  'to',
  'priority',
  'count',
  'targetSeconds',
  'withinTargetRatio',
  'intervals',
];

const responseTimeReport: Schema = {
  type: 'object',
  required: reportRequired,
  properties: {
    ...reportProperties,
    byPriority: {
      type: 'object',
      required: PRIORITIES.map(String),
      properties: Object.fromEntries(
        PRIORITIES.map((p) => [String(p), ref('ResponseTimeFigures')]),
      ),
      description: 'The same figures per priority; only without `priority`.',
    },
  },
  description: 'Response-time figures over incidents received in [from, to).',
};

const responseTimeFigures: Schema = {
  type: 'object',
  required: reportRequired,
  properties: reportProperties,
  description: 'The figures of one priority.',
};

const cityPlace: Schema = {
  type: 'object',
  required: ['id', 'name', 'location'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    location: ref('LatLon'),
    emergency: {
      type: 'boolean',
      description: 'Hospitals: whether it takes emergency ambulances.',
    },
    note: { type: 'string' },
  },
};

const city: Schema = {
  type: 'object',
  required: [
    'id',
    'name',
    'country',
    'timeZone',
    'locale',
    'center',
    'serviceArea',
    'targetSeconds',
    'stations',
    'hospitals',
    'tileUrl',
    'tileAttribution',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    tileUrl: {
      type: ['string', 'null'],
      description:
        'XYZ tile URL template (`TILE_URL`); null: draw the offline basemap ' +
        'of `GET /api/basemap`.',
    },
    tileAttribution: {
      type: ['string', 'null'],
      description: 'Attribution to show with the tiles (`TILE_ATTRIBUTION`).',
    },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2.' },
    timeZone: { type: 'string', description: 'IANA time zone.' },
    locale: { type: 'string', description: 'BCP 47 language tag.' },
    center: ref('LatLon'),
    serviceArea: {
      type: 'array',
      items: { type: 'number' },
      minItems: 4,
      maxItems: 4,
      description:
        '[minLon, minLat, maxLon, maxLat]: where calls are accepted.',
    },
    targetSeconds: { type: 'integer', minimum: 1 },
    stations: arrayOf(ref('CityPlace')),
    hospitals: arrayOf(ref('CityPlace')),
  },
  description: 'The city served: what the console draws.',
};

const health: Schema = {
  type: 'object',
  required: ['status', 'storage', 'live', 'tracker', 'routing'],
  properties: {
    status: { enum: ['ok', 'degraded'] },
    storage: {
      type: 'object',
      required: ['kind', 'ok'],
      properties: {
        kind: { enum: ['postgres', 'pglite'] },
        ok: { type: 'boolean' },
      },
    },
    live: {
      type: 'object',
      required: ['kind', 'ok'],
      properties: {
        kind: { enum: ['redis', 'memory'] },
        ok: { type: 'boolean' },
      },
    },
    tracker: {
      type: 'object',
      required: ['written', 'dropped', 'queued', 'osmandPort'],
      properties: {
        written: {
          type: 'integer',
          minimum: 0,
          description: 'Track fixes written to the database since start.',
        },
        dropped: {
          type: 'integer',
          minimum: 0,
          description:
            'Track fixes dropped because the queue was full (the database ' +
            'was down too long).',
        },
        queued: {
          type: 'integer',
          minimum: 0,
          description: 'Track fixes waiting for the next write.',
        },
        osmandPort: {
          type: ['integer', 'null'],
          minimum: 1,
          maximum: 65535,
          description:
            'The port of the OsmAnd (Traccar Client) endpoint; null when ' +
            'it is off (`OSMAND_PORT=off`).',
        },
      },
      description: 'The unit tracker: its track writes and its OsmAnd port.',
    },
    routing: {
      type: 'object',
      required: ['source', 'osrm', 'ok', 'failures', 'coolingDown'],
      properties: {
        source: { enum: ['embedded', 'osrm+embedded'] },
        osrm: { type: 'boolean', description: 'Whether `OSRM_URL` is set.' },
        ok: {
          type: 'boolean',
          description:
            'False while OSRM fails: the embedded router answers instead, ' +
            'each answer flagged with `fallbackReason`.',
        },
        failures: {
          type: 'integer',
          minimum: 0,
          description: 'OSRM failures in a row.',
        },
        coolingDown: {
          type: 'boolean',
          description: 'OSRM is skipped for now after repeated failures.',
        },
      },
    },
  },
  description:
    "This process's view of its dependencies. `degraded` when the " +
    'database, Redis or OSRM fails: without the database writes are ' +
    'refused (`STORAGE_UNAVAILABLE`); without Redis positions stay in ' +
    'this process and events reach only its own sockets; without OSRM ' +
    'the embedded router answers.',
};

const catalogueTable = [
  '| code | status | meaning |',
  '| --- | --- | --- |',
  ...ERROR_CODES.map((code) => {
    const { status, message } = DISPATCH_ERRORS[code];
    return `| \`${code}\` | ${status} | ${message} |`;
  }),
].join('\n');

const errorSchema: Schema = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: {
          type: 'string',
          enum: ERROR_CODES,
          description: `A stable code of the catalogue:\n\n${catalogueTable}`,
        },
        message: {
          type: 'string',
          description: 'What exactly was wrong, for people; not stable.',
        },
      },
    },
  },
  description: 'The body of every 4xx and 5xx answer.',
};

const auditEntry: Schema = {
  type: 'object',
  required: [
    'seq',
    'at',
    'actor',
    'actorRole',
    'action',
    'targetType',
    'targetId',
    'ip',
    'details',
  ],
  properties: {
    seq: { type: 'string', description: 'Sequence number, as a string.' },
    at: dateTime,
    actor: {
      type: ['string', 'null'],
      description: 'Username; null for the system.',
    },
    actorRole: {
      type: ['string', 'null'],
      description: 'The role then, or `system`.',
    },
    action: { type: 'string', examples: ['incident.create'] },
    targetType: { type: ['string', 'null'] },
    targetId: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    details: { type: 'object', description: 'Never personal data.' },
  },
  description: 'One line of the append-only audit trail.',
};

// Request bodies: each mirrors the checks of its route in `routes.ts`.
// Unknown members are refused (`VALIDATION_FAILED`).

const loginRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: requiredString(64, 'Case-insensitive.'),
    password: requiredString(1024),
  },
};

const createUserRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password', 'role'],
  properties: {
    username: {
      type: 'string',
      pattern: '^[A-Za-z0-9._-]{2,64}$',
      description:
        '2-64 letters, digits, ".", "_" or "-"; unique ignoring case.',
    },
    password: {
      type: 'string',
      minLength: MIN_PASSWORD_LENGTH,
      maxLength: 1024,
      pattern: NON_BLANK_PATTERN,
      description: `At least ${MIN_PASSWORD_LENGTH} characters; no NUL.`,
    },
    role: { enum: ROLES },
    unitId: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: MAX_ID,
      description:
        "The crew's unit: required for role crew and only for it " +
        '(`VALIDATION_FAILED`); not a positive integer or no such unit: ' +
        '`UNIT_NOT_FOUND`.',
    },
  },
  if: { required: ['role'], properties: { role: { const: 'crew' } } },
  then: { required: ['unitId'], properties: { unitId: { type: 'integer' } } },
  else: { properties: { unitId: { type: 'null' } } },
};

const createUnitRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['callSign', 'capability', 'station'],
  properties: {
    callSign: requiredString(40, 'Unique ignoring case.'),
    capability: { enum: CAPABILITIES },
    station: ref('LatLon'),
    stationName: optionalString(200, 'The base it starts from.'),
    trackerId: optionalString(100, 'Id of its GPS tracker; unique.'),
  },
};

const unitStatusRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: {
      enum: UNIT_STATUSES,
      description:
        'The new status. `dispatched` comes only from an assignment; while ' +
        'assigned a unit moves forward (skipping allowed) or back to ' +
        '`available` once on scene (a dispatcher may free it any time); a ' +
        'free unit may go out of service and back. Otherwise ' +
        '`STATUS_TRANSITION_INVALID`. The status an assigned unit already ' +
        'has (`on_scene` after GPS recorded the arrival, or the other way ' +
        'round) changes nothing and answers `duplicate: true`.',
    },
    at: instantInput('When it happened (the device clock)'),
    eventId: {
      type: ['string', 'null'],
      pattern: '^[\\w.:-]{1,100}$',
      description:
        'Client-chosen id: a report sent again with the same id is applied ' +
        'once (`duplicate: true`); with another status, `EVENT_ID_CONFLICT`.',
    },
  },
};

const createIncidentRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['location', 'priority'],
  properties: {
    location: {
      ...ref('LatLon'),
      description: "Inside the city's service area (`OUTSIDE_SERVICE_AREA`).",
    },
    priority: {
      enum: PRIORITIES,
      description: '1 (most urgent), 2 or 3; else `INVALID_PRIORITY`.',
    },
    complaint: optionalString(1000, 'What the caller reports.'),
    address: optionalString(300, 'Where, in words.'),
    callerPhone: optionalString(40, "The caller's number."),
    receivedAt: instantInput('When the call came in'),
  },
};

const assignRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['unitId'],
  properties: { unitId: idInput('unit', 'UNIT_NOT_FOUND') },
};

const cancelRequest: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: requiredString(500, 'Why, for the record.') },
};

const loginResponse: Schema = {
  type: 'object',
  required: ['token', 'role', 'user', 'expiresAt'],
  properties: {
    token: {
      type: 'string',
      description: 'Send as `Authorization: Bearer <token>`.',
    },
    role: { enum: ROLES },
    user: ref('User'),
    expiresAt: dateTime,
  },
};

const statusResult: Schema = {
  type: 'object',
  required: ['unit', 'duplicate'],
  properties: {
    unit: ref('Unit'),
    duplicate: {
      type: 'boolean',
      description:
        'True when nothing changed: the eventId had been applied before, ' +
        'or the unit, working an incident, already had that status (e.g. ' +
        'GPS recorded the arrival first). Nothing is logged or announced.',
    },
  },
};

const assignResult: Schema = {
  type: 'object',
  required: ['incident', 'unit'],
  properties: { incident: ref('Incident'), unit: ref('Unit') },
};

// ---------------------------------------------------------------------
// The realtime contract (`src/realtime/contract.ts`), in prose.

const consoleRoles = roleList(PERMISSIONS['console:connect']);
const tabletRoles = roleList(PERMISSIONS['tablet:connect']);

const REALTIME = `## Realtime (socket.io 4)

Two namespaces on this server's origin. Both authenticate in the handshake
with \`auth: { token }\`, the bearer token of \`POST /api/auth/login\`, e.g.
\`io('/console', { auth: { token } })\`. A refused handshake raises
\`connect_error\` whose \`data\` is an \`Error\` body: \`AUTH_REQUIRED\`,
\`AUTH_TOKEN_INVALID\`, \`AUTH_TOKEN_EXPIRED\`, \`AUTH_TOKEN_REVOKED\`,
\`FORBIDDEN\` (a role that may not use the namespace), \`STORAGE_UNAVAILABLE\`
or \`INTERNAL\`. A socket is disconnected when its token is revoked (logout,
\`revoke-tokens\`) or expires (checked every minute).

Every client event takes an acknowledgement callback answered with
\`{ ok: true, ...result }\` or \`{ ok: false, error: { code, message } }\`.

### \`/console\` (${consoleRoles})

Server to client, sent after the change has committed:
- \`incident:created\` (incident: \`Incident\`)
- \`incident:phase\` (incident: \`Incident\`, event: \`PhaseEvent\`)
- \`unit:created\` (unit: \`Unit\`)
- \`unit:status\` (unit: \`Unit\`)
- \`unit:positions\` (positions: \`LivePosition[]\`): the latest positions,
  merged per unit and batched (every 50 ms at most): one entry per unit, its
  newest fix only, whichever way the fix came in
- \`unit:eta\` (update: \`EtaUpdate\`): a dispatched or en-route unit's drive
  time to its incident, recomputed from its new fixes (at most every 5 s per
  unit)
- \`unit:stale\` (unitIds: \`number[]\`): units that have just gone
  \`DISPATCH_FIX_FRESH_SECONDS\` (60) without a fix; they are \`stale: true\`
  until their next position
- \`health\` (health: \`Health\`, as \`GET /healthz\`): on connect and
  whenever the state of the database, Redis or OSRM changes, as the
  connected process sees it; reload a snapshot when it turns \`ok\` again
  (while Redis was down, other processes' events did not reach this one)

With several server processes (\`REDIS_URL\`), every event reaches the
consoles and tablets of every process, once.

Client to server:
- \`snapshot\` -> \`{ incidents: Incident[], units: Unit[], serverTime }\`
  (the open incidents): load it on connect and after a reconnect (missed
  events are replayed after a disconnection of up to two minutes).

Planners get incidents without \`callerPhone\` and \`complaint\` (null).

### \`/tablet\` (${tabletRoles})

A crew account is bound to its unit; everything is about that unit.

Server to client:
- \`assignment\` (\`{ incident: { id, location, priority, address, complaint,
  receivedAt }, route: { geometry (GeoJSON LineString), etaSeconds,
  distanceMeters, source } | null }\`)
- \`assignment:cancelled\` (\`{ incidentId, reason }\`)
- \`unit:status\` (unit: \`Unit\`), also when a dispatcher or GPS changed it
- \`arrival:detected\` (\`{ phase: 'on_scene' | 'at_hospital', at }\`): with
  \`ARRIVAL_MODE=offer\`, GPS puts the unit at its scene or a hospital; the
  crew confirms with \`status\`. (By default, \`ARRIVAL_MODE=record\`, the
  server records the status itself, source \`gps\`, and sends \`unit:status\`.)

Client to server:
- \`snapshot\` -> \`{ unit: Unit, assignment, serverTime }\`, \`assignment\`
  as in the event, or null
- \`status\` (\`{ status, at?, eventId? }\`, a \`UnitStatusRequest\`) ->
  \`StatusResult\`, with the rules and codes of \`POST /api/units/{id}/status\`
- \`assignment:ack\` (\`{ incidentId, at? }\`) -> \`{ duplicate }\`: the crew
  has seen its assignment
- \`position\` (a \`PositionReport\`: \`{ lat, lon, at, speedMps?, headingDeg?,
  accuracyMeters?, altitudeMeters?, batteryPercent? }\`, \`at\` required) ->
  \`{ result: FixResult }\`: judged as by \`POST /api/units/{id}/positions\`; a
  fix that cannot be read is answered \`VALIDATION_FAILED\` or
  \`INVALID_TIMESTAMP\`, one the filter refuses \`{ ok: true, result: {
  accepted: false, reason } }\` (do not resend it)
- \`positions\` (a \`PositionReport[]\` of 1 to ${MAX_FIXES_PER_BATCH}, e.g. the
  queue of a tablet back online, in any order) -> \`{ results: FixResult[] }\`,
  one per fix in the order sent`;

const OSMAND = `## GPS from the Traccar Client app (OsmAnd protocol)

Not a route of this server: a separate plain HTTP listener on \`OSMAND_PORT\`
(default 5055; \`off\` disables it; \`GET /healthz\` reports it as
\`tracker.osmandPort\`) takes fixes in the OsmAnd protocol that the Traccar
Client app (Android, iOS) and OsmAnd speak. In the app, set the server URL to
\`http://<server>:5055\` and the device identifier to the unit's \`trackerId\`.

- No token: the device id (matched exactly against \`trackerId\`) is the only
  credential, so give each phone a long random \`trackerId\`, serve the port
  only behind TLS and keep it off the internet where you can.
- \`GET\` or \`POST\` on any path. Parameters in the query string or a form
  body (\`application/x-www-form-urlencoded\`, merged over the query; the last
  of repeated keys wins, an empty value is absent): \`id\` or \`deviceid\`,
  \`lat\` and \`lon\` (or \`location=lat,lon\`), \`timestamp\` (epoch seconds or
  milliseconds, or ISO 8601, UTC without a zone), \`speed\` (knots),
  \`bearing\` or \`heading\` (degrees), \`altitude\` (m), \`accuracy\` (m),
  \`batt\` (%). Or a JSON body (\`application/json\`, Traccar Client 9+; the
  query is ignored): \`{ device_id, location }\`, \`location\` one object or an
  array of them, \`{ timestamp, coords: { latitude, longitude, speed (m/s),
  heading, altitude, accuracy }, battery: { level (0 to 1) } }\`. A negative
  speed, heading, accuracy or battery means unknown.
- Answers, in plain text: \`200\` \`OK\` when the fixes were taken, including
  fixes the filter refused (logged with their reason; the app must not resend
  them); \`400\` with the reason when the request cannot be read (no or a bad
  device id, coordinates or time; one bad entry refuses a JSON batch);
  \`404\` \`unknown device\` for a device id no unit has (logged); \`405\` for
  another method, \`413\` for a body over 256 KiB, \`503\` when the fix could
  not be taken (send again).
- Each fix goes through the same pipeline as \`POST /api/units/{id}/positions\`
  (filter, track, live state, \`unit:positions\`, ETA, arrival), with source
  \`osmand\`.`;

const DESCRIPTION = `Emergency ambulance dispatch: calls in, the fastest
unit by road drive time out, every phase logged and measured against the
response-time target.

## Conventions

- Sign in with \`POST /api/auth/login\`; send the token as
  \`Authorization: Bearer <token>\` on every other \`/api\` route. Tokens expire
  (12 h by default) and are revoked by logout.
- Bodies are JSON objects (\`Content-Type: application/json\`; a bare array of
  fixes too for \`POST /api/units/{id}/positions\`); unknown members
  are refused with \`VALIDATION_FAILED\`. Any request that carries a body,
  of any method, may be refused with \`UNSUPPORTED_MEDIA_TYPE\`,
  \`INVALID_JSON\` or \`BODY_TOO_LARGE\`; every operation lists these.
- Every 4xx and 5xx answer is \`{ "error": { "code", "message" } }\` with a code
  of the catalogue (the \`Error\` schema); codes are stable. An unknown path
  answers \`ROUTE_NOT_FOUND\` (404); under \`/api\`, once signed in.
- Times are ISO 8601 instants; ids are positive integers.
- \`x-roles\` on an operation lists the roles that may call it; \`x-permission\`
  names the permission checked.

${REALTIME}

${OSMAND}`;

// ---------------------------------------------------------------------
// The document

/**
 * The OpenAPI 3.1 document of every HTTP route: `/api` (routes.ts),
 * `/healthz` and `/api/openapi.json` (app.ts), with roles (`x-roles`),
 * request schemas mirroring the routes' validation, response schemas,
 * and the error codes each operation can answer. `info.description`
 * also describes the socket.io contract and the OsmAnd endpoint of the
 * unit tracker (its own port). Served by `GET /api/openapi.json`.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Ambulance dispatch API',
    version: '0.1.0',
    description: DESCRIPTION,
    license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
  },
  servers: [{ url: '/', description: 'This server' }],
  tags: [
    { name: 'auth', description: 'Sign in and out.' },
    { name: 'users', description: 'Accounts (admin).' },
    {
      name: 'units',
      description: 'The fleet, unit statuses and GPS positions.',
    },
    { name: 'incidents', description: 'Calls, recommendations, assignments.' },
    { name: 'metrics', description: 'Response-time figures.' },
    { name: 'audit', description: 'Who did what (admin).' },
    { name: 'system', description: 'City, health, this document.' },
  ],
  security: [{ bearerAuth: [] }],
  paths: {
    '/healthz': {
      get: operation({
        operationId: 'getHealth',
        summary: 'Health of storage, live state, tracker and routing',
        description:
          '200 while the database answers (status `degraded` when Redis ' +
          'or OSRM does not), 503 when it does not.',
        tag: 'system',
        access: 'public',
        storage: false,
        success: {
          status: 200,
          description: 'Storage is up.',
          schema: ref('Health'),
        },
        otherResponses: {
          '503': {
            description: 'The database does not answer.',
            content: { 'application/json': { schema: ref('Health') } },
          },
        },
      }),
    },
    '/api/openapi.json': {
      get: operation({
        operationId: 'getOpenApi',
        summary: 'This document',
        description: 'The OpenAPI 3.1 description of the API.',
        tag: 'system',
        access: 'public',
        storage: false,
        success: {
          status: 200,
          description: 'The document.',
          schema: { type: 'object' },
        },
      }),
    },
    '/api/auth/login': {
      post: operation({
        operationId: 'login',
        summary: 'Sign in: username and password for a bearer token',
        description:
          'Attempts count per username and per client address, before ' +
          'the password is checked, until one succeeds; past the limit ' +
          '(`DISPATCH_LOGIN_MAX_FAILURES` in `DISPATCH_LOGIN_WINDOW_SECONDS`) ' +
          'every attempt for either is refused until the window ends, ' +
          'right password or not.',
        tag: 'auth',
        access: 'public',
        requestBody: jsonBody('LoginRequest'),
        success: {
          status: 200,
          description: 'Signed in.',
          schema: ref('LoginResponse'),
        },
        errors: ['AUTH_BAD_CREDENTIALS', 'AUTH_RATE_LIMITED'],
      }),
    },
    '/api/auth/logout': {
      post: operation({
        operationId: 'logout',
        summary: 'Sign out: revoke this token',
        description:
          'Revokes the token of the request and closes its sockets. No ' +
          'body needed (one sent is not read).',
        tag: 'auth',
        access: 'signed-in',
        success: { status: 204, description: 'Signed out.' },
      }),
    },
    '/api/auth/me': {
      get: operation({
        operationId: 'getMe',
        summary: 'Who the token belongs to',
        description: 'The signed-in user.',
        tag: 'auth',
        access: 'signed-in',
        success: { status: 200, description: 'The user.', schema: ref('User') },
      }),
    },
    '/api/city': {
      get: operation({
        operationId: 'getCity',
        summary: 'The city served',
        description:
          'Name, zone, centre, service area, target, stations and hospitals.',
        tag: 'system',
        access: 'signed-in',
        success: { status: 200, description: 'The city.', schema: ref('City') },
      }),
    },
    '/api/basemap': {
      get: operation({
        operationId: 'getBasemap',
        summary: 'The road network, for the offline basemap',
        description:
          'Every routable road of the city as a GeoJSON FeatureCollection ' +
          'of LineStrings (coordinates to 5 decimals), with properties ' +
          '`name` and `speedKph` (free-flow car speed, for line weight). ' +
          'The console draws it when no `TILE_URL` is set, so it works ' +
          'with no internet. Map data © OpenStreetMap contributors (ODbL).',
        tag: 'system',
        access: 'signed-in',
        success: {
          status: 200,
          description: 'The roads.',
          schema: {
            type: 'object',
            required: ['type', 'features'],
            properties: {
              type: { const: 'FeatureCollection' },
              features: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'geometry', 'properties'],
                  properties: {
                    type: { const: 'Feature' },
                    geometry: {
                      type: 'object',
                      required: ['type', 'coordinates'],
                      properties: {
                        type: { const: 'LineString' },
                        coordinates: {
                          type: 'array',
                          items: {
                            type: 'array',
                            items: { type: 'number' },
                            minItems: 2,
                            maxItems: 2,
                          },
                        },
                      },
                    },
                    properties: {
                      type: 'object',
                      required: ['name', 'speedKph'],
                      properties: {
                        name: { type: 'string' },
                        speedKph: { type: 'number', minimum: 0 },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      }),
    },
    '/api/places/search': {
      get: operation({
        operationId: 'searchPlaces',
        summary: 'Search streets and crossings of the city',
        description:
          'Streets (named highways of the bundled OSM extract) whose name ' +
          'matches `q` word by word, each word a prefix of a word of the ' +
          'name, ignoring case and accents, with common abbreviations ' +
          'expanded (`Av.`, `R.`, `Calle`...): "av ipiranga" finds ' +
          '"Avenida Ipiranga". Two streets joined by `&`, `y`, `e`, `and`, ' +
          '`com`, `con` or `esquina` ("Ipiranga & Azenha") find their ' +
          'crossings first; "Ipiranga &" lists the crossings of one. ' +
          'A name used in two parts of town is two streets. No online ' +
          'geocoder is involved. No match is an empty list.',
        tag: 'system',
        access: 'incidents:write',
        storage: false,
        parameters: [
          {
            name: 'q',
            in: 'query',
            required: true,
            description:
              '1 to 100 characters with a letter or digit (else ' +
              '`PLACE_QUERY_INVALID`).',
            schema: { type: 'string', minLength: 1, maxLength: 100 },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'Most places, 1 to 50 (else `VALIDATION_FAILED`).',
            schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
          },
        ],
        success: {
          status: 200,
          description: 'The places, best first.',
          schema: {
            type: 'object',
            required: ['query', 'places'],
            additionalProperties: false,
            properties: {
              query: { type: 'string' },
              places: arrayOf({
                type: 'object',
                required: ['kind', 'name', 'location'],
                properties: {
                  kind: { enum: ['street', 'crossing'] },
                  name: {
                    type: 'string',
                    description: 'A street, or "Street A & Street B".',
                  },
                  location: {
                    ...ref('LatLon'),
                    description:
                      'A point on the street near its middle, or the ' +
                      'shared node of the crossing.',
                  },
                  bbox: {
                    type: 'array',
                    items: { type: 'number' },
                    minItems: 4,
                    maxItems: 4,
                    description: 'Streets: [minLon, minLat, maxLon, maxLat].',
                  },
                  lengthMeters: { type: 'number', minimum: 0 },
                  near: {
                    type: 'array',
                    items: { type: 'string' },
                    maxItems: 2,
                    description:
                      'Streets whose name recurs elsewhere in town: the ' +
                      'longest streets crossing this stretch, which tell ' +
                      'the stretches apart.',
                  },
                  streets: {
                    type: 'array',
                    items: { type: 'string' },
                    minItems: 2,
                    maxItems: 2,
                    description: 'Crossings: the two streets.',
                  },
                },
              }),
            },
          },
        },
        errors: ['PLACE_QUERY_INVALID', 'VALIDATION_FAILED'],
      }),
    },
    '/api/coverage': {
      get: operation({
        operationId: 'getCoverage',
        summary: 'Live coverage: road reachable in time by available units',
        description:
          'The road pieces that the nearest available unit reaches within ' +
          '`seconds` (default the response target, 180), each unit from ' +
          'its last fresh GPS fix or its station, with the emergency ' +
          'speed factor. Recomputed at most every 2 s. The console draws ' +
          'it as the live 3-minute coverage map.',
        tag: 'incidents',
        access: 'incidents:read',
        parameters: [
          {
            name: 'seconds',
            in: 'query',
            required: false,
            description:
              'Drive time limit, 10 to 1800 (else `VALIDATION_FAILED`).',
            schema: { type: 'integer', minimum: 10, maximum: 1800 },
          },
        ],
        success: {
          status: 200,
          description: 'The reachable road.',
          schema: {
            type: 'object',
            required: ['withinSeconds', 'units', 'lengthMeters', 'lines'],
            additionalProperties: false,
            properties: {
              withinSeconds: { type: 'integer' },
              units: {
                type: 'integer',
                minimum: 0,
                description: 'Available units it starts from.',
              },
              lengthMeters: {
                type: 'number',
                minimum: 0,
                description: 'Road reachable in time, each road once.',
              },
              lines: {
                type: 'array',
                description: 'Pieces of road, each a list of [lon, lat].',
                items: {
                  type: 'array',
                  items: {
                    type: 'array',
                    items: { type: 'number' },
                    minItems: 2,
                    maxItems: 2,
                  },
                },
              },
            },
          },
        },
      }),
    },
    '/api/users': {
      get: operation({
        operationId: 'listUsers',
        summary: 'List users',
        description: 'Every user, by username.',
        tag: 'users',
        access: 'users:admin',
        success: {
          status: 200,
          description: 'The users.',
          schema: arrayOf(ref('User')),
        },
      }),
      post: operation({
        operationId: 'createUser',
        summary: 'Create a user',
        description:
          'A crew user must name its unit (`unitId`); other roles must not.',
        tag: 'users',
        access: 'users:admin',
        requestBody: jsonBody('CreateUserRequest'),
        success: { status: 201, description: 'Created.', schema: ref('User') },
        errors: ['VALIDATION_FAILED', 'UNIT_NOT_FOUND', 'USERNAME_TAKEN'],
        notes: {
          VALIDATION_FAILED: '`unitId` is missing or not an integer',
          UNIT_NOT_FOUND: '`unitId` is of no unit',
        },
      }),
    },
    '/api/users/{username}/revoke-tokens': {
      post: operation({
        operationId: 'revokeUserTokens',
        summary: 'Revoke every live token of a user',
        description:
          "Signs the user out everywhere and closes the user's sockets. No " +
          'body needed (one sent is not read).',
        tag: 'users',
        access: 'users:admin',
        parameters: [
          {
            name: 'username',
            in: 'path',
            required: true,
            description: 'The username, ignoring case.',
            schema: { type: 'string' },
          },
        ],
        success: {
          status: 200,
          description: 'How many tokens were revoked.',
          schema: ref('RevokeResult'),
        },
        errors: ['USER_NOT_FOUND'],
      }),
    },
    '/api/units': {
      get: operation({
        operationId: 'listUnits',
        summary: 'List units',
        description: 'Every unit with its current state, by call sign.',
        tag: 'units',
        access: 'units:read',
        success: {
          status: 200,
          description: 'The units.',
          schema: arrayOf(ref('Unit')),
        },
      }),
      post: operation({
        operationId: 'createUnit',
        summary: 'Add a unit',
        description: 'The new unit is available at its station.',
        tag: 'units',
        access: 'units:write',
        requestBody: jsonBody('CreateUnitRequest'),
        success: { status: 201, description: 'Created.', schema: ref('Unit') },
        errors: [
          'VALIDATION_FAILED',
          'INVALID_COORDINATE',
          'CALL_SIGN_TAKEN',
          'TRACKER_ID_TAKEN',
        ],
        notes: { INVALID_COORDINATE: '`station` is not a position in range' },
      }),
    },
    '/api/units/{id}': {
      get: operation({
        operationId: 'getUnit',
        summary: 'One unit',
        description: 'The unit with its current state.',
        tag: 'units',
        access: 'units:read',
        parameters: [pathId('unit', 'UNIT_NOT_FOUND')],
        success: { status: 200, description: 'The unit.', schema: ref('Unit') },
        errors: ['UNIT_NOT_FOUND'],
      }),
    },
    '/api/units/{id}/status': {
      post: operation({
        operationId: 'reportUnitStatus',
        summary: "Report a unit's status",
        description:
          "A crew's button or a dispatcher's correction. Appends to the " +
          "unit's log and, while it works an incident, the matching phase " +
          "to the incident's log. Going available after the scene releases " +
          "the unit; when it was the incident's last unit, the incident " +
          'closes. A crew may report only for its own unit. GPS arrival ' +
          'detection reports `on_scene` and `at_hospital` the same way ' +
          '(source `gps`); the crew pressing the button as well is a ' +
          'duplicate.',
        tag: 'units',
        access: 'units:status',
        parameters: [pathId('unit', 'UNIT_NOT_FOUND')],
        requestBody: jsonBody('UnitStatusRequest'),
        success: {
          status: 200,
          description:
            'Applied, or a duplicate (`duplicate: true`): the same ' +
            '`eventId` again, or the status the assigned unit already has.',
          schema: ref('StatusResult'),
        },
        errors: [
          'VALIDATION_FAILED',
          'INVALID_TIMESTAMP',
          'TIMESTAMP_IN_FUTURE',
          'TIMESTAMP_BEFORE_PREVIOUS',
          'NOT_OWN_UNIT',
          'UNIT_NOT_FOUND',
          'STATUS_TRANSITION_INVALID',
          'EVENT_ID_CONFLICT',
        ],
        notes: {
          TIMESTAMP_BEFORE_PREVIOUS: '`at` is before the current status began',
        },
      }),
    },
    '/api/units/{id}/positions': {
      post: operation({
        operationId: 'reportUnitPositions',
        summary: "Send a batch of a unit's GPS fixes",
        description:
          'For a tablet without its socket, or a gateway relaying trackers. ' +
          'Every fix goes through the unit tracker, as from the tablet ' +
          "socket or the OsmAnd endpoint: the tracker's filter judges " +
          'each, oldest first; an accepted fix goes into the track (written ' +
          'in batches after the answer) and, when it is the newest, moves ' +
          'the unit in the live state and goes to the consoles ' +
          '(`unit:positions`), ETA updates and arrival detection. A ' +
          'refused fix is logged with its reason and answered in ' +
          '`results`, not as an error: do not resend it. Only a body that ' +
          'cannot be read is refused as a whole. A crew may send only for ' +
          'its own unit (`NOT_OWN_UNIT`, checked first); an admin for any.',
        tag: 'units',
        access: 'units:positions',
        parameters: [pathId('unit', 'UNIT_NOT_FOUND')],
        requestBody: jsonBody('PositionBatch'),
        success: {
          status: 200,
          description: 'Judged: one result per fix.',
          schema: ref('PositionBatchResult'),
        },
        errors: [
          'VALIDATION_FAILED',
          'INVALID_TIMESTAMP',
          'NOT_OWN_UNIT',
          'UNIT_NOT_FOUND',
        ],
        notes: {
          VALIDATION_FAILED:
            `not a batch of 1 to ${MAX_FIXES_PER_BATCH} fixes, or a fix is ` +
            'not an object, has an unknown member, or lacks a number ' +
            '`lat` or `lon` (the message names the fix)',
          INVALID_TIMESTAMP:
            "a fix's `at` is missing, malformed or not a real date and time",
          UNIT_NOT_FOUND: 'no such unit (checked after the body)',
        },
      }),
    },
    '/api/incidents': {
      get: operation({
        operationId: 'listIncidents',
        summary: 'List incidents',
        description:
          'Incidents received in [from, to), newest first, with timelines.',
        tag: 'incidents',
        access: 'incidents:read',
        parameters: [
          {
            name: 'open',
            in: 'query',
            required: false,
            description:
              '`true`: open incidents only; `false`: closed or cancelled ' +
              'only; absent: all. ' +
              'Anything else: `VALIDATION_FAILED`.',
            schema: { type: 'boolean' },
          },
          queryInstant('from', 'Received at or after'),
          queryInstant('to', 'Received before'),
          queryLimit,
        ],
        success: {
          status: 200,
          description: 'The incidents.',
          schema: arrayOf(ref('Incident')),
        },
        errors: [
          'VALIDATION_FAILED',
          'INVALID_TIMESTAMP',
          'TIMESTAMP_IN_FUTURE',
        ],
      }),
      post: operation({
        operationId: 'createIncident',
        summary: 'Take a call',
        description:
          'Stores the incident and its `received` event before answering. ' +
          'With auto-dispatch on (`DISPATCH_AUTO_DISPATCH`), a priority-1 ' +
          'call gets the top-ranked unit at once; if that fails the call ' +
          'stays queued for a dispatcher.',
        tag: 'incidents',
        access: 'incidents:write',
        requestBody: jsonBody('CreateIncidentRequest'),
        success: {
          status: 201,
          description: 'Stored.',
          schema: ref('Incident'),
        },
        errors: [
          'VALIDATION_FAILED',
          'INVALID_COORDINATE',
          'INVALID_PRIORITY',
          'INVALID_TIMESTAMP',
          'TIMESTAMP_IN_FUTURE',
          'OUTSIDE_SERVICE_AREA',
        ],
        notes: {
          INVALID_COORDINATE: '`location` is not a position in range',
          TIMESTAMP_IN_FUTURE: '`receivedAt` is more than 60 s ahead',
        },
      }),
    },
    '/api/incidents/nearby': {
      get: operation({
        operationId: 'nearbyIncidents',
        summary: 'Open incidents near a point: likely duplicate calls',
        description:
          'Open incidents within `DISPATCH_DUPLICATE_METERS` (default 200) ' +
          'of the point, received in the last `DISPATCH_DUPLICATE_MINUTES` ' +
          '(default 30), nearest first (PostGIS `ST_DWithin` on ' +
          'geography). The console asks as a call is placed, before it ' +
          'is created, and warns the dispatcher. Read from the records, so ' +
          'a call just taken at another desk counts at once.',
        tag: 'incidents',
        access: 'incidents:write',
        parameters: [
          {
            name: 'lat',
            in: 'query',
            required: true,
            description: 'Latitude, -90 to 90 (else `INVALID_COORDINATE`).',
            schema: { type: 'number', minimum: -90, maximum: 90 },
          },
          {
            name: 'lon',
            in: 'query',
            required: true,
            description: 'Longitude, -180 to 180 (else `INVALID_COORDINATE`).',
            schema: { type: 'number', minimum: -180, maximum: 180 },
          },
        ],
        success: {
          status: 200,
          description: 'The nearby open incidents, nearest first.',
          schema: {
            type: 'object',
            required: ['withinMeters', 'withinMinutes', 'incidents'],
            additionalProperties: false,
            properties: {
              withinMeters: { type: 'integer', minimum: 1 },
              withinMinutes: { type: 'integer', minimum: 1 },
              incidents: arrayOf({
                type: 'object',
                required: ['incident', 'distanceMeters'],
                additionalProperties: false,
                properties: {
                  incident: ref('Incident'),
                  distanceMeters: { type: 'integer', minimum: 0 },
                },
              }),
            },
          },
        },
        errors: ['INVALID_COORDINATE'],
      }),
    },
    '/api/incidents/{id}': {
      get: operation({
        operationId: 'getIncident',
        summary: 'One incident',
        description: 'The incident with its timeline.',
        tag: 'incidents',
        access: 'incidents:read',
        parameters: [pathId('incident', 'INCIDENT_NOT_FOUND')],
        success: {
          status: 200,
          description: 'The incident.',
          schema: ref('Incident'),
        },
        errors: ['INCIDENT_NOT_FOUND'],
      }),
    },
    '/api/incidents/{id}/recommendations': {
      get: operation({
        operationId: 'recommendUnits',
        summary: 'Available units ranked by drive time',
        description:
          "Available units ranked by road drive time from each unit's last " +
          "fresh GPS fix (else its station), plus the response plan's " +
          'capability penalty for the priority. Units without a drive come ' +
          'last, never with zero seconds. Empty for a closed incident.',
        tag: 'incidents',
        access: 'incidents:write',
        parameters: [pathId('incident', 'INCIDENT_NOT_FOUND')],
        success: {
          status: 200,
          description: 'The ranked list, best first.',
          schema: arrayOf(ref('Recommendation')),
        },
        errors: ['INCIDENT_NOT_FOUND', 'ROUTING_FAILED'],
      }),
    },
    '/api/incidents/{id}/route': {
      get: operation({
        operationId: 'unitRoute',
        summary: 'The drive of a unit to an incident, with its line',
        description:
          'The road route from where the ranking starts the unit (its ' +
          'fresh GPS fix, else its station) to the incident, with its ' +
          'GeoJSON geometry, drive time and distance: the line the ' +
          'console draws for a recommendation or an assigned unit. ' +
          '`route` is null when no road leads there.',
        tag: 'incidents',
        access: 'incidents:write',
        parameters: [
          pathId('incident', 'INCIDENT_NOT_FOUND'),
          {
            name: 'unitId',
            in: 'query',
            required: true,
            description:
              'The unit (absent: `VALIDATION_FAILED`; unknown: ' +
              '`UNIT_NOT_FOUND`).',
            schema: { type: 'integer', minimum: 1 },
          },
        ],
        success: {
          status: 200,
          description: 'The route, or null.',
          schema: {
            type: 'object',
            required: ['incidentId', 'unitId', 'origin', 'route'],
            additionalProperties: false,
            properties: {
              incidentId: { type: 'integer' },
              unitId: { type: 'integer' },
              origin: {
                type: 'object',
                required: ['kind', 'location'],
                properties: {
                  kind: { enum: ['gps', 'station'] },
                  location: ref('LatLon'),
                },
              },
              route: {
                type: ['object', 'null'],
                required: [
                  'geometry',
                  'etaSeconds',
                  'distanceMeters',
                  'source',
                ],
                properties: {
                  geometry: {
                    type: 'object',
                    required: ['type', 'coordinates'],
                    properties: {
                      type: { const: 'LineString' },
                      coordinates: {
                        type: 'array',
                        items: { type: 'array', items: { type: 'number' } },
                      },
                    },
                  },
                  etaSeconds: { type: 'integer', minimum: 0 },
                  distanceMeters: { type: 'integer', minimum: 0 },
                  source: { type: 'string' },
                },
              },
            },
          },
        },
        errors: [
          'VALIDATION_FAILED',
          'INCIDENT_NOT_FOUND',
          'UNIT_NOT_FOUND',
          'ROUTING_FAILED',
        ],
      }),
    },
    '/api/incidents/{id}/assign': {
      post: operation({
        operationId: 'assignUnit',
        summary: 'Send a unit',
        description:
          'Assigns an available unit to an open incident, transactionally: ' +
          'of two dispatchers sending the same unit at once, one gets ' +
          "`UNIT_NOT_AVAILABLE`. The crew's tablet is told.",
        tag: 'incidents',
        access: 'incidents:write',
        parameters: [pathId('incident', 'INCIDENT_NOT_FOUND')],
        requestBody: jsonBody('AssignRequest'),
        success: {
          status: 200,
          description: 'Assigned.',
          schema: ref('AssignResult'),
        },
        errors: [
          'VALIDATION_FAILED',
          'INCIDENT_NOT_FOUND',
          'UNIT_NOT_FOUND',
          'INCIDENT_CLOSED',
          'UNIT_ALREADY_ASSIGNED',
          'UNIT_NOT_AVAILABLE',
        ],
        notes: {
          VALIDATION_FAILED: '`unitId` is missing or not an integer',
          UNIT_NOT_FOUND: '`unitId` is of no unit',
        },
      }),
    },
    '/api/incidents/{id}/cancel': {
      post: operation({
        operationId: 'cancelIncident',
        summary: 'Cancel an incident',
        description:
          'Cancels an open incident; its units become available and their ' +
          'tablets are told.',
        tag: 'incidents',
        access: 'incidents:write',
        parameters: [pathId('incident', 'INCIDENT_NOT_FOUND')],
        requestBody: jsonBody('CancelRequest'),
        success: {
          status: 200,
          description: 'Cancelled.',
          schema: ref('Incident'),
        },
        errors: ['VALIDATION_FAILED', 'INCIDENT_NOT_FOUND', 'INCIDENT_CLOSED'],
      }),
    },
    '/api/metrics/response-times': {
      get: operation({
        operationId: 'getResponseTimes',
        summary: 'Response-time figures',
        description:
          'Percentiles of each interval and the share within target over ' +
          'incidents received in [from, to); cancelled incidents are left ' +
          'out. Without `priority`, also the figures per priority.',
        tag: 'metrics',
        access: 'metrics:read',
        parameters: [
          queryInstant('from', 'Received at or after'),
          queryInstant('to', 'Received before'),
          {
            name: 'priority',
            in: 'query',
            required: false,
            description: 'Only this priority; else `INVALID_PRIORITY`.',
            schema: { type: 'integer', enum: PRIORITIES },
          },
        ],
        success: {
          status: 200,
          description: 'The figures.',
          schema: ref('ResponseTimeReport'),
        },
        errors: [
          'INVALID_PRIORITY',
          'INVALID_TIMESTAMP',
          'TIMESTAMP_IN_FUTURE',
        ],
      }),
    },
    '/api/audit': {
      get: operation({
        operationId: 'listAudit',
        summary: 'The audit trail',
        description: 'The latest entries, newest first.',
        tag: 'audit',
        access: 'users:admin',
        parameters: [queryLimit],
        success: {
          status: 200,
          description: 'The entries.',
          schema: arrayOf(ref('AuditEntry')),
        },
        errors: ['VALIDATION_FAILED'],
      }),
    },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'The token of `POST /api/auth/login`.',
      },
    },
    schemas: {
      LatLon: latLon,
      Incident: incident,
      IncidentIntervals: intervals,
      PhaseEvent: phaseEvent,
      Unit: unit,
      PositionFix: positionFix,
      PositionReport: positionReport,
      PositionBatch: positionBatch,
      FixResult: fixResult,
      PositionBatchResult: positionBatchResult,
      LivePosition: livePosition,
      EtaUpdate: etaUpdate,
      Recommendation: recommendation,
      ResponseTimeReport: responseTimeReport,
      ResponseTimeFigures: responseTimeFigures,
      IntervalSummary: intervalSummary,
      User: user,
      City: city,
      CityPlace: cityPlace,
      Health: health,
      AuditEntry: auditEntry,
      Error: errorSchema,
      LoginRequest: loginRequest,
      LoginResponse: loginResponse,
      CreateUserRequest: createUserRequest,
      RevokeResult: {
        type: 'object',
        required: ['revoked'],
        properties: { revoked: { type: 'integer', minimum: 0 } },
      },
      CreateUnitRequest: createUnitRequest,
      UnitStatusRequest: unitStatusRequest,
      StatusResult: statusResult,
      CreateIncidentRequest: createIncidentRequest,
      AssignRequest: assignRequest,
      AssignResult: assignResult,
      CancelRequest: cancelRequest,
    },
    responses: {
      RouteNotFound: errorResponses(['ROUTE_NOT_FOUND'], {
        ROUTE_NOT_FOUND:
          'no such route (under `/api`, answered once signed in)',
      })['404'] as ResponseObject,
    },
  },
};
