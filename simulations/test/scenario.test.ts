import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadScenario, parseScenario, ScenarioError } from '../src/index.ts';
import { runScenario } from '../src/run.ts';

const demoFile = path.join(
  import.meta.dirname,
  '..',
  'scenarios',
  'porto-alegre.json',
);
const demo = () => JSON.parse(fs.readFileSync(demoFile, 'utf8'));

function errorOf(mutate: (s: any) => void): ScenarioError {
  const s = demo();
  mutate(s);
  try {
    parseScenario(s);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return err as ScenarioError;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario files', () => {
  it('accepts every bundled scenario and fills in the defaults', () => {
    const dir = path.dirname(demoFile);
    for (const file of fs.readdirSync(dir)) {
      const s = loadScenario(path.join(dir, file));
      expect(s.fleet.units.length).toBeGreaterThan(0);
      expect(s.policy.responsePlan[1].ALS).toBe(0);
    }
  });

  it('names the bad field and what was expected', () => {
    const cases: [(s: any) => void, string, RegExp][] = [
      [
        (s) => (s.fleet.units[3].capability = 'XLS'),
        'fleet.units[3].capability',
        /"ALS", "BLS"/,
      ],
      [
        (s) => (s.demand.callsPerHour = [1, 2]),
        'demand.callsPerHour',
        /24 numbers/,
      ],
      [
        (s) => (s.demand.callsPerHour[5] = -1),
        'demand.callsPerHour[5]',
        />= 0/,
      ],
      [
        (s) => (s.times.onScene = { distribution: 'gamma' }),
        'times.onScene.distribution',
        /"lognormal"/,
      ],
      [
        (s) => delete s.times.turnout.p90Seconds,
        'times.turnout.p90Seconds',
        /expected a number/,
      ],
      [
        (s) => (s.times.transportProbability['2'] = 1.5),
        'times.transportProbability.2',
        /in \[0, 1\]/,
      ],
      [
        (s) => (s.policy.dispatch = 'nearest'),
        'policy.dispatch',
        /"closest-drive-time"/,
      ],
      [(s) => (s.policy.moveUp = 'yes'), 'policy.moveUp', /true or false/],
      [
        (s) => (s.fleet.units[1].callSign = 'A01'),
        'fleet.units[1].callSign',
        /duplicate/,
      ],
      [
        (s) => (s.fleet.units[0].shifts = [{ start: '7:00', end: '19:00' }]),
        'fleet.units[0].shifts[0].start',
        /HH:MM/,
      ],
      [
        (s) => (s.demand.calendar = { startDate: '2025-02-30' }),
        'demand.calendar.startDate',
        /YYYY-MM-DD/,
      ],
      [
        (s) =>
          (s.demand.calendar = {
            startDate: '2025-01-01',
            weekdayFactors: [1, 1, 1, 1, 1, 1],
          }),
        'demand.calendar.weekdayFactors',
        /7 numbers \(Monday to Sunday\)/,
      ],
      [
        (s) =>
          (s.demand.calendar = {
            startDate: '2025-01-01',
            monthFactors: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1],
          }),
        'demand.calendar.monthFactors[11]',
        />= 0/,
      ],
      [
        (s) =>
          (s.demand.calendar = {
            startDate: '2025-01-01',
            dateFactors: { '25/12/2025': 2 },
          }),
        'demand.calendar.dateFactors.25/12/2025',
        /YYYY-MM-DD/,
      ],
      [
        (s) => (s.demand.calendar = { weekdayFactors: [] }),
        'demand.calendar.startDate',
        /YYYY-MM-DD/,
      ],
      [
        (s) => (s.demand.calendar = { startDate: '2025-01-01', holidays: [] }),
        'demand.calendar.holidays',
        /unknown field/,
      ],
      [
        (s) => (s.travel.hourFactors = [1, 2]),
        'travel.hourFactors',
        /24 numbers/,
      ],
      [
        (s) => (s.travel.hourFactors = new Array(24).fill(1).fill(0, 3, 4)),
        'travel.hourFactors[3]',
        /in \[0.1, 10\]/,
      ],
      [(s) => (s.fleets = {}), 'fleets', /unknown field/],
      [(s) => delete s.city, 'city', /non-empty string/],
    ];
    for (const [mutate, field, message] of cases) {
      const err = errorOf(mutate);
      expect(err.field).toBe(field);
      expect(err.message.startsWith(`${field}: `)).toBe(true);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses a station the city does not have, listing the ones it has', () => {
    const s = demo();
    s.fleet.units[2].station = 'poa-base-atlantis';
    s.travel.model = 'none';
    expect(() => runScenario(parseScenario(s), { days: 1, seed: 1 })).toThrow(
      /fleet\.units\[2\]\.station: no station "poa-base-atlantis" in city porto-alegre \(stations: poa-base-centro/,
    );
  });

  it('refuses an unknown city and a file that is not JSON', () => {
    const s = demo();
    s.city = 'atlantis';
    expect(() => runScenario(parseScenario(s), { days: 1, seed: 1 })).toThrow(
      /^city: /,
    );
    const file = path.join(fs.mkdtempSync('/tmp/scenario-'), 'bad.json');
    fs.writeFileSync(file, '{ "name": ');
    expect(() => loadScenario(file)).toThrow(
      /scenario: .*bad\.json is not JSON/,
    );
  });
});
