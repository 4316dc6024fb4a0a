/**
 * The planner's drawings, built with DOM APIs only (no chart library, no
 * HTML parsing): the response-time histogram as inline SVG, and the
 * by-hour and by-priority tables, in the language in use when drawn (the
 * planner draws them again on a switch).
 */
import { el } from '../shared/dom.ts';
import { formatMmSs } from '../shared/format.ts';
import { t } from '../shared/i18n.ts';
import type { Priority } from '../shared/types.ts';
import type { IntervalName, IntervalSummary, ReportFigures } from './report.ts';
import { formatPercent, type Histogram, type HourRow } from './stats.ts';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  children: (Node | string)[] = [],
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  node.append(...children);
  return node;
}

/** An interval's name in the language in use. */
export function intervalLabel(name: IntervalName): string {
  return t(`interval.${name}`);
}

/**
 * The histogram of response times: one bar per bin and one for overflow
 * (`20:00+`), a dashed line at the target, minutes along the bottom.
 */
export function histogramChart(
  data: Histogram,
  targetSeconds: number,
): SVGSVGElement {
  const width = 860;
  const height = 250;
  const left = 36;
  const right = 12;
  const top = 22;
  const bottom = 34;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const maxSeconds = data.bins.at(-1)?.to ?? 1200;
  const slots = data.bins.length + 1;
  const slot = plotWidth / slots;
  const x = (seconds: number) =>
    left + (seconds / maxSeconds) * (plotWidth - slot);
  const barHeight = (count: number) => (count / data.peak) * plotHeight;

  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'histogram',
    role: 'img',
    'aria-label': t('chart.label'),
  });
  chart.dataset.testid = 'histogram';

  // Grid lines and the count scale, at whole counts only.
  const ticks = [...new Set([0, Math.round(data.peak / 2), data.peak])];
  for (const tick of ticks) {
    const y = top + plotHeight - barHeight(tick);
    chart.append(
      svg('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'grid' }),
      svg(
        'text',
        { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' },
        [String(tick)],
      ),
    );
  }

  const bars = [
    ...data.bins.map((bin) => ({
      count: bin.count,
      label: `${formatMmSs(bin.from)}–${formatMmSs(bin.to)}`,
      late: bin.from >= targetSeconds,
      at: x(bin.from),
    })),
    {
      count: data.overflow,
      label: t('chart.orMore', { time: formatMmSs(maxSeconds) }),
      late: true,
      at: left + plotWidth - slot,
    },
  ];
  for (const bar of bars) {
    const h = barHeight(bar.count);
    const rect = svg(
      'rect',
      {
        x: bar.at + 1,
        y: top + plotHeight - h,
        width: Math.max(1, slot - 2),
        height: h,
        class: bar.late ? 'bar late' : 'bar',
      },
      [svg('title', {}, [`${bar.label}: ${bar.count}`])],
    );
    rect.dataset.testid = 'histogram-bar';
    rect.dataset.count = String(bar.count);
    chart.append(rect);
  }

  // Minutes along the bottom, every two minutes, and the overflow bar.
  for (let minute = 0; minute * 60 <= maxSeconds; minute += 2) {
    chart.append(
      svg(
        'text',
        {
          x: x(minute * 60),
          y: height - bottom + 16,
          class: 'axis',
          'text-anchor': 'middle',
        },
        [String(minute)],
      ),
    );
  }
  chart.append(
    svg(
      'text',
      {
        x: left + plotWidth - slot / 2,
        y: height - bottom + 16,
        class: 'axis',
        'text-anchor': 'middle',
      },
      ['+'],
    ),
    svg(
      'text',
      {
        x: left + plotWidth / 2,
        y: height - 4,
        class: 'axis',
        'text-anchor': 'middle',
      },
      [t('chart.axis')],
    ),
  );

  // The target.
  const tx = x(Math.min(targetSeconds, maxSeconds));
  const marker = svg('g', { class: 'target' }, [
    svg('line', { x1: tx, x2: tx, y1: top - 8, y2: top + plotHeight }),
    svg('text', { x: tx + 4, y: top - 10 }, [
      t('chart.target', { time: formatMmSs(targetSeconds) }),
    ]),
  ]);
  marker.dataset.testid = 'histogram-target';
  chart.append(marker);
  return chart;
}

function cell(text: string, className = ''): HTMLTableCellElement {
  return el('td', { text, ...(className ? { className } : {}) });
}

function headRow(names: string[]): HTMLTableSectionElement {
  return el('thead', {}, [
    el(
      'tr',
      {},
      names.map((name) => el('th', { text: name, attrs: { scope: 'col' } })),
    ),
  ]);
}

/**
 * The by-hour table: 24 rows on the city's wall clock, each with its
 * count as a bar, the response p50 and p90, and the share within target.
 */
export function byHourTable(rows: HourRow[]): HTMLTableElement {
  const peak = Math.max(1, ...rows.map((r) => r.count));
  const body = el(
    'tbody',
    {},
    rows.map((row) => {
      const bar = el('span', { className: 'hour-bar' });
      bar.style.width = `${(row.count / peak) * 100}%`;
      const tr = el('tr', {}, [
        el('th', {
          text: `${String(row.hour).padStart(2, '0')}:00`,
          attrs: { scope: 'row' },
        }),
        cell(String(row.count), 'num'),
        el('td', { className: 'bar-cell' }, [bar]),
        cell(formatMmSs(row.p50), 'num'),
        cell(formatMmSs(row.p90), 'num'),
        cell(formatPercent(row.withinTargetRatio), 'num'),
      ]);
      tr.dataset.hour = String(row.hour);
      tr.dataset.count = String(row.count);
      if (row.count === 0) tr.className = 'empty';
      return tr;
    }),
  );
  return el('table', { className: 'figures by-hour', testId: 'by-hour' }, [
    headRow([
      t('chart.hour'),
      t('chart.calls'),
      '',
      'p50',
      'p90',
      t('chart.within'),
    ]),
    body,
  ]);
}

/** The by-priority table from the server's report. */
export function byPriorityTable(
  rows: { priority: Priority; figures: ReportFigures }[],
): HTMLTableElement {
  const p50 = (s: IntervalSummary) => formatMmSs(s.p50);
  const body = el(
    'tbody',
    {},
    rows.map(({ priority, figures }) => {
      const tr = el('tr', {}, [
        el('th', { text: `P${priority}`, attrs: { scope: 'row' } }),
        cell(String(figures.count), 'num'),
        cell(formatPercent(figures.withinTargetRatio), 'num'),
        cell(p50(figures.intervals.callProcessing), 'num'),
        cell(p50(figures.intervals.turnout), 'num'),
        cell(p50(figures.intervals.travel), 'num'),
        cell(p50(figures.intervals.response), 'num'),
        cell(formatMmSs(figures.intervals.response.p90), 'num'),
      ]);
      tr.dataset.priority = String(priority);
      tr.dataset.count = String(figures.count);
      return tr;
    }),
  );
  return el(
    'table',
    { className: 'figures by-priority', testId: 'by-priority' },
    [
      headRow([
        t('chart.priority'),
        t('chart.calls'),
        t('chart.within'),
        t('chart.callProcessingP50'),
        t('chart.turnoutP50'),
        t('chart.travelP50'),
        t('chart.responseP50'),
        t('chart.responseP90'),
      ]),
      body,
    ],
  );
}
