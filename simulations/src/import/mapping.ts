/**
 * How one agency's CAD export maps onto the dispatch phases. A mapping is
 * plain data, so another agency's export fits by writing one more object
 * (or a JSON file of the same shape, `--mapping file.json`):
 *
 * - `layout`: `call-per-row` (one row per call; each phase column holds a
 *   list of `UNIT=time` pairs, as Lancaster County writes it) or
 *   `unit-per-row` (one row per responding unit, rows of a call share
 *   `callId`, each phase column holds one date-time, as San Francisco).
 * - `phases`: which column holds each phase. Phases are those of the
 *   server's phase log (`received`, `dispatched`, `en_route`, `on_scene`,
 *   `transporting`, `at_hospital`); a phase without a column is simply not
 *   known, and the intervals that need it are not computed.
 * - `time`: how times are written: `datetime` (a full local date-time per
 *   value) or `clock` (a time of day `hh:mm:ss`, dated by `dateColumn`;
 *   a time more than `rolloverSlackSeconds` before the call's first
 *   dispatch is taken to be on the next day).
 * - `priority`: the column and how its values map to priorities 1-3:
 *   a value table, or `emd`, the determinant letter of an EMD code
 *   (Echo/Delta 1, Charlie/Bravo 2, Alpha/Omega 3).
 * - `location`: optional, `(lat, lon)` text in one column.
 */
import type { IncidentPhase, Priority } from '@dispatch/server/policy';

import type { DateFormat } from './times.ts';

/** A phase an export can give a time for. */
export type ImportPhase = Extract<
  IncidentPhase,
  | 'received'
  | 'dispatched'
  | 'en_route'
  | 'on_scene'
  | 'transporting'
  | 'at_hospital'
>;

/** Time values: a full date-time, or a clock time dated by another column. */
export type TimeSyntax =
  | { kind: 'datetime'; format: DateFormat }
  | {
      kind: 'clock';
      /** The column with the call's date (a time in it is ignored). */
      dateColumn: string;
      dateFormat: DateFormat;
      /**
       * A clock time this much or more before the call's first dispatch
       * is on the next day (midnight roll-over); less is a time logged
       * slightly out of order, kept on the same day. Calls longer than
       * 24 h minus this slack cannot be told apart.
       */
      rolloverSlackSeconds: number;
    };

/** How the unit lists of a `call-per-row` export are written. */
export interface UnitListSyntax {
  /** Between entries, e.g. `,` in `M5=07:05:17, WAVE1=07:11:43`. */
  separator: string;
  /** Between unit and time, e.g. `=`. */
  pairSeparator: string;
}

/** Priority from a column. */
export type PrioritySyntax =
  | { column: string; kind: 'values'; values: Record<string, Priority> }
  | { column: string; kind: 'emd' };

/** One export format. */
export interface ExportMapping {
  id: string;
  /** One line: whose export and what it holds. */
  description: string;
  /** Repository-relative path of the bundled sample export. */
  defaultFile: string;
  /** IANA zone of the agency's wall clock. */
  timeZone: string;
  layout: 'call-per-row' | 'unit-per-row';
  /** Column identifying the call (the incident). */
  callId: string;
  /** `unit-per-row`: the column naming the unit. */
  unitId?: string;
  /** `call-per-row`: the syntax of the unit lists. */
  unitList?: UnitListSyntax;
  phases: Partial<Record<ImportPhase, string>>;
  time: TimeSyntax;
  priority?: PrioritySyntax;
  /** Column with `(lat, lon)`. */
  location?: string;
  /** Values meaning "no value" besides the empty string, e.g. `NULL`. */
  nullValues: string[];
  /** What the export cannot tell, printed with every report. */
  limitations: string[];
}

/**
 * Lancaster County, Nebraska (USA): a rural fire district's calls
 * 2010-2020, one row per call, per-unit clock times in lists.
 */
export const LANCASTER_NE: ExportMapping = {
  id: 'lancaster-ne',
  description:
    'Lancaster County NE rural fire district calls 2010-2020 (one row per call, UNIT=hh:mm:ss lists, EMD codes)',
  defaultFile: 'data/imports/lancaster-ne/rvfd-calls-for-service-2010-2020.zip',
  timeZone: 'America/Chicago',
  layout: 'call-per-row',
  callId: 'incident_num',
  unitList: { separator: ',', pairSeparator: '=' },
  phases: {
    dispatched: 'Unit_Dispatch_Times',
    en_route: 'Unit_Enroute_Times',
    on_scene: 'Unit_Arrive_Times',
    transporting: 'Unit_Enroute_To_Hospital_Times',
    at_hospital: 'Unit_Arrive_At_Hospital_Times',
  },
  time: {
    kind: 'clock',
    dateColumn: 'incident_date',
    dateFormat: 'us',
    rolloverSlackSeconds: 3600,
  },
  priority: { column: 'call_type', kind: 'emd' },
  nullValues: ['NULL'],
  limitations: [
    'no call-received time: call processing and response (received to on scene) cannot be computed; dispatchToOnScene (turnout + travel) is reported instead and understates response by the call-processing time',
    'no coordinates: no map and no area breakdown',
    'hour of day is that of the first dispatch',
    'calls without an EMD code (fire, alarms, mutual aid) have no priority: counted overall, not by priority',
    'the at-patient, staging, fire-out and clear times have no phase in the dispatch model and are not used',
  ],
};

/**
 * San Francisco Fire Department: one week of calls for service, one row
 * per responding unit, every phase as a full date-time, with coordinates.
 */
export const SAN_FRANCISCO: ExportMapping = {
  id: 'san-francisco',
  description:
    'San Francisco Fire Department calls for service, 2016-12-31 week (one row per unit, full date-times, coordinates)',
  defaultFile:
    'data/imports/san-francisco/fire-department-calls-2016-12-31-week.csv',
  timeZone: 'America/Los_Angeles',
  layout: 'unit-per-row',
  callId: 'Incident Number',
  unitId: 'Unit ID',
  phases: {
    received: 'Received DtTm',
    dispatched: 'Dispatch DtTm',
    en_route: 'Response DtTm',
    on_scene: 'On Scene DtTm',
    transporting: 'Transport DtTm',
    at_hospital: 'Hospital DtTm',
  },
  time: { kind: 'datetime', format: 'us' },
  // SFFD codes 3 for lights and sirens, 2 for a non-emergency response.
  priority: {
    column: 'Final Priority',
    kind: 'values',
    values: { '3': 1, '2': 2 },
  },
  location: 'Location',
  nullValues: [],
  limitations: [
    'all unit types count toward "first on scene" (engines as first responders, as NFPA 1710 does), not only ambulances',
  ],
};

/** The bundled mappings, by id. */
export const MAPPINGS: Record<string, ExportMapping> = {
  [LANCASTER_NE.id]: LANCASTER_NE,
  [SAN_FRANCISCO.id]: SAN_FRANCISCO,
};
