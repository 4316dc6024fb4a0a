import {
  inMeasurementRange,
  MEASUREMENT_RANGES,
  type Fix,
  type Measurement,
} from '@dispatch/unit-tracker';

import { DispatchError } from '../errors.ts';
import * as v from '../validate.ts';

/** Most fixes in one batch (a tablet's queue after a long outage). */
export const MAX_FIXES_PER_BATCH = 1000;

const FIELDS = [
  'lat',
  'lon',
  'at',
  'speedMps',
  'headingDeg',
  'accuracyMeters',
  'altitudeMeters',
  'batteryPercent',
];

/**
 * Reads one fix of a tablet or an HTTP batch. What is not a fix at all (a
 * string for a number, no time) is refused here; a readable fix with bad
 * values (out of range, (0, 0), outside the city) goes on to the tracker's
 * filter, which refuses it with its reason and logs it.
 * @throws DispatchError `VALIDATION_FAILED`, `INVALID_TIMESTAMP`
 */
export function readFix(value: unknown, field: string): Fix {
  const body = v.objectBody(value);
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) {
      throw new DispatchError(
        'VALIDATION_FAILED',
        `${field}: unknown field ${key}; expected ${FIELDS.join(', ')}`,
      );
    }
  }
  if (body.at === undefined || body.at === null) {
    throw new DispatchError(
      'INVALID_TIMESTAMP',
      `${field}.at: required (the device's time of the fix)`,
    );
  }
  return {
    lat: number(body.lat, `${field}.lat`, true) as number,
    lon: number(body.lon, `${field}.lon`, true) as number,
    // The filter refuses fixes too far ahead, with its own reason.
    at: v.instant(body.at, `${field}.at`, new Date(), Infinity),
    speedMps: measurement(body, 'speedMps', field),
    headingDeg: measurement(body, 'headingDeg', field),
    accuracyMeters: measurement(body, 'accuracyMeters', field),
    altitudeMeters: measurement(body, 'altitudeMeters', field),
    batteryPercent: measurement(body, 'batteryPercent', field),
  };
}

/** An optional measurement of a fix, in its range. */
function measurement(
  body: Record<string, unknown>,
  name: Measurement,
  field: string,
): number | null {
  const value = number(body[name], `${field}.${name}`);
  const [min, max] = MEASUREMENT_RANGES[name];
  if (value !== null && !inMeasurementRange(name, value)) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      `${field}.${name}: expected ${min} to ${max}`,
    );
  }
  return value;
}

/** A batch: `{ fixes: [...] }` or a bare array. */
export function readFixBatch(value: unknown): Fix[] {
  let list: unknown = value;
  if (!Array.isArray(value)) {
    const body = v.objectBody(value);
    v.onlyFields(body, ['fixes']);
    list = body.fixes;
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      'fixes: expected a non-empty array of fixes',
    );
  }
  if (list.length > MAX_FIXES_PER_BATCH) {
    throw new DispatchError(
      'VALIDATION_FAILED',
      `fixes: at most ${MAX_FIXES_PER_BATCH} per batch`,
    );
  }
  return list.map((fix, i) => readFix(fix, `fixes[${i}]`));
}

function number(value: unknown, field: string, required = false) {
  if (value === undefined || value === null) {
    if (!required) return null;
    throw new DispatchError('VALIDATION_FAILED', `${field}: required`);
  }
  if (typeof value !== 'number') {
    throw new DispatchError('VALIDATION_FAILED', `${field}: expected a number`);
  }
  return value;
}
