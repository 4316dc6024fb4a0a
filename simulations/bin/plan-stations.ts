/**
 * `npm run plan:stations -- --k 7 [--busy 0.3] [--out plan.json]`:
 * suggests where to base k ambulances to cover the most residents within
 * 3 minutes (MEXCLP on the emergency router's drive times) and prints the
 * gain over the city's current stations. Exit status 2 on bad arguments.
 */
import fs from 'node:fs';

import { createRouting, loadCityPack, RoutingError } from '@dispatch/routing';

import { runCommand } from '../src/cli/args.ts';
import {
  loadPopulationCells,
  parsePlanArgs,
  planStations,
  PlanningError,
  type LayoutFigures,
} from '../src/planning/index.ts';

await runCommand('plan:stations', [PlanningError, RoutingError], async () => {
  const args = parsePlanArgs(process.argv.slice(2));
  const city = loadCityPack(args.city);
  const cells = loadPopulationCells(city);
  const started = performance.now();
  const { emergency } = createRouting(city);
  const plan = await planStations(city, cells, emergency, args);
  const seconds = (performance.now() - started) / 1000;
  const line = (label: string, f: LayoutFigures) =>
    `${label.padEnd(10)} covered ${f.coveredPopulation} (${pct(f.coveredRatio)})` +
    `  expected ${f.expectedCoverage} (${pct(f.expectedRatio)})`;
  console.log(
    `${plan.city}: ${plan.k} ambulances, target ${plan.targetSeconds} s, ` +
      `busy fraction ${plan.busyFraction}, ${plan.population.total} residents ` +
      `in ${plan.population.cells} cells, ${plan.candidateSites} candidate sites`,
  );
  console.log(line('current', plan.current));
  console.log(line('greedy', plan.greedy));
  console.log(line('suggested', plan.suggested));
  console.log(
    `gain       covered ${signed(plan.gain.coveredPopulation)}  expected ${signed(plan.gain.expectedCoverage)}` +
      `  (${plan.interchangeMoves} interchange moves, ${seconds.toFixed(1)} s)`,
  );
  for (const base of plan.suggested.bases) {
    console.log(
      `  ${base.ambulances} x ${base.location.lat.toFixed(5)},${base.location.lon.toFixed(5)}  ` +
        `${base.currentStation ? 'current station ' : ''}${base.name}`,
    );
  }
  if (args.out) {
    fs.writeFileSync(args.out, JSON.stringify(plan, null, 2) + '\n');
    console.log(`plan written to ${args.out}`);
  }
});

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : `${n}`;
}
