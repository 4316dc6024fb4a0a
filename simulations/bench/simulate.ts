/**
 * npm run bench:simulate: one year of Porto Alegre-scale demand (about
 * 150,000 calls) against 40 units, drive times from the real road
 * network, the live ranking policy. Prints wall time (city load and
 * drive-time matrix included), simulated calls per second and peak RSS;
 * the last line is one JSON object. Goal: <= 60 s on a 2-core machine.
 *
 * Settings: BENCH_DAYS (365), BENCH_CALLS_PER_DAY (411), BENCH_UNITS (40),
 * BENCH_OUT (a folder to also write the run's files into; unset: none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { setting } from '../../scripts/bench/kit.ts';
import { prepareCity, runScenario } from '../src/run.ts';
import { reportRun, writeReport, writeRunFiles } from '../src/results/write.ts';
import { parseScenario } from '../src/scenario/validate.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const days = setting('BENCH_DAYS', 365);
const callsPerDay = setting('BENCH_CALLS_PER_DAY', 411);
const unitCount = setting('BENCH_UNITS', 40);

const started = performance.now();
const demo = JSON.parse(
  fs.readFileSync(
    path.join(here, '..', 'scenarios', 'porto-alegre.json'),
    'utf8',
  ),
);
const stations: string[] = [
  ...new Set(demo.fleet.units.map((u: { station: string }) => u.station)),
] as string[];
// The demo's hourly profile scaled to the asked calls per day.
const profile: number[] = demo.demand.callsPerHour;
const perDay = profile.reduce((s, h) => s + h, 0);
const scenario = parseScenario({
  ...demo,
  name: `bench: ${unitCount} units, ${callsPerDay} calls a day`,
  fleet: {
    units: Array.from({ length: unitCount }, (_, i) => ({
      callSign: `U${String(i + 1).padStart(2, '0')}`,
      capability: i % 3 === 0 ? 'ALS' : 'BLS',
      station: stations[i % stations.length],
    })),
  },
  demand: {
    ...demo.demand,
    callsPerHour: profile.map((h) => (h * callsPerDay) / perDay),
  },
  policy: { ...demo.policy, moveUp: true },
});

const cityStarted = performance.now();
const context = prepareCity(scenario);
const citySeconds = (performance.now() - cityStarted) / 1000;
const run = runScenario(scenario, { days, seed: 1, cityContext: context });
const summaryStarted = performance.now();
const report = reportRun(run);
const summarySeconds = (performance.now() - summaryStarted) / 1000;
if (process.env.BENCH_OUT) {
  writeRunFiles(process.env.BENCH_OUT, report);
  writeReport(process.env.BENCH_OUT, [report]);
}
const wallSeconds = (performance.now() - started) / 1000;
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
const calls = run.calls.length;
const s = report.summary;

console.log(`scenario            ${scenario.name}, ${days} days, move-up on`);
console.log(
  `calls               ${calls} (${run.events} events), ${run.units.length} units`,
);
console.log(
  `city + matrix       ${citySeconds.toFixed(2)} s (matrix ${context.matrixSeconds.toFixed(2)} s, ${context.places.count} places)`,
);
console.log(
  `event loop          ${run.loopSeconds.toFixed(2)} s (${Math.round(calls / run.loopSeconds)} calls/s)`,
);
console.log(`summary             ${summarySeconds.toFixed(2)} s`);
console.log(
  `wall                ${wallSeconds.toFixed(2)} s, ${Math.round(calls / wallSeconds)} calls/s, peak RSS ${peakRssMb} MB`,
);
console.log(
  `result              within ${s.targetSeconds} s ${((s.withinTargetRatio ?? 0) * 100).toFixed(1)}%, p50 ${s.responseSeconds.p50} s, p90 ${s.responseSeconds.p90} s, no unit free ${((s.allBusyFraction ?? 0) * 100).toFixed(2)}%, utilisation ${((s.utilisation ?? 0) * 100).toFixed(1)}%`,
);
console.log(
  JSON.stringify({
    calls,
    units: run.units.length,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    callsPerSecond: Math.round(calls / wallSeconds),
    peakRssMb,
    loopSeconds: Math.round(run.loopSeconds * 100) / 100,
    matrixSeconds: Math.round(context.matrixSeconds * 100) / 100,
  }),
);
