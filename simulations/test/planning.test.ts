import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import fc from 'fast-check';
import type { OsmElement } from 'tiny-osmpbf';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  createRouting,
  EmbeddedRouter,
  loadCityPack,
  type CityPack,
  type Router,
} from '@dispatch/routing';

import { buildRoadGraphFromOsm } from '../../routing/src/graph/build.ts';
import {
  evaluate,
  loadPopulationCells,
  parsePlanArgs,
  parsePopulationCsv,
  planStations,
  PlanningError,
  solveMexclp,
  type CoverageInstance,
  type PopulationCell,
  type StationPlan,
} from '../src/planning/index.ts';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

describe('MEXCLP solver', () => {
  // L covers a,b; M covers b,c; R covers c,d. Weights 4,5,5,4. Greedy takes
  // M first (10) and ends at 14; the optimum, L and R, covers 18.
  const trap: CoverageInstance = {
    weights: [4, 5, 5, 4],
    covers: [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
  };

  it('leaves the greedy trap by interchange and finds the known optimum', () => {
    const solution = solveMexclp(trap, { k: 2, busyFraction: 0 });
    expect(solution.greedy.sites).toEqual([0, 1]);
    expect(solution.greedy.coveredWeight).toBe(14);
    expect(solution.best.sites).toEqual([0, 2]);
    expect(solution.best.coveredWeight).toBe(18);
    expect(solution.moves).toBeGreaterThan(0);
  });

  it('stacks ambulances where the busy fraction makes a second one worth more', () => {
    // One site covers 100 people, another 30. With q = 0.5 a second unit
    // on the big site adds 25, a first on the small one only 15.
    const instance = { weights: [100, 30], covers: [[0], [1]] };
    const one = solveMexclp(instance, { k: 2, busyFraction: 0.5 });
    expect(one.best.sites).toEqual([0, 1]);
    const stacked = solveMexclp(instance, {
      k: 2,
      busyFraction: 0.5,
      maxPerSite: 2,
    });
    expect(stacked.best.sites).toEqual([0, 0]);
    expect(stacked.best.expectedCoverage).toBeCloseTo(75);
  });

  it('is never worse than greedy and within 1 - 1/e of the brute-force optimum', () => {
    const instance = fc.record({
      weights: fc.array(fc.integer({ min: 0, max: 100 }), {
        minLength: 1,
        maxLength: 8,
      }),
      sites: fc.integer({ min: 2, max: 6 }),
      seed: fc.array(fc.array(fc.nat(7), { maxLength: 5 }), {
        minLength: 6,
        maxLength: 6,
      }),
      k: fc.integer({ min: 1, max: 2 }),
      q: fc.constantFrom(0, 0.3),
    });
    fc.assert(
      fc.property(instance, ({ weights, sites, seed, k, q }) => {
        const covers = seed
          .slice(0, sites)
          .map((list) => [...new Set(list.filter((j) => j < weights.length))]);
        const inst = { weights, covers };
        const solution = solveMexclp(inst, { k, busyFraction: q });
        const optimum = bruteForce(inst, k, q);
        expect(solution.best.expectedCoverage).toBeGreaterThanOrEqual(
          solution.greedy.expectedCoverage - 1e-9,
        );
        expect(solution.best.expectedCoverage).toBeLessThanOrEqual(
          optimum + 1e-9,
        );
        expect(solution.best.expectedCoverage).toBeGreaterThanOrEqual(
          (1 - 1 / Math.E) * optimum - 1e-9,
        );
      }),
      { numRuns: 200, seed: 6 },
    );
  });

  it('rejects bad k, busy fraction and over-full layouts with clear errors', () => {
    const bad = (options: Parameters<typeof solveMexclp>[1]) => () =>
      solveMexclp(trap, options);
    expect(bad({ k: 0, busyFraction: 0 })).toThrow(/k: expected a whole/);
    expect(bad({ k: 1.5, busyFraction: 0 })).toThrow(/k: expected a whole/);
    expect(bad({ k: 1, busyFraction: 1 })).toThrow(/busy fraction/);
    expect(bad({ k: 4, busyFraction: 0 })).toThrow(
      /4 ambulances do not fit on 3 candidate sites/,
    );
    expect(bad({ k: 2, busyFraction: 0, starts: [[0, 0]] })).toThrow(
      /start layout/,
    );
    expect(bad({ k: 1, busyFraction: NaN })).toThrow(PlanningError);
  });
});

describe('plan:stations arguments', () => {
  it('reads k, busy fraction, target and output file', () => {
    expect(
      parsePlanArgs(['--k', '7', '--busy', '0.3', '--out', 'plan.json']),
    ).toEqual({
      k: 7,
      busyFraction: 0.3,
      targetSeconds: 180,
      maxPerSite: 1,
      city: undefined,
      out: 'plan.json',
    });
  });

  it.each([
    [[], /--k is required/],
    [['--k', '0'], /--k: expected a whole number >= 1, got "0"/],
    [['--k', 'seven'], /--k: expected a whole number >= 1, got "seven"/],
    [['--k', '2.5'], /--k: expected a whole number/],
    [
      ['--k', '7', '--busy', '1'],
      /--busy: expected the busy fraction q in \[0, 1\)/,
    ],
    [['--k', '7', '--busy', '-0.1'], /--busy/],
    [['--k', '7', '--target', '0'], /--target: expected a positive number/],
    [['--k', '7', '--speed', '3'], /Unknown option '--speed'/],
    [['--k', '7', 'extra'], /Unexpected argument 'extra'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parsePlanArgs(argv)).toThrow(message);
    try {
      parsePlanArgs(argv);
    } catch (err) {
      expect(err).toBeInstanceOf(PlanningError);
      expect((err as PlanningError).code).toBe('PLAN_INVALID_ARGUMENT');
    }
  });

  it('the command prints the error and exits with status 2', async () => {
    const run = promisify(execFile);
    const failure = await run(
      process.execPath,
      ['--import', 'tsx', 'simulations/bin/plan-stations.ts', '--k', 'x'],
      { cwd: ROOT },
    ).catch((err: { code: number; stderr: string }) => err);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /plan:stations: --k: expected a whole number >= 1, got "x"/,
    );
  });

  it('a malformed population row names its line', () => {
    expect(() =>
      parsePopulationCsv('id,lon,lat,population\na,1,2,3\nb,1,x,3\n', 'p.csv'),
    ).toThrow('p.csv line 3: expected an id, lon, lat and a population >= 0');
    expect(() => parsePopulationCsv('id,lon,lat\n', 'p.csv')).toThrow(
      'p.csv: no "population" column',
    );
  });
});

describe('station planning on a hand-made road', () => {
  // A straight tertiary road along the equator, 0 to 0.12 degrees of
  // longitude (13 km; 40 km/h, so 180 s reach about 2 km = 0.018 deg).
  // Towns of 1000 at lon 0.01 and 0.11, a village of 300 at 0.06, empty
  // cells every 0.01 in between. No base reaches two of them.
  const elements: OsmElement[] = [];
  for (let i = 0; i <= 60; i++) {
    elements.push({ type: 'node', id: i + 1, lat: 0, lon: i * 0.002 });
  }
  elements.push({
    type: 'way',
    id: 100,
    nodes: Array.from({ length: 61 }, (_, i) => i + 1),
    tags: { highway: 'tertiary' },
  });
  const router = new EmbeddedRouter(
    buildRoadGraphFromOsm((handler) => elements.forEach(handler), {
      minComponentNodes: 1,
    }),
  );
  const people: Record<number, number> = { 1: 1000, 6: 300, 11: 1000 };
  const cells: PopulationCell[] = Array.from({ length: 12 }, (_, i) => ({
    id: `cell-${i}`,
    location: { lat: 0.0005, lon: i * 0.01 },
    population: people[i] ?? 0,
  }));
  const city = {
    id: 'line-town',
    stationList: [
      { id: 'mid', name: 'Mid', location: { lat: 0, lon: 0.06 } },
      { id: 'west', name: 'West', location: { lat: 0, lon: 0.035 } },
    ],
  } as unknown as CityPack;

  it('two ambulances: one in each town (2000 covered), not the current 300', async () => {
    const plan = await planStations(city, cells, router, { k: 2 });
    expect(plan.current.coveredPopulation).toBe(300);
    expect(plan.suggested.coveredPopulation).toBe(2000);
    expect(plan.gain.coveredPopulation).toBe(1700);
    const lons = plan.suggested.bases.map((b) => b.location.lon).sort();
    expect(Math.abs((lons[0] as number) - 0.01)).toBeLessThan(0.015);
    expect(Math.abs((lons[1] as number) - 0.11)).toBeLessThan(0.015);
    expect(plan.population).toEqual({ total: 2300, cells: 12, offNetwork: 0 });
  });

  it('three ambulances at q = 0.5, two per base allowed: two in one town, one in the other', async () => {
    // One per place: 0.5 x 2300 = 1150. Two in a town and one in the
    // other: 0.75 x 1000 + 0.5 x 1000 = 1250, the optimum.
    const plan = await planStations(city, cells, router, {
      k: 3,
      busyFraction: 0.5,
      maxPerSite: 2,
    });
    expect(plan.suggested.expectedCoverage).toBe(1250);
    expect(plan.suggested.coveredPopulation).toBe(2000);
    expect(plan.suggested.bases.map((b) => b.ambulances).sort()).toEqual([
      1, 2,
    ]);
  });
});

describe('station planning on the Porto Alegre network', () => {
  let router: Router;
  let city: CityPack;
  let cells: PopulationCell[];
  let mclp: StationPlan;

  beforeAll(async () => {
    city = loadCityPack('porto-alegre');
    cells = loadPopulationCells(city);
    router = createRouting(city, {}).emergency;
    mclp = await planStations(city, cells, router, { k: 7 });
  });

  it('reads the whole population grid (1227 cells, 813k residents)', () => {
    expect(cells).toHaveLength(1227);
    expect(mclp.population.total).toBe(812935);
  });

  it('the greedy layout covers at least as many residents as the current 7 stations', () => {
    expect(mclp.current.bases).toHaveLength(7);
    expect(mclp.current.bases.every((b) => b.currentStation)).toBe(true);
    expect(mclp.greedy.coveredPopulation).toBeGreaterThanOrEqual(
      mclp.current.coveredPopulation,
    );
    expect(mclp.suggested.coveredPopulation).toBeGreaterThanOrEqual(
      mclp.greedy.coveredPopulation,
    );
    expect(mclp.suggested.bases.reduce((n, b) => n + b.ambulances, 0)).toBe(7);
  });

  it('its covered population agrees with a travel-time field from the suggested bases', async () => {
    const field = await router.travelTimes(
      mclp.suggested.bases.map((b) => b.location),
      { maxSeconds: 180 },
    );
    let covered = 0;
    for (const cell of cells) {
      const seconds = field.secondsTo(cell.location);
      if (seconds !== undefined && seconds <= 180) covered += cell.population;
    }
    expect(Math.abs(covered - mclp.suggested.coveredPopulation)).toBeLessThan(
      0.01 * covered,
    );
  });

  it('with busy fraction 0.3 the expected coverage beats the current stations', async () => {
    const plan = await planStations(city, cells, router, {
      k: 7,
      busyFraction: 0.3,
    });
    // A resident covered once is expected covered 70% of the time.
    expect(plan.current.expectedCoverage).toBeLessThanOrEqual(
      plan.current.coveredPopulation,
    );
    expect(plan.current.expectedCoverage).toBeGreaterThanOrEqual(
      0.7 * plan.current.coveredPopulation - 1,
    );
    expect(plan.greedy.expectedCoverage).toBeGreaterThanOrEqual(
      plan.current.expectedCoverage,
    );
    expect(plan.gain.expectedCoverage).toBeGreaterThan(0);
  });
});

/** The best expected coverage over every multiset-free choice of k sites. */
function bruteForce(instance: CoverageInstance, k: number, q: number): number {
  let best = 0;
  const n = instance.covers.length;
  const choose = (from: number, picked: number[]): void => {
    if (picked.length === k) {
      best = Math.max(best, evaluate(instance, picked, q).expectedCoverage);
      return;
    }
    for (let i = from; i < n; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return best;
}
