import {
  inMeasurementRange,
  MEASUREMENT_RANGES,
  type Fix,
  type Measurement,
} from './fix.ts';

/** One position report of one device, read from an OsmAnd request. */
export interface OsmandReport {
  /** The device's identifier as sent (`id`/`deviceid`, or JSON `device_id`). */
  deviceId: string;
  fix: Fix;
}

/** What {@link parseOsmand} made of a request: reports, or why not. */
export type OsmandParse =
  { ok: true; reports: OsmandReport[] } | { ok: false; reason: string };

/** Metres per second in one knot. */
const MPS_PER_KNOT = 0.514444;
/** Epoch values above this are milliseconds; at or below, seconds. */
const EPOCH_MS_THRESHOLD = 1e11;
const MAX_DEVICE_ID_CHARS = 100;

/**
 * Printable words separated by plain spaces: no control, format or
 * unassigned characters, no other whitespace, nothing leading or trailing.
 */
const DEVICE_ID = /^[^\p{C}\p{Z}]+(?: +[^\p{C}\p{Z}]+)*$/u;
/**
 * A decimal number. The exponent is allowed because Java and Kotlin print
 * small doubles that way (Traccar Client Android sends `speed=1.0E-4`).
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
/** `yyyy-MM-dd[T ]HH:mm[:ss[.fff]][Z|±HH[:mm]]`; no zone means UTC. */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Thrown by the helpers below, caught only in {@link parseOsmand}. */
class Unreadable extends Error {}

/**
 * Reads one OsmAnd request as the Traccar Client app (Android/iOS) or the
 * OsmAnd app sends it. Pure: no I/O, no clock.
 *
 * - Query or form parameters: `id`/`deviceid`, `lat`+`lon` or
 *   `location=lat,lon`, `timestamp` (epoch s or ms, or ISO 8601),
 *   `speed` (knots), `bearing`/`heading` (deg), `altitude` (m),
 *   `accuracy` (m), `batt` (%). A form body
 *   (`application/x-www-form-urlencoded`) is merged over the query; the
 *   body is ignored for any other content type. An empty value counts as
 *   absent; of repeated keys the last wins.
 * - `application/json` (Traccar Client 9+): `{ location, device_id }`
 *   with `location` one object or an array of them (a batch, read in
 *   order; one unreadable entry refuses the whole batch). The query is
 *   ignored.
 *
 * Negative speed, heading, accuracy or battery mean "unknown" and become
 * null. Only what cannot be read is refused: (0,0), future or very old
 * times pass, for the tracker's filter to judge.
 *
 * @param query the URL's query string (without '?')
 * @param body the raw request body (may be empty)
 * @param contentType the Content-Type header value, or undefined
 */
export function parseOsmand(
  query: string,
  body: string,
  contentType: string | undefined,
): OsmandParse {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  try {
    if (mediaType === 'application/json') {
      return { ok: true, reports: fromJson(body) };
    }
    const form = mediaType === 'application/x-www-form-urlencoded';
    return { ok: true, reports: [fromParams(query, form ? body : '')] };
  } catch (error) {
    if (error instanceof Unreadable)
      return { ok: false, reason: error.message };
    throw error;
  }
}

function fromParams(query: string, formBody: string): OsmandReport {
  const params = new Map<string, string>();
  for (const source of [query, formBody]) {
    for (const [key, value] of new URLSearchParams(source)) {
      params.set(key, value);
    }
  }
  const get = (key: string): string | undefined => params.get(key) || undefined;

  const deviceId = checkDeviceId(get('id') ?? get('deviceid'));
  let latText = get('lat');
  let lonText = get('lon');
  const location = get('location');
  if (latText === undefined && lonText === undefined && location) {
    const parts = location.split(',');
    if (parts.length !== 2) throw new Unreadable('invalid location');
    [latText, lonText] = parts;
  }
  const lat = coordinate(decimal(latText, 'lat'), 'lat', 90);
  const lon = coordinate(decimal(lonText, 'lon'), 'lon', 180);
  const timestamp = get('timestamp');
  if (timestamp === undefined) throw new Unreadable('missing timestamp');
  const speedKnots = unknownIfNegative(decimal(get('speed'), 'speed'));

  return {
    deviceId,
    fix: measurementsInRange({
      lat,
      lon,
      at: parseTime(timestamp),
      speedMps: speedKnots === null ? null : speedKnots * MPS_PER_KNOT,
      headingDeg: unknownIfNegative(
        decimal(get('bearing') ?? get('heading'), 'heading'),
      ),
      altitudeMeters: decimal(get('altitude'), 'altitude') ?? null,
      accuracyMeters: unknownIfNegative(decimal(get('accuracy'), 'accuracy')),
      batteryPercent: unknownIfNegative(decimal(get('batt'), 'battery')),
    }),
  };
}

function fromJson(body: string): OsmandReport[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new Unreadable('invalid JSON');
  }
  if (!isRecord(doc)) throw new Unreadable('invalid JSON');
  const deviceId = checkDeviceId(doc.device_id);
  const { location } = doc;
  if (location === undefined || location === null) {
    throw new Unreadable('missing location');
  }
  if (!Array.isArray(location)) return [{ deviceId, fix: jsonFix(location) }];
  return location.map((entry: unknown, index) => {
    try {
      return { deviceId, fix: jsonFix(entry) };
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      throw new Unreadable(`location[${index}]: ${error.message}`);
    }
  });
}

function jsonFix(location: unknown): Fix {
  if (!isRecord(location)) throw new Unreadable('invalid location');
  const coords = isRecord(location.coords) ? location.coords : {};
  const lat = coordinate(jsonNumber(coords.latitude, 'lat'), 'lat', 90);
  const lon = coordinate(jsonNumber(coords.longitude, 'lon'), 'lon', 180);
  const { timestamp } = location;
  if (timestamp === undefined || timestamp === null || timestamp === '') {
    throw new Unreadable('missing timestamp');
  }
  const at =
    typeof timestamp === 'string'
      ? parseTime(timestamp)
      : fromEpoch(jsonNumber(timestamp, 'timestamp'));
  const level = isRecord(location.battery)
    ? unknownIfNegative(jsonNumber(location.battery.level, 'battery'))
    : null;

  return measurementsInRange({
    lat,
    lon,
    at,
    speedMps: unknownIfNegative(jsonNumber(coords.speed, 'speed')),
    headingDeg: unknownIfNegative(jsonNumber(coords.heading, 'heading')),
    altitudeMeters: jsonNumber(coords.altitude, 'altitude') ?? null,
    accuracyMeters: unknownIfNegative(jsonNumber(coords.accuracy, 'accuracy')),
    batteryPercent: level === null ? null : level * 100,
  });
}

/**
 * The fix with each measurement outside {@link MEASUREMENT_RANGES} set to
 * unknown. A tablet's fix with such a value is refused (it can be told
 * why), but Traccar Client cannot be told: a refusal would have it resend
 * the report forever, and the position itself is still good.
 */
function measurementsInRange(fix: Fix): Fix {
  const checked = { ...fix };
  for (const name of Object.keys(MEASUREMENT_RANGES) as Measurement[]) {
    const value = checked[name];
    if (typeof value === 'number' && !inMeasurementRange(name, value)) {
      checked[name] = null;
    }
  }
  return checked;
}

function checkDeviceId(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new Unreadable('missing device id');
  }
  if (
    typeof value !== 'string' ||
    Array.from(value).length > MAX_DEVICE_ID_CHARS ||
    !DEVICE_ID.test(value)
  ) {
    throw new Unreadable('invalid device id');
  }
  return value;
}

/** A query/form number, or undefined when absent. */
function decimal(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) {
    throw new Unreadable(`invalid ${name}`);
  }
  return value;
}

/** A JSON number, or undefined when absent or null. */
function jsonNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Unreadable(`invalid ${name}`);
  }
  return value;
}

function coordinate(
  value: number | undefined,
  name: 'lat' | 'lon',
  limit: number,
): number {
  if (value === undefined) throw new Unreadable(`missing ${name}`);
  if (Math.abs(value) > limit) throw new Unreadable(`${name} out of range`);
  return value;
}

function unknownIfNegative(value: number | undefined): number | null {
  return value === undefined || value < 0 ? null : value;
}

/** Epoch seconds or milliseconds, or an ISO 8601 time (UTC if no zone). */
function parseTime(text: string): Date {
  return DECIMAL.test(text)
    ? fromEpoch(decimal(text, 'timestamp'))
    : fromIso(text);
}

function fromEpoch(value: number | undefined): Date {
  if (value === undefined) throw new Unreadable('missing timestamp');
  return validDate(value > EPOCH_MS_THRESHOLD ? value : value * 1000);
}

function fromIso(text: string): Date {
  const match = ISO_TIME.exec(text);
  if (!match) throw new Unreadable('invalid timestamp');
  const [, year, month, day, hour, minute, second = '00'] = match;
  const millis = (match[7] ?? '').padEnd(3, '0').slice(0, 3);
  const wallClock = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const utc = Date.parse(`${wallClock}.${millis}Z`);
  // Date.parse rolls 02-30 over to 03-02 and 24:00 to the next day.
  if (
    Number.isNaN(utc) ||
    new Date(utc).toISOString().slice(0, 19) !== wallClock
  ) {
    throw new Unreadable('invalid timestamp');
  }
  return validDate(utc - zoneOffsetMinutes(match[8]) * 60_000);
}

/** Minutes east of UTC for `Z`, `±HH`, `±HHmm` or `±HH:mm`. */
function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) throw new Unreadable('invalid timestamp');
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

function validDate(epochMs: number): Date {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) throw new Unreadable('invalid timestamp');
  return date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
