/**
 * npm run simulate -- --scenario <file> --days <n> --seed <s> --out <dir>
 *   [--compare <scenarioB>]
 *
 * Runs a scenario (default: the demo city's, simulations/scenarios/
 * <city>.json) and writes calls.csv, summary.json and report.html into
 * <dir>; with --compare, the second scenario's calls.csv and summary.json
 * go into <dir>/b and report.html shows both side by side.
 * Exit codes: 0 done, 2 bad arguments or scenario.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULT_CITY } from '@dispatch/routing';

import { loadScenario } from '../src/scenario/validate.ts';
import { ScenarioError } from '../src/scenario/errors.ts';
import { prepareCity, runScenario, type CityContext } from '../src/run.ts';
import { reportRun, writeReport, writeRunFiles } from '../src/results/write.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const USAGE =
  'usage: npm run simulate -- [--scenario <file>] [--days <n>] [--seed <s>] [--out <dir>] [--compare <scenarioB>]';

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: 'string' },
        days: { type: 'string', default: '7' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string', default: path.join(here, '..', 'out') },
        compare: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const days = Number(values.days);
  if (!(days > 0) || !Number.isFinite(days)) {
    fail(`--days: expected a positive number, got ${values.days}`);
  }
  const seed = /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const scenarioFile =
    values.scenario ??
    path.join(
      here,
      '..',
      'scenarios',
      `${process.env.CITY ?? DEFAULT_CITY}.json`,
    );
  const outDir = path.resolve(values.out);
  try {
    const a = loadScenario(scenarioFile);
    const b = values.compare ? loadScenario(values.compare) : undefined;
    const contextA = prepareCity(a);
    const sameCity =
      b &&
      b.city === a.city &&
      b.travel.model === a.travel.model &&
      b.travel.emergencySpeedFactor === a.travel.emergencySpeedFactor;
    const contextB: CityContext | undefined = b
      ? sameCity
        ? contextA
        : prepareCity(b)
      : undefined;
    const runA = reportRun(
      runScenario(a, { days, seed, cityContext: contextA }),
    );
    writeRunFiles(outDir, runA);
    const runs = [runA];
    if (b) {
      const runB = reportRun(
        runScenario(b, { days, seed, cityContext: contextB }),
      );
      writeRunFiles(path.join(outDir, 'b'), runB);
      runs.push(runB);
    }
    writeReport(outDir, runs);
    for (const r of runs) {
      const s = r.summary;
      console.log(
        `${s.scenario}: ${s.calls} calls, within ${s.targetSeconds} s ${pct(s.withinTargetRatio)}, ` +
          `p50 ${s.responseSeconds.p50} s, p90 ${s.responseSeconds.p90} s, ` +
          `no unit free ${pct(s.allBusyFraction)}, utilisation ${pct(s.utilisation)}`,
      );
    }
    console.log(`wrote ${path.join(outDir, 'report.html')}`);
  } catch (err) {
    if (err instanceof ScenarioError) {
      console.error(`scenario error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

const pct = (x: number | null) =>
  x === null ? '-' : `${(x * 100).toFixed(1)}%`;

main();
