/**
 * report.html: one self-contained page (inline CSS and SVG, no script,
 * no network) with the figures, charts and map of one run, or of two
 * runs side by side when comparing scenarios.
 */
import { INTERVAL_NAMES } from '@dispatch/server/policy';

import type { RunResult } from '../run.ts';
import { mapLegend, responseMap } from './map.ts';
import type { Measured, Summary } from './summary.ts';
import { barChart, esc, responseColor } from './svg.ts';

/** One run as the report needs it. */
export interface ReportRun {
  run: RunResult;
  summary: Summary;
  measured: readonly Measured[];
}

const pct = (x: number | null) =>
  x === null ? '-' : `${(x * 100).toFixed(1)}%`;
const sec = (x: number | null) => (x === null ? '-' : `${Math.round(x)} s`);

const INTERVAL_LABELS: Record<(typeof INTERVAL_NAMES)[number], string> = {
  callProcessing: 'call processing',
  turnout: 'turnout',
  travel: 'travel',
  response: 'response',
};

function cards(s: Summary): string {
  const items: [string, string][] = [
    ['calls', String(s.calls)],
    [`within ${s.targetSeconds} s`, pct(s.withinTargetRatio)],
    ['response p50', sec(s.responseSeconds.p50)],
    ['response p90', sec(s.responseSeconds.p90)],
    ['found no unit free', pct(s.allBusyFraction)],
    ['fleet utilisation', pct(s.utilisation)],
  ];
  return `<div class="cards">${items.map(([k, v]) => `<div><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join('')}</div>`;
}

function intervalTable(s: Summary): string {
  const rows = INTERVAL_NAMES.map((name) => {
    const i = s.intervals[name];
    return `<tr><td>${INTERVAL_LABELS[name]}</td><td>${i.count}</td><td>${sec(i.p50)}</td><td>${sec(i.p90)}</td></tr>`;
  });
  return `<table><tr><th>interval</th><th>calls</th><th>p50</th><th>p90</th></tr>${rows.join('')}</table>`;
}

function priorityTable(s: Summary): string {
  const rows = (['1', '2', '3'] as const).map((p) => {
    const g = s.byPriority[p]!;
    return `<tr><td>${p}</td><td>${g.calls}</td><td>${pct(g.withinTargetRatio)}</td><td>${sec(g.responseSeconds.p50)}</td><td>${sec(g.responseSeconds.p90)}</td><td>${pct(g.allBusyFraction)}</td></tr>`;
  });
  return `<table><tr><th>priority</th><th>calls</th><th>within target</th><th>p50</th><th>p90</th><th>no unit free</th></tr>${rows.join('')}</table>`;
}

function districtTable(s: Summary): string {
  const rows = Object.entries(s.byDistrict)
    .sort((a, b) => b[1].calls - a[1].calls)
    .map(
      ([id, g]) =>
        `<tr><td>${esc(id)}</td><td>${g.calls}</td><td>${pct(g.withinTargetRatio)}</td><td>${sec(g.responseSeconds.p50)}</td><td>${sec(g.responseSeconds.p90)}</td></tr>`,
    );
  return `<details><summary>By district (H3 resolution 7), ${rows.length} districts</summary><table><tr><th>district</th><th>calls</th><th>within target</th><th>p50</th><th>p90</th></tr>${rows.join('')}</table></details>`;
}

function histogram(r: ReportRun): string {
  const binSeconds = 30;
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const m of r.measured) {
    const v = m.intervals.response;
    if (v === null) continue;
    counts[Math.min(bins - 1, Math.floor(v / binSeconds))]!++;
  }
  const target = r.summary.targetSeconds;
  return barChart({
    title: 'Response times (calls per 30 s; last bar: 870 s and over)',
    labels: counts.map((_, i) => `${i * binSeconds}`),
    values: counts,
    unit: 'seconds from call to first unit on scene',
    colorOf: (_, i) => responseColor(i * binSeconds + binSeconds / 2, target),
    marker: { at: target / binSeconds, label: `target ${target} s` },
  });
}

function byHour(s: Summary): string {
  return (
    barChart({
      title: 'Response p90 by hour of day (local)',
      labels: s.byHourOfDay.map((_, h) => String(h).padStart(2, '0')),
      values: s.byHourOfDay.map((g) => g.responseSeconds.p90),
      unit: 'seconds, by hour of day',
      colorOf: (v) => responseColor(v, s.targetSeconds),
    }) +
    barChart({
      title: 'Calls by hour of day',
      labels: s.byHourOfDay.map((_, h) => String(h).padStart(2, '0')),
      values: s.byHourOfDay.map((g) => g.calls),
      unit: 'calls, by hour of day',
      height: 150,
    })
  );
}

function unitsChart(s: Summary): string {
  return barChart({
    title: 'Unit utilisation (busy time over time on shift)',
    labels: s.units.map((u) => u.callSign),
    values: s.units.map((u) => u.utilisation),
    unit: 'share of shift busy, by unit',
    height: 170,
  });
}

function column(r: ReportRun): string {
  const s = r.summary;
  return `<section>
<h2>${esc(s.scenario)}</h2>
<p class="meta">${esc(s.city)} · ${s.days} days · seed ${esc(s.seed)} · policy ${esc(s.policy)}${s.moveUp ? ' with move-up' : ''} · travel ${esc(s.travelModel)} · ${r.run.scenario.fleet.units.length} units</p>
${cards(s)}
<h3>Intervals</h3>${intervalTable(s)}
<h3>By priority</h3>${priorityTable(s)}
${histogram(r)}
${byHour(s)}
<h3>Median response by hexagon</h3>
${responseMap(r.run, s)}
${mapLegend(s.targetSeconds)}
${districtTable(s)}
${unitsChart(s)}
</section>`;
}

function comparison(ra: ReportRun, rb: ReportRun): string {
  const a = ra.summary;
  const b = rb.summary;
  const rows: [string, string, string, string][] = [
    ['calls', String(a.calls), String(b.calls), ''],
    [
      `within ${a.targetSeconds} s`,
      pct(a.withinTargetRatio),
      pct(b.withinTargetRatio),
      delta(
        a.withinTargetRatio,
        b.withinTargetRatio,
        (d) => `${(d * 100).toFixed(1)} points`,
      ),
    ],
    [
      'response p50',
      sec(a.responseSeconds.p50),
      sec(b.responseSeconds.p50),
      delta(
        a.responseSeconds.p50,
        b.responseSeconds.p50,
        (d) => `${Math.round(d)} s`,
      ),
    ],
    [
      'response p90',
      sec(a.responseSeconds.p90),
      sec(b.responseSeconds.p90),
      delta(
        a.responseSeconds.p90,
        b.responseSeconds.p90,
        (d) => `${Math.round(d)} s`,
      ),
    ],
    [
      'found no unit free',
      pct(a.allBusyFraction),
      pct(b.allBusyFraction),
      delta(
        a.allBusyFraction,
        b.allBusyFraction,
        (d) => `${(d * 100).toFixed(1)} points`,
      ),
    ],
    [
      'fleet utilisation',
      pct(a.utilisation),
      pct(b.utilisation),
      delta(
        a.utilisation,
        b.utilisation,
        (d) => `${(d * 100).toFixed(1)} points`,
      ),
    ],
  ];
  return `<h2>Side by side</h2><table class="cmp"><tr><th></th><th>A: ${esc(a.scenario)}</th><th>B: ${esc(b.scenario)}</th><th>B − A</th></tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join(
      '',
    )}</table><p class="meta">${esc(sameCalls(ra, rb) ? 'Both runs answer the same calls with the same drawn times (same city, demand, days and seed), so the differences come from the fleet, the times and the policy.' : 'The runs differ in city, demand, days or seed: they answer different calls.')}</p>`;
}

function sameCalls(a: ReportRun, b: ReportRun): boolean {
  return (
    a.run.context.city.id === b.run.context.city.id &&
    a.run.days === b.run.days &&
    a.run.seed === b.run.seed &&
    JSON.stringify(a.run.scenario.demand) ===
      JSON.stringify(b.run.scenario.demand)
  );
}

function delta(
  a: number | null,
  b: number | null,
  show: (d: number) => string,
): string {
  if (a === null || b === null) return '-';
  const d = b - a;
  return (d > 0 ? '+' : '') + show(d);
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}h1{font-size:20px}h2{font-size:17px;margin:12px 0 4px}h3{font-size:14px;margin:14px 0 4px}
.cols{display:flex;gap:24px;flex-wrap:wrap}.cols section{flex:1 1 560px;min-width:560px}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:6px;margin:8px 0}.cards div{background:#f3f5f8;padding:6px 8px;border-radius:4px}.cards b{display:block;font-size:18px}.cards span{color:#555;font-size:12px}
table{border-collapse:collapse;margin:4px 0}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.meta{color:#555;font-size:12px}svg{display:block;margin:8px 0}svg .t{font-size:12px;font-weight:600}svg .a{font-size:10px;fill:#444}svg .g{stroke:#e5e5e5}svg .m{stroke:#c00;stroke-dasharray:4 3}
.map polygon{stroke:#fff;stroke-width:.4}.map .st{fill:#111;stroke:#fff}.map .ho{stroke:#b00;stroke-width:2.5}
.legend span{margin-right:10px;font-size:12px}.legend i{display:inline-block;width:12px;height:12px;margin-right:3px;vertical-align:-2px}`;

/** The report page of one run, or of two compared (A first). */
export function reportHtml(runs: readonly ReportRun[]): string {
  const title =
    runs.length === 1
      ? `Simulation: ${runs[0]!.summary.scenario}`
      : `Simulation: ${runs[0]!.summary.scenario} vs ${runs[1]!.summary.scenario}`;
  const compare = runs.length === 2 ? comparison(runs[0]!, runs[1]!) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1>
<p class="meta">Discrete-event simulation with the live dispatch policy (rankCandidates) and road drive times of the embedded router. Hexagons: the city's population grid. Response: call received to first unit on scene.</p>
${compare}
<div class="cols">${runs.map(column).join('')}</div>
</body></html>
`;
}
