/**
 * Times as CAD exports write them: local wall-clock dates and times, no
 * offset. They are turned into instants in the agency's time zone, so
 * intervals across a daylight-saving change come out right.
 */

/** A local date and time of day, as written in an export. */
export interface WallClock {
  year: number;
  /** 1-12. */
  month: number;
  /** 1-31. */
  day: number;
  /** Seconds since local midnight, 0 to 86,399. */
  secondsOfDay: number;
}

/** How dates (and date-times) are written: see {@link parseDateTime}. */
export type DateFormat =
  /** `M/D/YY` or `M/D/YYYY`, optional `h:mm[:ss]` and optional AM/PM. */
  | 'us'
  /** `YYYY-MM-DD`, optional `T` or space then `HH:MM[:SS]`. */
  | 'iso-local';

const US =
  /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])[Mm])?)?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/**
 * Parses a date with an optional time of day; undefined when it does not
 * match the format or names an impossible date or time.
 */
export function parseDateTime(
  text: string,
  format: DateFormat,
): WallClock | undefined {
  const t = text.trim();
  let year: number, month: number, day: number;
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (format === 'us') {
    const m = US.exec(t);
    if (!m) return undefined;
    month = Number(m[1]);
    day = Number(m[2]);
    year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 70 ? 2000 : 1900;
    if (m[4] !== undefined) {
      hour = Number(m[4]);
      minute = Number(m[5]);
      second = Number(m[6] ?? 0);
      const meridiem = m[7]?.toLowerCase();
      if (meridiem !== undefined) {
        if (hour < 1 || hour > 12) return undefined;
        hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
      }
    }
  } else {
    const m = ISO.exec(t);
    if (!m) return undefined;
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
    hour = Number(m[4] ?? 0);
    minute = Number(m[5] ?? 0);
    second = Number(m[6] ?? 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return { year, month, day, secondsOfDay: hour * 3600 + minute * 60 + second };
}

/** `hh:mm:ss` (24-hour clock) as seconds since midnight, else undefined. */
export function parseClock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 59) return undefined;
  return h * 3600 + min * 60 + s;
}

/**
 * The instant at which clocks in `timeZone` showed `wall`, plus
 * `extraDays`. In the hour a clock skips (spring forward) the answer is
 * one hour later; in the hour it repeats, the first of the two.
 */
export function zonedInstant(
  wall: WallClock,
  timeZone: string,
  extraDays = 0,
): Date {
  const asUtc =
    Date.UTC(wall.year, wall.month - 1, wall.day + extraDays) +
    wall.secondsOfDay * 1000;
  // The zone's offset at the guess, then again at the corrected instant,
  // which differs only near a daylight-saving change.
  let instant = asUtc - offsetMs(asUtc, timeZone);
  const second = asUtc - offsetMs(instant, timeZone);
  if (second !== instant) instant = Math.min(instant, second);
  return new Date(instant);
}

const formats = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Offset of `timeZone` from UTC at `utcMs`, cached per zone and hour. */
function offsetMs(utcMs: number, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(utcMs / 3_600_000)}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour! % 24,
    parts.minute!,
    parts.second!,
  );
  const offset = local - (utcMs - (utcMs % 1000));
  offsets.set(key, offset);
  return offset;
}

/** The hour of day (0-23) of `at` on the wall clock of `timeZone`. */
export function wallHour(at: Date, timeZone: string): number {
  const ms = at.getTime();
  return new Date(ms + offsetMs(ms, timeZone)).getUTCHours();
}

/** The date (`YYYY-MM-DD`) of `at` on the wall clock of `timeZone`. */
export function wallDate(at: Date, timeZone: string): string {
  const ms = at.getTime();
  return new Date(ms + offsetMs(ms, timeZone)).toISOString().slice(0, 10);
}
