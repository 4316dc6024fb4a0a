/** Writes a run's files: calls.csv, summary.json and report.html. */
import fs from 'node:fs';
import path from 'node:path';

import type { RunResult } from '../run.ts';
import { callsCsv } from './calls-csv.ts';
import { reportHtml, type ReportRun } from './report.ts';
import { measureRun, summarise } from './summary.ts';

/** Measures a run for writing and reporting. */
export function reportRun(run: RunResult): ReportRun {
  const measured = measureRun(run);
  return { run, measured, summary: summarise(run, measured) };
}

/** Writes calls.csv and summary.json of `r` into `dir` (created if needed). */
export function writeRunFiles(dir: string, r: ReportRun): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'calls.csv'), callsCsv(r.run, r.measured));
  fs.writeFileSync(
    path.join(dir, 'summary.json'),
    JSON.stringify(r.summary, null, 2) + '\n',
  );
}

/** Writes report.html of one run or two compared into `dir`. */
export function writeReport(dir: string, runs: readonly ReportRun[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'report.html'), reportHtml(runs));
}
