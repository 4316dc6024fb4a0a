/**
 * The dispatch server's error catalogue. Every 4xx and 5xx body is
 * `{ "error": { "code", "message" } }` with a code from here. Codes are
 * stable: a retired code is never reused. `status` is the HTTP status.
 * The OpenAPI document lists the same codes (a test keeps them in step).
 */
export const DISPATCH_ERRORS = {
  INVALID_JSON: { status: 400, message: 'the body is not valid JSON' },
  VALIDATION_FAILED: { status: 400, message: 'the request is not valid' },
  INVALID_COORDINATE: {
    status: 400,
    message: 'expected lat in [-90, 90] and lon in [-180, 180]',
  },
  INVALID_PRIORITY: {
    status: 400,
    message: 'expected priority 1 (highest), 2 or 3',
  },
  INVALID_TIMESTAMP: {
    status: 400,
    message: 'expected an ISO 8601 instant with a time zone',
  },
  TIMESTAMP_IN_FUTURE: {
    status: 422,
    message: 'the time is in the future',
  },
  TIMESTAMP_BEFORE_PREVIOUS: {
    status: 422,
    message: 'the time is before the previous phase',
  },
  PLACE_QUERY_INVALID: {
    status: 400,
    message: 'expected q: 1 to 100 characters with a letter or digit',
  },
  OUTSIDE_SERVICE_AREA: {
    status: 422,
    message: "the location is outside the city's service area",
  },
  BODY_TOO_LARGE: { status: 413, message: 'the body is too large' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'expected Content-Type: application/json',
  },
  AUTH_REQUIRED: {
    status: 401,
    message: 'expected an Authorization: Bearer token',
  },
  AUTH_TOKEN_INVALID: { status: 401, message: 'the token is not valid' },
  AUTH_TOKEN_EXPIRED: { status: 401, message: 'the token has expired' },
  AUTH_TOKEN_REVOKED: { status: 401, message: 'the token was revoked' },
  AUTH_BAD_CREDENTIALS: {
    status: 401,
    message: 'unknown user or wrong password',
  },
  AUTH_RATE_LIMITED: {
    status: 429,
    message: 'too many failed logins; wait before trying again',
  },
  FORBIDDEN: { status: 403, message: 'your role may not do this' },
  NOT_OWN_UNIT: {
    status: 403,
    message: 'a crew may act only for its own unit',
  },
  ROUTE_NOT_FOUND: { status: 404, message: 'no such route' },
  UNIT_NOT_FOUND: { status: 404, message: 'no such unit' },
  INCIDENT_NOT_FOUND: { status: 404, message: 'no such incident' },
  USER_NOT_FOUND: { status: 404, message: 'no such user' },
  UNIT_NOT_AVAILABLE: {
    status: 409,
    message: 'the unit is not available',
  },
  UNIT_ALREADY_ASSIGNED: {
    status: 409,
    message: 'the unit is already assigned to this incident',
  },
  INCIDENT_CLOSED: {
    status: 409,
    message: 'the incident is closed or cancelled',
  },
  STATUS_TRANSITION_INVALID: {
    status: 409,
    message: 'that status cannot follow the current one',
  },
  EVENT_ID_CONFLICT: {
    status: 409,
    message: 'the eventId was already used for a different change',
  },
  CALL_SIGN_TAKEN: { status: 409, message: 'the call sign is taken' },
  TRACKER_ID_TAKEN: { status: 409, message: 'the tracker id is taken' },
  USERNAME_TAKEN: { status: 409, message: 'the username is taken' },
  STORAGE_UNAVAILABLE: {
    status: 503,
    message: 'the database is unavailable; nothing was stored',
  },
  ROUTING_FAILED: {
    status: 502,
    message: 'drive times could not be computed',
  },
  INTERNAL: { status: 500, message: 'internal error' },
} as const;

export type DispatchErrorCode = keyof typeof DISPATCH_ERRORS;

/** A failure with a stable code; the original failure kept as `cause`. */
export class DispatchError extends Error {
  readonly code: DispatchErrorCode;
  readonly status: number;
  /** Extra headers for the HTTP answer, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * @param code a code of {@link DISPATCH_ERRORS}
   * @param detail what exactly was wrong; the catalogue's text when absent
   */
  constructor(
    code: DispatchErrorCode,
    detail?: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(detail ?? DISPATCH_ERRORS[code].message, options);
    this.name = 'DispatchError';
    this.code = code;
    this.status = DISPATCH_ERRORS[code].status;
    this.headers = options?.headers ?? {};
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: { code: DispatchErrorCode; message: string };
}

/** The body a client sees for `error`. */
export function errorBody(error: DispatchError): ErrorBody {
  return { error: { code: error.code, message: error.message } };
}
