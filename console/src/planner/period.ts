/**
 * Calendar periods in the city's time zone: the planner picks whole days
 * (`YYYY-MM-DD`, the `to` day included) and the server is asked for the
 * instants `[from 00:00, day after to 00:00)` on the city's wall clock.
 * No DOM here.
 */

/** A calendar day `YYYY-MM-DD`. */
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partFormats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of `at` in `timeZone`. */
function wallClock(at: Date, timeZone: string) {
  const fields: Record<string, number> = {};
  for (const part of partFormat(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 0,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: (fields.hour ?? 0) % 24,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** Milliseconds `timeZone` is ahead of UTC at the instant `at`. */
function offsetMs(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(
    w.year,
    w.month - 1,
    w.day,
    w.hour,
    w.minute,
    w.second,
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

function parseDay(day: Day): [number, number, number] {
  const match = DAY.exec(day);
  if (!match) throw new Error(`expected a day YYYY-MM-DD, got ${day}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Whether `text` is a real calendar day `YYYY-MM-DD`. */
export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const [y, m, d] = parseDay(text);
  const date = new Date(Date.UTC(y, m - 1, d));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === m - 1 &&
    date.getUTCDate() === d
  );
}

/** The calendar day of `at` on the wall clock of `timeZone`. */
export function dayInZone(at: Date, timeZone: string): Day {
  const w = wallClock(at, timeZone);
  return [
    String(w.year).padStart(4, '0'),
    String(w.month).padStart(2, '0'),
    String(w.day).padStart(2, '0'),
  ].join('-');
}

/** `day` moved by `days` calendar days. */
export function addDays(day: Day, days: number): Day {
  const [y, m, d] = parseDay(day);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The instant the wall clock of `timeZone` shows 00:00 on `day` (or the
 * first instant of that day when a DST change skips midnight).
 */
export function startOfDay(day: Day, timeZone: string): Date {
  const [y, m, d] = parseDay(day);
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle the offset across a DST change near midnight.
  let instant = guess - offsetMs(new Date(guess), timeZone);
  instant = guess - offsetMs(new Date(instant), timeZone);
  // A skipped midnight lands on the day before: step to the next day's part.
  if (dayInZone(new Date(instant), timeZone) !== day) {
    instant += 60 * 60 * 1000;
  }
  return new Date(instant);
}

/** A period of whole days on the city's wall clock, `to` included. */
export interface DayPeriod {
  from: Day;
  to: Day;
}

/** The last 7 days, today included, on the wall clock of `timeZone`. */
export function lastDays(now: Date, timeZone: string, days = 7): DayPeriod {
  const to = dayInZone(now, timeZone);
  return { from: addDays(to, -(days - 1)), to };
}

/**
 * The instants to ask the server for: `[from 00:00, day after to 00:00)`
 * on the wall clock of `timeZone`, as ISO strings.
 * @throws Error when a day is not a real date or `to` is before `from`
 */
export function periodInstants(
  period: DayPeriod,
  timeZone: string,
): { from: string; to: string } {
  if (!isDay(period.from)) throw new Error(`from: ${period.from} is not a day`);
  if (!isDay(period.to)) throw new Error(`to: ${period.to} is not a day`);
  if (period.to < period.from) throw new Error('to: before from');
  return {
    from: startOfDay(period.from, timeZone).toISOString(),
    to: startOfDay(addDays(period.to, 1), timeZone).toISOString(),
  };
}
