/** The map of the report: response time by hexagon as inline SVG polygons. */
import { hexagonOf } from '../city/hexgrid.ts';
import type { RunResult } from '../run.ts';
import type { Summary } from './summary.ts';
import { esc, responseColor } from './svg.ts';

/**
 * Every hexagon of the city, filled by the median response of its calls
 * (grey: no call), with stations (squares) and emergency hospitals
 * (crosses). Equirectangular at the city's latitude: true to scale over
 * a city.
 */
export function responseMap(
  run: RunResult,
  summary: Summary,
  width = 560,
): string {
  const { grid, city } = run.context;
  const target = summary.targetSeconds;
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (const c of grid.cells) {
    minLat = Math.min(minLat, c.lat);
    maxLat = Math.max(maxLat, c.lat);
    minLon = Math.min(minLon, c.lon);
    maxLon = Math.max(maxLon, c.lon);
  }
  const pad = 0.004;
  minLat -= pad;
  maxLat += pad;
  minLon -= pad;
  maxLon += pad;
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const scale = width / ((maxLon - minLon) * kx);
  const height = Math.round((maxLat - minLat) * scale);
  const x = (lon: number) => ((lon - minLon) * kx * scale).toFixed(1);
  const y = (lat: number) => ((maxLat - lat) * scale).toFixed(1);
  const parts: string[] = [];
  for (const cell of grid.cells) {
    const stats = summary.byHex[cell.id];
    const p50 = stats?.responseSeconds.p50 ?? null;
    const fill = p50 === null ? '#e4e4e4' : responseColor(p50, target);
    const points = hexagonOf(grid, cell)
      .map(([lon, lat]) => `${x(lon)},${y(lat)}`)
      .join(' ');
    const title = stats
      ? `${cell.id}: ${stats.calls} calls, p50 ${p50 ?? '-'} s, p90 ${stats.responseSeconds.p90 ?? '-'} s, within ${target} s ${stats.withinTargetRatio === null ? '-' : Math.round(stats.withinTargetRatio * 100) + '%'}`
      : `${cell.id}: no calls (population ${cell.population})`;
    parts.push(
      `<polygon points="${points}" fill="${fill}"><title>${esc(title)}</title></polygon>`,
    );
  }
  for (const s of city.stationList) {
    parts.push(
      `<rect x="${(Number(x(s.location.lon)) - 5).toFixed(1)}" y="${(Number(y(s.location.lat)) - 5).toFixed(1)}" width="10" height="10" class="st"><title>${esc(s.name)}</title></rect>`,
    );
  }
  for (const h of city.hospitalList.filter((h) => h.emergency)) {
    const hx = Number(x(h.location.lon));
    const hy = Number(y(h.location.lat));
    parts.push(
      `<path d="M${hx - 5} ${hy}h10M${hx} ${hy - 5}v10" class="ho"><title>${esc(h.name)}</title></path>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="map">${parts.join('')}</svg>`;
}

/** The colour legend of the map. */
export function mapLegend(target: number): string {
  const stops = [0.5, 1, 1.5, 2, 2.5, 3].map((k) => k * target);
  return `<div class="legend">median response: ${stops
    .map(
      (s) =>
        `<span><i style="background:${responseColor(s, target)}"></i>${Math.round(s)} s</span>`,
    )
    .join(
      '',
    )}<span><i style="background:#e4e4e4"></i>no calls</span><span>■ station</span><span>+ emergency hospital</span></div>`;
}
