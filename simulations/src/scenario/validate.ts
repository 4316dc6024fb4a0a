/**
 * Scenario validation: a file either becomes a complete {@link Scenario}
 * (defaults filled in) or fails with a {@link ScenarioError} naming the
 * first bad field and what was expected.
 */
import fs from 'node:fs';

import {
  CAPABILITIES,
  DEFAULT_RESPONSE_PLAN,
  PRIORITIES,
  type ResponsePlan,
} from '@dispatch/server/policy';

import { isDay } from '../../../console/src/planner/period.ts';
import { ScenarioError } from './errors.ts';
import {
  DISPATCH_POLICIES,
  type DemandCalendar,
  type Distribution,
  type Scenario,
  type Shift,
  type UnitSpec,
} from './types.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function object(value: unknown, field: string): Json {
  if (!isObject(value)) {
    throw new ScenarioError(field, `expected an object, got ${show(value)}`);
  }
  return value;
}

function known(obj: Json, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!keys.includes(key)) {
      throw new ScenarioError(
        field ? `${field}.${key}` : key,
        `unknown field (expected one of ${keys.join(', ')})`,
      );
    }
  }
}

function number(
  value: unknown,
  field: string,
  min: number,
  max = Infinity,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max
  ) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ScenarioError(
      field,
      `expected a number ${range}, got ${show(value)}`,
    );
  }
  return value;
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ScenarioError(
      field,
      `expected a non-empty string, got ${show(value)}`,
    );
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  field: string,
  options: readonly T[],
): T {
  if (!options.includes(value as T)) {
    throw new ScenarioError(
      field,
      `expected one of ${options.map((o) => `"${o}"`).join(', ')}, got ${show(value)}`,
    );
  }
  return value as T;
}

/** A distribution object such as `{ distribution: "exponential", meanSeconds: 600 }`. */
export function parseDistribution(value: unknown, field: string): Distribution {
  const d = object(value, field);
  const kind = oneOf(d.distribution, `${field}.distribution`, [
    'fixed',
    'exponential',
    'uniform',
    'lognormal',
  ] as const);
  switch (kind) {
    case 'fixed':
      known(d, field, ['distribution', 'seconds']);
      return {
        distribution: kind,
        seconds: number(d.seconds, `${field}.seconds`, 0),
      };
    case 'exponential':
      known(d, field, ['distribution', 'meanSeconds']);
      return {
        distribution: kind,
        meanSeconds: number(d.meanSeconds, `${field}.meanSeconds`, 0),
      };
    case 'uniform': {
      known(d, field, ['distribution', 'minSeconds', 'maxSeconds']);
      const minSeconds = number(d.minSeconds, `${field}.minSeconds`, 0);
      const maxSeconds = number(
        d.maxSeconds,
        `${field}.maxSeconds`,
        minSeconds,
      );
      return { distribution: kind, minSeconds, maxSeconds };
    }
    case 'lognormal': {
      known(d, field, ['distribution', 'medianSeconds', 'p90Seconds']);
      const medianSeconds = number(
        d.medianSeconds,
        `${field}.medianSeconds`,
        0.001,
      );
      const p90Seconds = number(
        d.p90Seconds,
        `${field}.p90Seconds`,
        medianSeconds,
      );
      return { distribution: kind, medianSeconds, p90Seconds };
    }
  }
}

function parseShift(value: unknown, field: string): Shift {
  const s = object(value, field);
  known(s, field, ['start', 'end']);
  for (const key of ['start', 'end'] as const) {
    const text = s[key];
    const match = typeof text === 'string' && /^(\d\d):(\d\d)$/.exec(text);
    if (
      !match ||
      Number(match[1]) > 24 ||
      Number(match[2]) > 59 ||
      (Number(match[1]) === 24 && Number(match[2]) !== 0)
    ) {
      throw new ScenarioError(
        `${field}.${key}`,
        `expected "HH:MM" (00:00 to 24:00), got ${show(text)}`,
      );
    }
  }
  if (s.start === s.end) {
    throw new ScenarioError(field, 'a shift needs start and end to differ');
  }
  return { start: s.start as string, end: s.end as string };
}

function parseUnits(value: unknown, field: string): UnitSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ScenarioError(
      field,
      `expected a non-empty list of units, got ${show(value)}`,
    );
  }
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const f = `${field}[${i}]`;
    const u = object(raw, f);
    known(u, f, ['callSign', 'capability', 'station', 'shifts']);
    const callSign = string(u.callSign, `${f}.callSign`);
    if (seen.has(callSign)) {
      throw new ScenarioError(
        `${f}.callSign`,
        `duplicate call sign "${callSign}"`,
      );
    }
    seen.add(callSign);
    const unit: UnitSpec = {
      callSign,
      capability: oneOf(u.capability, `${f}.capability`, CAPABILITIES),
      station: string(u.station, `${f}.station`),
    };
    if (u.shifts !== undefined) {
      if (!Array.isArray(u.shifts) || u.shifts.length === 0) {
        throw new ScenarioError(
          `${f}.shifts`,
          'expected a non-empty list of { start, end }',
        );
      }
      unit.shifts = u.shifts.map((s, k) => parseShift(s, `${f}.shifts[${k}]`));
    }
    return unit;
  });
}

function perPriority(
  value: unknown,
  field: string,
  max: number,
  fallback?: number,
): Record<1 | 2 | 3, number> {
  if (typeof value === 'number' && fallback !== undefined) {
    const p = number(value, field, 0, max);
    return { 1: p, 2: p, 3: p };
  }
  const o = object(value, field);
  known(o, field, ['1', '2', '3']);
  const out = {} as Record<1 | 2 | 3, number>;
  for (const p of PRIORITIES) {
    out[p] =
      o[p] === undefined && fallback !== undefined
        ? fallback
        : number(o[p], `${field}.${p}`, 0, max);
  }
  return out;
}

function parsePlan(value: unknown, field: string): ResponsePlan {
  if (value === undefined) return DEFAULT_RESPONSE_PLAN;
  const o = object(value, field);
  known(o, field, ['1', '2', '3']);
  const plan = {} as ResponsePlan;
  for (const p of PRIORITIES) {
    const f = `${field}.${p}`;
    const entry = object(o[p], f);
    known(entry, f, CAPABILITIES);
    plan[p] = {};
    for (const c of CAPABILITIES) {
      if (entry[c] !== undefined) plan[p][c] = number(entry[c], `${f}.${c}`, 0);
    }
    if (Object.keys(plan[p]).length === 0) {
      throw new ScenarioError(
        f,
        'a priority must allow at least one capability',
      );
    }
  }
  return plan;
}

/** A calendar date `YYYY-MM-DD` that exists (no 2025-02-30). */
function isoDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDay(value)) {
    throw new ScenarioError(
      field,
      `expected a date YYYY-MM-DD, got ${show(value)}`,
    );
  }
  return value;
}

function factors(
  value: unknown,
  field: string,
  length: number,
  what: string,
): number[] {
  if (value === undefined) return new Array<number>(length).fill(1);
  if (!Array.isArray(value) || value.length !== length) {
    throw new ScenarioError(
      field,
      `expected ${length} numbers (${what}), got ${show(value)}`,
    );
  }
  return value.map((f, i) => number(f, `${field}[${i}]`, 0));
}

function parseCalendar(value: unknown, field: string): DemandCalendar {
  const c = object(value, field);
  known(c, field, [
    'startDate',
    'weekdayFactors',
    'monthFactors',
    'dateFactors',
  ]);
  const dates = c.dateFactors === undefined ? {} : c.dateFactors;
  const dateFactors: Record<string, number> = {};
  for (const [date, factor] of Object.entries(
    object(dates, `${field}.dateFactors`),
  )) {
    const key = `${field}.dateFactors.${date}`;
    dateFactors[isoDate(date, key)] = number(factor, key, 0);
  }
  return {
    startDate: isoDate(c.startDate, `${field}.startDate`),
    weekdayFactors: factors(
      c.weekdayFactors,
      `${field}.weekdayFactors`,
      7,
      'Monday to Sunday',
    ),
    monthFactors: factors(
      c.monthFactors,
      `${field}.monthFactors`,
      12,
      'January to December',
    ),
    dateFactors,
  };
}

/**
 * Validates a parsed scenario and fills in defaults.
 * @throws ScenarioError naming the first bad field.
 */
export function parseScenario(input: unknown): Scenario {
  const s = object(input, 'scenario');
  known(s, '', [
    'name',
    'city',
    'targetSeconds',
    'fleet',
    'demand',
    'times',
    'travel',
    'policy',
    '$comment',
  ]);
  const fleet = object(s.fleet, 'fleet');
  known(fleet, 'fleet', ['units']);
  const demand = object(s.demand, 'demand');
  known(demand, 'demand', ['callsPerHour', 'priorityMix', 'calendar']);
  const hours = demand.callsPerHour;
  if (!Array.isArray(hours) || hours.length !== 24) {
    throw new ScenarioError(
      'demand.callsPerHour',
      `expected 24 numbers (one per hour of the day), got ${show(hours)}`,
    );
  }
  const callsPerHour = hours.map((h, i) =>
    number(h, `demand.callsPerHour[${i}]`, 0),
  );
  if (callsPerHour.every((h) => h === 0)) {
    throw new ScenarioError(
      'demand.callsPerHour',
      'expected at least one hour with calls',
    );
  }
  const priorityMix = perPriority(
    demand.priorityMix,
    'demand.priorityMix',
    Infinity,
    0,
  );
  if (priorityMix[1] + priorityMix[2] + priorityMix[3] <= 0) {
    throw new ScenarioError(
      'demand.priorityMix',
      'expected shares that sum to more than 0',
    );
  }
  const times = object(s.times, 'times');
  known(times, 'times', [
    'callProcessing',
    'turnout',
    'onScene',
    'transportProbability',
    'handover',
  ]);
  const travel = s.travel === undefined ? {} : object(s.travel, 'travel');
  known(travel, 'travel', ['model', 'emergencySpeedFactor', 'hourFactors']);
  const policy = s.policy === undefined ? {} : object(s.policy, 'policy');
  known(policy, 'policy', [
    'dispatch',
    'moveUp',
    'whenAllBusy',
    'responsePlan',
    'straightLineSpeedMps',
  ]);
  if (policy.moveUp !== undefined && typeof policy.moveUp !== 'boolean') {
    throw new ScenarioError(
      'policy.moveUp',
      `expected true or false, got ${show(policy.moveUp)}`,
    );
  }
  const scenario: Scenario = {
    name: s.name === undefined ? 'scenario' : string(s.name, 'name'),
    city: string(s.city, 'city'),
    targetSeconds:
      s.targetSeconds === undefined
        ? 180
        : number(s.targetSeconds, 'targetSeconds', 1),
    fleet: { units: parseUnits(fleet.units, 'fleet.units') },
    demand: {
      callsPerHour,
      priorityMix,
      ...(demand.calendar === undefined
        ? {}
        : { calendar: parseCalendar(demand.calendar, 'demand.calendar') }),
    },
    times: {
      callProcessing: parseDistribution(
        times.callProcessing,
        'times.callProcessing',
      ),
      turnout: parseDistribution(times.turnout, 'times.turnout'),
      onScene: parseDistribution(times.onScene, 'times.onScene'),
      transportProbability: perPriority(
        times.transportProbability,
        'times.transportProbability',
        1,
        0,
      ),
      handover: parseDistribution(times.handover, 'times.handover'),
    },
    travel: {
      model:
        travel.model === undefined
          ? 'road'
          : oneOf(travel.model, 'travel.model', ['road', 'none'] as const),
    },
    policy: {
      dispatch:
        policy.dispatch === undefined
          ? 'closest-drive-time'
          : oneOf(policy.dispatch, 'policy.dispatch', DISPATCH_POLICIES),
      moveUp: policy.moveUp === true,
      whenAllBusy:
        policy.whenAllBusy === undefined
          ? 'queue'
          : oneOf(policy.whenAllBusy, 'policy.whenAllBusy', [
              'queue',
              'lost',
            ] as const),
      responsePlan: parsePlan(policy.responsePlan, 'policy.responsePlan'),
      straightLineSpeedMps:
        policy.straightLineSpeedMps === undefined
          ? 8.3
          : number(
              policy.straightLineSpeedMps,
              'policy.straightLineSpeedMps',
              0.1,
            ),
    },
  };
  if (travel.hourFactors !== undefined) {
    const hours = travel.hourFactors;
    if (!Array.isArray(hours) || hours.length !== 24) {
      throw new ScenarioError(
        'travel.hourFactors',
        `expected 24 numbers (one per hour of the day), got ${show(hours)}`,
      );
    }
    scenario.travel.hourFactors = hours.map((f, i) =>
      number(f, `travel.hourFactors[${i}]`, 0.1, 10),
    );
  }
  if (travel.emergencySpeedFactor !== undefined) {
    scenario.travel.emergencySpeedFactor = number(
      travel.emergencySpeedFactor,
      'travel.emergencySpeedFactor',
      1,
      2,
    );
  }
  return scenario;
}

/**
 * Reads and validates a scenario file.
 * @throws ScenarioError for an unreadable file, bad JSON or a bad field.
 */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError('scenario', `cannot read ${file}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(
      'scenario',
      `${file} is not JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return parseScenario(json);
}
