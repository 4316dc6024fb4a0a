/**
 * `npm run import:calls -- --format lancaster-ne|san-francisco [--file f]
 * [--out dir]`: reads a real CAD export through its column mapping and
 * prints its response-time figures as the planner view shows them; with
 * `--out`, writes them as `response-times.json` (the shape of
 * `GET /api/metrics/response-times`, plus by hour, the demand estimated
 * for a scenario, and the import's counts).
 * Exit status 2 on bad arguments or an unusable file.
 */
import fs from 'node:fs';
import path from 'node:path';

import { runCommand } from '../src/cli/args.ts';
import {
  importCalls,
  ImportError,
  INTERVAL_LABELS,
  parseImportArgs,
  type ImportReport,
} from '../src/import/index.ts';

await runCommand('import:calls', [ImportError], async () => {
  const args = parseImportArgs(process.argv.slice(2));
  if (args.file === undefined && args.mapping.defaultFile === '') {
    throw new ImportError(
      'IMPORT_INVALID_ARGUMENT',
      `--file is required with --mapping (format ${args.mapping.id} has no bundled sample)`,
    );
  }
  const { report } = importCalls(
    args.mapping,
    args.file && path.resolve(args.file),
    args.targetSeconds,
  );
  print(report);
  if (args.out) {
    fs.mkdirSync(args.out, { recursive: true });
    const file = path.join(args.out, 'response-times.json');
    fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    console.log(`report written to ${file}`);
  }
});

function print(report: ImportReport): void {
  const { import: info } = report;
  console.log(`${info.format}: ${info.file}`);
  console.log(
    `rows read ${info.rowsRead}, skipped ${info.rowsSkipped}, calls ${info.calls} (${report.from} to ${report.to})`,
  );
  for (const [reason, count] of Object.entries(info.skipped)) {
    if (count > 0) console.log(`  skipped ${reason}: ${count}`);
  }
  for (const example of info.skippedExamples) {
    console.log(
      `    line ${example.line} ${example.reason}: ${example.detail}`,
    );
  }
  console.log(`interval            count      p50      p90`);
  const row = (
    label: string,
    s: { count: number; p50: number | null; p90: number | null },
  ) =>
    console.log(
      `${label.padEnd(18)} ${String(s.count).padStart(6)} ${sec(s.p50)} ${sec(s.p90)}`,
    );
  for (const [name, summary] of Object.entries(report.intervals)) {
    row(INTERVAL_LABELS[name as keyof typeof INTERVAL_LABELS], summary);
  }
  row('dispatch→on scene', report.dispatchToOnScene);
  console.log(
    `within ${report.targetSeconds} s: response ${pct(report.withinTargetRatio)}, ` +
      `dispatch→on scene ${pct(report.dispatchToOnScene.withinTargetRatio)}`,
  );
  for (const [priority, sub] of Object.entries(report.byPriority ?? {})) {
    const headline =
      report.byHourInterval === 'response'
        ? `response p90 ${sec(sub.intervals.response.p90)} within ${pct(sub.withinTargetRatio)}`
        : `travel p90 ${sec(sub.intervals.travel.p90)}`;
    console.log(`priority ${priority}: ${sub.count} calls, ${headline}`);
  }
  console.log(
    `unprioritised: ${info.unprioritised.count}; with location: ${info.withLocation}`,
  );
  console.log(`by hour (${report.byHourInterval}): hour count p50 p90 within`);
  for (const h of report.byHour) {
    console.log(
      `  ${String(h.hour).padStart(2, '0')} ${String(h.count).padStart(6)} ${sec(h.p50)} ${sec(h.p90)} ${pct(h.withinTargetRatio).padStart(5)}`,
    );
  }
  const demand = report.demand;
  if (demand) {
    const fixed = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `demand over ${demand.days} days from ${demand.calendar.startDate}: ${(info.calls / demand.days).toFixed(2)} calls a day (report's "demand" is a scenario's demand.callsPerHour and demand.calendar)`,
    );
    console.log(
      `  weekday factors Mon-Sun: ${fixed(demand.calendar.weekdayFactors)}`,
    );
    console.log(
      `  month factors Jan-Dec:   ${fixed(demand.calendar.monthFactors)}`,
    );
  }
  for (const limitation of info.limitations) console.log(`note: ${limitation}`);
}

function sec(value: number | null): string {
  return (value === null ? '–' : `${value.toFixed(0)} s`).padStart(8);
}

function pct(ratio: number | null): string {
  return ratio === null ? '–' : `${Math.round(ratio * 100)}%`;
}
