import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { generateCalls, loadScenario } from '../src/index.ts';

const scenario = loadScenario(
  path.join(import.meta.dirname, '..', 'scenarios', 'porto-alegre.json'),
);

describe('generateCalls', () => {
  it('gives the same calls for the same seed and other calls for another', () => {
    const a = generateCalls(scenario, { days: 3, seed: 7 });
    const b = generateCalls(scenario, { days: 3, seed: 7 });
    const c = generateCalls(scenario, { days: 3, seed: 8 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('draws as many calls as the hourly rates ask, within Poisson error', () => {
    const days = 60;
    const calls = generateCalls(scenario, { days, seed: 1 });
    const perDay = scenario.demand.callsPerHour.reduce((s, h) => s + h, 0);
    const expected = perDay * days;
    // A Poisson count: 4 standard deviations either side.
    expect(Math.abs(calls.length - expected)).toBeLessThan(
      4 * Math.sqrt(expected),
    );
    // Night hours (rate 2.8) against midday (8.8): the profile is followed.
    const at = (hour: number) =>
      calls.filter((c) => Math.floor((c.atSeconds % 86_400) / 3600) === hour)
        .length;
    expect(at(3)).toBeLessThan(at(12) / 2);
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.atSeconds).toBeGreaterThanOrEqual(
        calls[i - 1]!.atSeconds,
      );
    }
  });

  it('places calls only in populated cells, near their centre, with the priority mix', () => {
    const calls = generateCalls(scenario, { days: 30, seed: 2 });
    const share1 = calls.filter((c) => c.priority === 1).length / calls.length;
    expect(share1).toBeGreaterThan(0.17);
    expect(share1).toBeLessThan(0.23);
    for (const call of calls.slice(0, 500)) {
      expect(call.hexId).toMatch(/^89[0-9a-f]{13}$/);
    }
  });

  it('refuses a number of days that is not positive', () => {
    expect(() => generateCalls(scenario, { days: 0, seed: 1 })).toThrow(
      /days: expected a positive number/,
    );
  });
});
