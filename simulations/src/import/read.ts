import type { LatLon } from '@dispatch/routing';
import type { Priority } from '@dispatch/server/policy';

import { parseCsv, type CsvRecord } from './csv.ts';
import { ImportError } from './errors.ts';
import type { ExportMapping, ImportPhase } from './mapping.ts';
import {
  parseClock,
  parseDateTime,
  wallDate,
  wallHour,
  zonedInstant,
  type WallClock,
} from './times.ts';

/** Why a row was left out. Stable names: tests and reports rely on them. */
export type SkipReason =
  /** The row has more or fewer fields than the header. */
  | 'wrong_field_count'
  /** The call id column is empty. */
  | 'no_call_id'
  /** A `call-per-row` file repeats a call id. */
  | 'duplicate_call'
  /** The date column (clock layouts) is not a date. */
  | 'bad_date'
  /** A time value is not a time of the mapping's format. */
  | 'bad_time'
  /** A unit list entry is not `UNIT=time`. */
  | 'bad_unit_list'
  /** No phase has a time: nothing to measure. */
  | 'no_times'
  /** The location column is not `(lat, lon)`. */
  | 'bad_location';

export const SKIP_REASONS: readonly SkipReason[] = [
  'wrong_field_count',
  'no_call_id',
  'duplicate_call',
  'bad_date',
  'bad_time',
  'bad_unit_list',
  'no_times',
  'bad_location',
];

/** A row left out, with where and why. */
export interface SkippedRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  reason: SkipReason;
  /** Which column and value, for a person to check. */
  detail: string;
}

/** One phase time of one unit. */
export interface ImportedEvent {
  phase: ImportPhase;
  at: Date;
  unit: string;
}

/** A call of the export, in the dispatch model's terms. */
export interface ImportedCall {
  id: string;
  /** Line of its (first) row. */
  line: number;
  /** Priority 1-3, null when the export's value maps to none. */
  priority: Priority | null;
  /** The raw priority value, for the report's "unprioritised" list. */
  priorityValue: string;
  /** Hour of day (agency's wall clock) of the earliest phase time. */
  hour: number;
  /** Its date on the agency's wall clock (`YYYY-MM-DD`). */
  date: string;
  /** The earliest phase time. */
  firstAt: Date;
  events: ImportedEvent[];
  location?: LatLon;
}

/** Answer of {@link readExport}. */
export interface ImportResult {
  /** Data rows in the file (the header not counted). */
  rowsRead: number;
  calls: ImportedCall[];
  skipped: Record<SkipReason, number>;
  /** The first three skipped rows of each reason. */
  skippedExamples: SkippedRow[];
}

/**
 * Reads a CAD export's CSV text through a mapping. A malformed row is
 * skipped and counted under its reason, never thrown.
 * @throws ImportError `IMPORT_FILE_INVALID` when the file is empty or its
 *   header lacks a column the mapping names
 */
export function readExport(text: string, mapping: ExportMapping): ImportResult {
  const [header, ...rows] = parseCsv(text);
  if (!header)
    throw new ImportError('IMPORT_FILE_INVALID', 'the file is empty');
  const columns = columnIndex(header, mapping);
  const skipped = Object.fromEntries(
    SKIP_REASONS.map((reason) => [reason, 0]),
  ) as Record<SkipReason, number>;
  const skippedExamples: SkippedRow[] = [];
  const skip = (row: CsvRecord, reason: SkipReason, detail: string) => {
    skipped[reason] += 1;
    if (skipped[reason] <= 3) {
      skippedExamples.push({ line: row.line, reason, detail });
    }
  };
  const calls = new Map<string, ImportedCall>();
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      skip(
        row,
        'wrong_field_count',
        `${row.fields.length} fields, the header has ${header.fields.length}`,
      );
      continue;
    }
    const read = readRow(row, columns, mapping);
    if ('reason' in read) {
      skip(row, read.reason, read.detail);
      continue;
    }
    const known = calls.get(read.id);
    if (known && mapping.layout === 'call-per-row') {
      skip(row, 'duplicate_call', `call ${read.id} also on line ${known.line}`);
      continue;
    }
    if (known) {
      known.events.push(...read.events);
      if (read.firstAt < known.firstAt) {
        known.firstAt = read.firstAt;
        known.hour = read.hour;
      }
      known.location ??= read.location;
    } else calls.set(read.id, read);
  }
  return {
    rowsRead: rows.length,
    calls: [...calls.values()],
    skipped,
    skippedExamples,
  };
}

type Columns = {
  callId: number;
  unitId: number | undefined;
  phases: [ImportPhase, number][];
  date: number | undefined;
  priority: number | undefined;
  location: number | undefined;
};

function columnIndex(header: CsvRecord, mapping: ExportMapping): Columns {
  const names = header.fields.map((f) => f.trim());
  const at = (name: string) => {
    const index = names.indexOf(name);
    if (index < 0) {
      throw new ImportError(
        'IMPORT_FILE_INVALID',
        `no column "${name}" for format ${mapping.id}; the header has: ${names.join(', ')}`,
      );
    }
    return index;
  };
  const optional = (name: string | undefined) =>
    name === undefined ? undefined : at(name);
  return {
    callId: at(mapping.callId),
    unitId: optional(mapping.unitId),
    phases: Object.entries(mapping.phases).map(
      ([phase, column]) => [phase as ImportPhase, at(column)] as const,
    ) as [ImportPhase, number][],
    date:
      mapping.time.kind === 'clock' ? at(mapping.time.dateColumn) : undefined,
    priority: optional(mapping.priority?.column),
    location: optional(mapping.location),
  };
}

type RowProblem = { reason: SkipReason; detail: string };

function readRow(
  row: CsvRecord,
  columns: Columns,
  mapping: ExportMapping,
): ImportedCall | RowProblem {
  const value = (index: number | undefined): string | undefined => {
    if (index === undefined) return undefined;
    const text = (row.fields[index] ?? '').trim();
    return text === '' || mapping.nullValues.includes(text) ? undefined : text;
  };
  const id = value(columns.callId);
  if (id === undefined) {
    return { reason: 'no_call_id', detail: `empty ${mapping.callId}` };
  }
  const events =
    mapping.layout === 'call-per-row'
      ? unitListEvents(value, columns, mapping)
      : unitRowEvents(value, columns, mapping);
  if ('reason' in events) return events;
  if (events.length === 0) {
    return { reason: 'no_times', detail: `call ${id} has no phase time` };
  }
  let location: LatLon | undefined;
  const locationText = value(columns.location);
  if (locationText !== undefined) {
    location = parseLatLon(locationText);
    if (location === undefined) {
      return {
        reason: 'bad_location',
        detail: `${mapping.location}: ${JSON.stringify(locationText)} is not (lat, lon)`,
      };
    }
  }
  const priorityValue = value(columns.priority) ?? '';
  const firstAt = new Date(Math.min(...events.map((e) => e.at.getTime())));
  return {
    id,
    line: row.line,
    priority: priorityOf(priorityValue, mapping),
    priorityValue,
    hour: wallHour(firstAt, mapping.timeZone),
    date: wallDate(firstAt, mapping.timeZone),
    firstAt,
    events,
    ...(location && { location }),
  };
}

/** `UNIT=hh:mm:ss, ...` lists, dated by the date column, with roll-over. */
function unitListEvents(
  value: (index: number | undefined) => string | undefined,
  columns: Columns,
  mapping: ExportMapping,
): ImportedEvent[] | RowProblem {
  const time = mapping.time;
  if (time.kind !== 'clock' || !mapping.unitList) {
    throw new ImportError(
      'IMPORT_FILE_INVALID',
      `format ${mapping.id}: a call-per-row layout needs clock times and a unitList syntax`,
    );
  }
  const dateText = value(columns.date) ?? '';
  const date: WallClock | undefined = parseDateTime(dateText, time.dateFormat);
  if (date === undefined) {
    return {
      reason: 'bad_date',
      detail: `${time.dateColumn}: ${JSON.stringify(dateText)}`,
    };
  }
  const { separator, pairSeparator } = mapping.unitList;
  const entries: { phase: ImportPhase; unit: string; clock: number }[] = [];
  for (const [phase, index] of columns.phases) {
    const list = value(index);
    if (list === undefined) continue;
    for (const raw of list.split(separator)) {
      const entry = raw.trim();
      const cut = entry.indexOf(pairSeparator);
      const unit = cut > 0 ? entry.slice(0, cut).trim() : '';
      if (unit === '') {
        return {
          reason: 'bad_unit_list',
          detail: `${mapping.phases[phase]}: ${JSON.stringify(entry)} is not UNIT${pairSeparator}hh:mm:ss`,
        };
      }
      const clock = parseClock(entry.slice(cut + pairSeparator.length));
      if (clock === undefined) {
        return {
          reason: 'bad_time',
          detail: `${mapping.phases[phase]}: ${JSON.stringify(entry)} has no valid hh:mm:ss`,
        };
      }
      entries.push({ phase, unit, clock });
    }
  }
  // The first dispatch listed anchors the call on its date; a clock
  // reading well before it is past midnight.
  const anchor = (entries.find((e) => e.phase === 'dispatched') ?? entries[0])
    ?.clock;
  return entries.map(({ phase, unit, clock }) => ({
    phase,
    unit,
    at: zonedInstant(
      { ...date, secondsOfDay: clock },
      mapping.timeZone,
      clock <= (anchor as number) - time.rolloverSlackSeconds ? 1 : 0,
    ),
  }));
}

/** One unit per row, each phase a full date-time. */
function unitRowEvents(
  value: (index: number | undefined) => string | undefined,
  columns: Columns,
  mapping: ExportMapping,
): ImportedEvent[] | RowProblem {
  const time = mapping.time;
  if (time.kind !== 'datetime') {
    throw new ImportError(
      'IMPORT_FILE_INVALID',
      `format ${mapping.id}: a unit-per-row layout needs full date-times`,
    );
  }
  const unit = value(columns.unitId) ?? '';
  const events: ImportedEvent[] = [];
  for (const [phase, index] of columns.phases) {
    const text = value(index);
    if (text === undefined) continue;
    const wall = parseDateTime(text, time.format);
    if (wall === undefined) {
      return {
        reason: 'bad_time',
        detail: `${mapping.phases[phase]}: ${JSON.stringify(text)}`,
      };
    }
    events.push({ phase, unit, at: zonedInstant(wall, mapping.timeZone) });
  }
  return events;
}

const EMD_PRIORITY: Record<string, Priority> = {
  E: 1,
  D: 1,
  C: 2,
  B: 2,
  A: 3,
  O: 3,
};

function priorityOf(text: string, mapping: ExportMapping): Priority | null {
  const syntax = mapping.priority;
  if (!syntax) return null;
  if (syntax.kind === 'values') return syntax.values[text] ?? null;
  // An EMD code: protocol number, determinant letter, sub-code (28C4).
  const m = /^\d{1,2}([ABCDEO])\d{0,2}[A-Z]?$/i.exec(text);
  return m ? (EMD_PRIORITY[m[1]!.toUpperCase()] ?? null) : null;
}

function parseLatLon(text: string): LatLon | undefined {
  const m = /^\(?\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)?$/.exec(
    text,
  );
  if (!m) return undefined;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}
