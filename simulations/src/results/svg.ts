/** Small inline-SVG chart builders for the report: no scripts, no network. */

export const esc = (text: string | number) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** A bar chart; `marker` draws a vertical line at that x value (a target). */
export function barChart(options: {
  title: string;
  labels: string[];
  values: (number | null)[];
  unit: string;
  width?: number;
  height?: number;
  colorOf?: (value: number, index: number) => string;
  /** Index position (fractional) of a vertical marker line and its label. */
  marker?: { at: number; label: string };
}): string {
  const width = options.width ?? 560;
  const height = options.height ?? 200;
  const left = 44;
  const bottom = 34;
  const top = 24;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const values = options.values;
  const max = Math.max(1e-9, ...values.map((v) => v ?? 0));
  const step = plotW / Math.max(1, values.length);
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="14" class="t">${esc(options.title)}</text>`);
  for (const tick of [0, 0.5, 1]) {
    const y = top + plotH * (1 - tick);
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${f1(y)}" y2="${f1(y)}" class="g"/>`,
      `<text x="${left - 4}" y="${f1(y + 4)}" class="a" text-anchor="end">${esc(formatTick(max * tick))}</text>`,
    );
  }
  values.forEach((v, i) => {
    if (v === null) return;
    const h = (v / max) * plotH;
    const color = options.colorOf ? options.colorOf(v, i) : '#3b6fb6';
    parts.push(
      `<rect x="${f1(left + i * step + 1)}" y="${f1(top + plotH - h)}" width="${f1(Math.max(1, step - 2))}" height="${f1(h)}" fill="${color}"><title>${esc(options.labels[i] ?? '')}: ${esc(formatTick(v))} ${esc(options.unit)}</title></rect>`,
    );
  });
  const every = Math.ceil(values.length / 12);
  options.labels.forEach((label, i) => {
    if (i % every !== 0) return;
    parts.push(
      `<text x="${f1(left + i * step + step / 2)}" y="${height - bottom + 14}" class="a" text-anchor="middle">${esc(label)}</text>`,
    );
  });
  if (options.marker) {
    const x = left + options.marker.at * step;
    parts.push(
      `<line x1="${f1(x)}" x2="${f1(x)}" y1="${top}" y2="${top + plotH}" class="m"/>`,
      `<text x="${f1(x + 3)}" y="${top + 10}" class="a">${esc(options.marker.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${height - 4}" class="a" text-anchor="middle">${esc(options.unit)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

function formatTick(x: number): string {
  if (x >= 100) return String(Math.round(x));
  if (x >= 1) return f1(x);
  return (Math.round(x * 1000) / 1000).toString();
}

/**
 * A colour from green (half the target and under) through yellow to red
 * (three times the target and over), for response seconds: wide enough
 * to tell a 6-minute area from a 9-minute one.
 */
export function responseColor(seconds: number, target: number): string {
  const t = Math.max(0, Math.min(1, (seconds - target * 0.5) / (target * 2.5)));
  // Hue 120 (green) to 0 (red).
  return `hsl(${Math.round(120 * (1 - t))} 70% 45%)`;
}
