/**
 * The engine's dispatch behaviour on the real Porto Alegre network:
 * units sent from where they are, the policies, move-up and shifts; and
 * the event queue's and random streams' guarantees.
 */
import fs from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  EventQueue,
  parseScenario,
  randomStream,
  type SimCall,
} from '../src/index.ts';
import {
  prepareCity,
  runScenario,
  simulateCalls,
  type CityContext,
} from '../src/run.ts';
import type { Scenario } from '../src/scenario/types.ts';

const demo = JSON.parse(
  fs.readFileSync(
    path.join(import.meta.dirname, '..', 'scenarios', 'porto-alegre.json'),
    'utf8',
  ),
);

/** A road scenario with fixed times, so drive times are all that varies. */
function fixedScenario(
  units: { callSign: string; station: string; shifts?: unknown }[],
  policy: object = {},
): Scenario {
  return parseScenario({
    ...demo,
    fleet: { units: units.map((u) => ({ capability: 'ALS', ...u })) },
    times: {
      callProcessing: { distribution: 'fixed', seconds: 0 },
      turnout: { distribution: 'fixed', seconds: 60 },
      onScene: { distribution: 'fixed', seconds: 600 },
      transportProbability: 0,
      handover: { distribution: 'fixed', seconds: 0 },
    },
    policy: { ...demo.policy, ...policy },
  });
}

let context: CityContext;
beforeAll(() => {
  context = prepareCity(parseScenario(demo));
});

/** The hexgrid cell nearest a station, as a call there. */
function callAt(id: number, atSeconds: number, stationId: string): SimCall {
  const station = context.city.stationList.find((s) => s.id === stationId)!;
  let best = 0;
  let bestD = Infinity;
  context.grid.cells.forEach((c, i) => {
    const d =
      (c.lat - station.location.lat) ** 2 + (c.lon - station.location.lon) ** 2;
    if (d < bestD && context.usable[i] === 1) {
      bestD = d;
      best = i;
    }
  });
  const cell = context.grid.cells[best]!;
  return {
    id,
    atSeconds,
    lat: cell.lat,
    lon: cell.lon,
    hexId: cell.id,
    cellIndex: best,
    priority: 1,
  };
}

describe('dispatch', () => {
  it('sends a unit from where it is on its way back, with no turnout', () => {
    const scenario = fixedScenario([
      { callSign: 'S1', station: 'poa-base-sul' },
    ]);
    // The first call takes the unit north; the second, at the same place,
    // comes in 60 s after it has left the scene on its long way back.
    const first = callAt(1, 0, 'poa-base-norte');
    const run1 = simulateCalls(scenario, [first], {
      days: 1,
      seed: 1,
      cityContext: context,
    });
    const cleared = run1.outcomes[0]!.clearedAt!;
    const second = { ...callAt(2, cleared + 60, 'poa-base-norte') };
    const run = simulateCalls(scenario, [first, second], {
      days: 1,
      seed: 1,
      cityContext: context,
    });
    const [a, b] = run.outcomes;
    expect(a!.origin).toBe('station');
    expect(a!.enRouteAt! - a!.dispatchedAt!).toBe(60);
    expect(b!.origin).toBe('moving');
    expect(b!.enRouteAt).toBe(b!.dispatchedAt);
    const travelA = a!.onSceneAt! - a!.enRouteAt!;
    const travelB = b!.onSceneAt! - b!.enRouteAt!;
    // 60 s into a drive of several minutes: far closer than the station.
    expect(travelA).toBeGreaterThan(600);
    expect(travelB).toBeLessThan(travelA / 2);
  });

  it('never arrives later by drive time than by straight line when every unit is home', () => {
    const units = context.city.stationList.map((s, i) => ({
      callSign: `U${i}`,
      station: s.id,
    }));
    // One call every 6 hours with 10 min on scene: units are always home.
    const thin = (policy: string) =>
      parseScenario({
        ...fixedScenario(units, { dispatch: policy }),
        demand: {
          callsPerHour: new Array(24).fill(1 / 6),
          priorityMix: { 1: 1 },
        },
      });
    const road = runScenario(thin('closest-drive-time'), {
      days: 400,
      seed: 3,
      cityContext: context,
    });
    const line = runScenario(thin('closest-straight-line'), {
      days: 400,
      seed: 3,
      cityContext: context,
    });
    const due = runScenario(thin('first-due'), {
      days: 400,
      seed: 3,
      cityContext: context,
    });
    expect(road.calls.length).toBeGreaterThan(1000);
    let differs = 0;
    let compared = 0;
    road.outcomes.forEach((o, i) => {
      // Only calls two hours after the previous one: every unit is home
      // (a job here takes under 40 minutes with the drive back).
      const previous = road.outcomes[i - 1];
      if (previous && o.call.atSeconds - previous.call.atSeconds < 7200) return;
      compared++;
      const l = line.outcomes[i]!;
      expect(o.call).toEqual(l.call);
      expect(o.origin).toBe('station');
      const travelRoad = o.onSceneAt! - o.enRouteAt!;
      const travelLine = l.onSceneAt! - l.enRouteAt!;
      expect(travelRoad).toBeLessThanOrEqual(travelLine + 1e-6);
      if (o.unit !== l.unit) differs++;
      // With every unit at its base, first-due is closest by drive time.
      expect(due.outcomes[i]!.unit).toBe(o.unit);
    });
    // The baseline really is a different policy on this network.
    expect(compared).toBeGreaterThan(1000);
    expect(differs).toBeGreaterThan(compared * 0.02);
  });

  it("drives in the hour's traffic but decides by free-flow times, as live", () => {
    // ALS and BLS at alternate bases, priority 1: the plan prefers ALS
    // unless a BLS is more than 120 s sooner, so times scaled up would
    // flip choices if decisions saw them.
    const units = context.city.stationList.map((s, i) => ({
      callSign: `U${i}`,
      station: s.id,
      capability: i % 2 === 0 ? 'ALS' : 'BLS',
    }));
    const thin = (hourFactors?: number[]) => {
      const base = fixedScenario(units);
      return parseScenario({
        ...base,
        demand: {
          callsPerHour: new Array(24).fill(1 / 6),
          priorityMix: { 1: 1 },
        },
        travel: { ...base.travel, ...(hourFactors && { hourFactors }) },
      });
    };
    // Night at 1, rush hours 07-09 and 17-19 at 2, the rest 1.25.
    const factors = Array.from({ length: 24 }, (_, h) =>
      h < 6 ? 1 : [7, 8, 17, 18].includes(h) ? 2 : 1.25,
    );
    const free = runScenario(thin(), {
      days: 200,
      seed: 5,
      cityContext: context,
    });
    const slow = runScenario(thin(factors), {
      days: 200,
      seed: 5,
      cityContext: context,
    });
    let compared = 0;
    free.outcomes.forEach((o, i) => {
      const previous = free.outcomes[i - 1];
      if (previous && o.call.atSeconds - previous.call.atSeconds < 7200) return;
      const s = slow.outcomes[i]!;
      if (s.origin !== 'station' || o.origin !== 'station') return;
      compared++;
      // The same unit, by free-flow ranking...
      expect(s.unit).toBe(o.unit);
      // ...driving as long as the hour of its dispatch says.
      const hour = Math.floor(o.dispatchedAt! / 3600) % 24;
      const ratio =
        (s.onSceneAt! - s.enRouteAt!) / (o.onSceneAt! - o.enRouteAt!);
      if (Number.isFinite(ratio)) expect(ratio).toBeCloseTo(factors[hour]!, 6);
    });
    expect(compared).toBeGreaterThan(300);
    // A scenario without factors is the free-flow run, byte for byte.
    const again = runScenario(thin(), {
      days: 200,
      seed: 5,
      cityContext: context,
    });
    expect(JSON.stringify(again.outcomes)).toBe(JSON.stringify(free.outcomes));
  });

  it('moves an idle unit up to a station left empty', () => {
    const units = [
      { callSign: 'C1', station: 'poa-base-centro' },
      { callSign: 'C2', station: 'poa-base-centro' },
      { callSign: 'N1', station: 'poa-base-norte' },
    ];
    const calls = [
      callAt(1, 0, 'poa-base-norte'),
      callAt(2, 400, 'poa-base-norte'),
    ];
    const without = simulateCalls(
      fixedScenario(units, { moveUp: false }),
      calls,
      { days: 1, seed: 1, cityContext: context },
    );
    const withMoveUp = simulateCalls(
      fixedScenario(units, { moveUp: true }),
      calls,
      { days: 1, seed: 1, cityContext: context },
    );
    expect(without.units[without.outcomes[0]!.unit]!.callSign).toBe('N1');
    const travel = (r: typeof without) =>
      r.outcomes[1]!.onSceneAt! - r.outcomes[1]!.dispatchedAt!;
    // The moved-up unit is at or near Norte when the second call comes.
    expect(travel(withMoveUp)).toBeLessThan(travel(without));
    expect(withMoveUp.units[withMoveUp.outcomes[1]!.unit]!.callSign).toMatch(
      /^C/,
    );
  });

  it('dispatches a unit only on its shift', () => {
    const run = runScenario(parseScenario(demo), {
      days: 3,
      seed: 9,
      cityContext: context,
    });
    let dayShift = 0;
    for (const o of run.outcomes) {
      const unit = run.units[o.unit]!;
      if (!unit.callSign.startsWith('B')) continue;
      dayShift++;
      const clock = o.dispatchedAt! % 86_400;
      expect(clock).toBeGreaterThanOrEqual(7 * 3600);
      expect(clock).toBeLessThan(23 * 3600);
    }
    expect(dayShift).toBeGreaterThan(50);
    const b = run.units.find((u) => u.callSign === 'B02')!;
    // 16 h a day on shift, plus any job running past 23:00.
    expect(b.shiftSeconds).toBeGreaterThanOrEqual(3 * 16 * 3600);
    expect(b.shiftSeconds).toBeLessThan(3 * 16 * 3600 + 3 * 7200);
  });
});

describe('event queue and random streams', () => {
  it('pops events by time, ties in the order they were scheduled', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }),
        (times) => {
          const queue = new EventQueue<number>();
          times.forEach((t, i) => queue.push(t, i));
          const out: number[] = [];
          for (let e = queue.pop(); e; e = queue.pop()) out.push(e.item);
          const expected = times
            .map((t, i) => [t, i] as const)
            .sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .map(([, i]) => i);
          expect(out).toEqual(expected);
        },
      ),
    );
  });

  it('gives each stream its own repeatable numbers', () => {
    const draw = (seed: number, name: string) => {
      const s = randomStream(seed, name);
      return Array.from({ length: 5 }, () => s.next());
    };
    expect(draw(1, 'on-scene')).toEqual(draw(1, 'on-scene'));
    expect(draw(1, 'on-scene')).not.toEqual(draw(1, 'turnout'));
    expect(draw(1, 'on-scene')).not.toEqual(draw(2, 'on-scene'));
    const s = randomStream(5, 'mean');
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += s.exponential(10);
    // Mean 10, standard error 10 / sqrt(1e5) = 0.032.
    expect(Math.abs(sum / 100_000 - 10)).toBeLessThan(0.15);
  });
});
