import { DispatchError, type DispatchErrorCode } from './errors.ts';
import { PRIORITIES, type Priority } from './policy/index.ts';

/**
 * Small checks for request bodies. Each names the field and what was
 * expected, so a 400 tells the client exactly what to fix.
 */

/** Longest piece of a client's value that a message quotes. */
const QUOTE_MAX = 40;

/**
 * A client's value as a message quotes it: JSON, cut to a few dozen
 * characters. A message names what was wrong; it does not echo kilobytes
 * back, and nesting too deep for `JSON.stringify` (which recurses, where
 * `JSON.parse` does not) must not turn a 400 into a 500.
 */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'nothing';
  } catch {
    text = Array.isArray(value) ? 'a deeply nested array' : 'a deep object';
  }
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text;
}

/** The body as an object, or VALIDATION_FAILED. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DispatchError('VALIDATION_FAILED', 'expected a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Refuses fields the endpoint does not know (a typo must not pass). */
export function onlyFields(
  body: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        `unknown field ${quote(key)}; expected ${allowed.join(', ')}`,
      );
    }
  }
}

export function requiredString(
  body: Record<string, unknown>,
  field: string,
  maxLength = 200,
): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DispatchError(
      'VALIDATION_FAILED',
      `${field}: expected a non-empty string`,
    );
  }
  return checkLength(field, value, maxLength);
}

export function optionalString(
  body: Record<string, unknown>,
  field: string,
  maxLength = 500,
): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new DispatchError('VALIDATION_FAILED', `${field}: expected a string`);
  }
  return value.trim() === '' ? null : checkLength(field, value, maxLength);
}

function checkLength(field: string, value: string, maxLength: number) {
  // PostgreSQL text cannot hold NUL; refuse it here as the client's error.
  if (value.includes('\u0000')) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      `${field}: must not contain NUL characters`,
    );
  }
  if (value.length > maxLength) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      `${field}: expected at most ${maxLength} characters`,
    );
  }
  return value;
}

/** A `{ lat, lon }` object with numbers in range. */
export function latLon(value: unknown, field: string) {
  if (typeof value !== 'object' || value === null) {
    throw new DispatchError(
      'INVALID_COORDINATE',
      `${field}: expected { lat, lon }`,
    );
  }
  const { lat, lon } = value as { lat?: unknown; lon?: unknown };
  if (
    typeof lat !== 'number' ||
    typeof lon !== 'number' ||
    !Number.isFinite(lat) ||
    !Number.isFinite(lon) ||
    lat < -90 ||
    lat > 90 ||
    lon < -180 ||
    lon > 180
  ) {
    throw new DispatchError(
      'INVALID_COORDINATE',
      `${field}: expected lat in [-90, 90] and lon in [-180, 180]`,
    );
  }
  return { lat, lon };
}

export function priority(value: unknown): Priority {
  if (!(PRIORITIES as readonly unknown[]).includes(value)) {
    throw new DispatchError(
      'INVALID_PRIORITY',
      `priority: expected 1, 2 or 3, got ${quote(value)}`,
    );
  }
  return value as Priority;
}

/** Largest id the database's `integer` columns hold. */
const MAX_ID = 2_147_483_647;

/**
 * A record id from a path segment or a body field. A path segment that
 * names no possible record is "not found"; a body field that is missing
 * or not an integer is a malformed request; a body integer that no record
 * can have (0, negative, past the column's range) is "not found".
 */
export function id(
  value: unknown,
  field: string,
  notFound: DispatchErrorCode,
  from: 'path' | 'body' = 'body',
): number {
  if (from === 'path') {
    const n =
      typeof value === 'string' && /^\d{1,10}$/.test(value)
        ? Number(value)
        : NaN;
    if (!(n >= 1 && n <= MAX_ID)) {
      throw new DispatchError(
        notFound,
        `${field}: no such id ${quote(String(value))}`,
      );
    }
    return n;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      `${field}: expected an integer id, got ${quote(value)}`,
    );
  }
  if (value < 1 || value > MAX_ID) {
    throw new DispatchError(notFound, `${field}: no such id ${value}`);
  }
  return value;
}

/** 0001-01-01T00:00:00Z: the first instant the API takes. */
const FIRST_INSTANT_MS = Date.parse('0001-01-01T00:00:00Z');

/**
 * An optional ISO 8601 instant with a zone (`Z` or an offset); default
 * `now`. Refused when more than `futureToleranceSeconds` ahead of now
 * (device clocks drift a little, never minutes).
 */
export function instant(
  value: unknown,
  field: string,
  now: Date,
  futureToleranceSeconds = 60,
): Date {
  if (value === undefined || value === null) return now;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)$/.test(
      value,
    )
  ) {
    throw new DispatchError(
      'INVALID_TIMESTAMP',
      `${field}: expected an ISO 8601 instant such as 2026-01-31T14:05:00Z`,
    );
  }
  const date = new Date(value);
  // Year 0 and before: JavaScript takes them (1 BC...), PostgreSQL's
  // timestamptz refuses the ISO text of them, which would fail a write.
  if (
    Number.isNaN(date.getTime()) ||
    date.getTime() < FIRST_INSTANT_MS ||
    !realCalendarTime(value)
  ) {
    throw new DispatchError(
      'INVALID_TIMESTAMP',
      `${field}: ${value} is not a real date and time`,
    );
  }
  if (date.getTime() > now.getTime() + futureToleranceSeconds * 1000) {
    throw new DispatchError(
      'TIMESTAMP_IN_FUTURE',
      `${field}: ${value} is in the future`,
    );
  }
  return date;
}

/** An optional client-chosen event id that makes a repeated send a no-op. */
export function eventId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^[\w.:-]{1,100}$/.test(value)) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      'eventId: expected 1-100 letters, digits, "_", "-", "." or ":"',
    );
  }
  return value;
}

/**
 * Whether the date and time fields of an ISO string exist: `Date` rolls
 * February 30 over into March instead of refusing it.
 */
function realCalendarTime(value: string): boolean {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?/.exec(value);
  if (!match) return false;
  const [y, m, d, hh, mm, ss] = match.slice(1).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
  return (
    m! >= 1 &&
    m! <= 12 &&
    d! >= 1 &&
    d! <= daysInMonth &&
    hh! <= 23 &&
    mm! <= 59 &&
    ss! <= 59
  );
}
