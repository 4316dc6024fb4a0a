/**
 * The city's population hexgrid: H3 cells (centroid and population) from
 * the city pack's `population` CSV. It places simulated calls, names the
 * areas of the results (the cell, and its H3 parent as a district) and
 * gives the map its hexagons.
 */
import fs from 'node:fs';
import path from 'node:path';

import { haversineMeters, type CityPack } from '@dispatch/routing';

import { ScenarioError } from '../scenario/errors.ts';

/** One cell of the hexgrid. */
export interface HexCell {
  /** H3 index, as in the CSV. */
  id: string;
  lat: number;
  lon: number;
  population: number;
  /** H3 parent at {@link DISTRICT_RESOLUTION}: the district of results. */
  district: string;
}

/** A loaded hexgrid, with the spacing of its lattice. */
export interface Hexgrid {
  cells: HexCell[];
  /** Median distance between neighbouring cell centres, meters. */
  spacingMeters: number;
  /** Orientation of the lattice: bearing of a neighbour, radians. */
  angleRad: number;
  totalPopulation: number;
}

/**
 * H3 resolution of the districts in results: resolution 7 cells hold 49
 * resolution 9 cells (about 5 km2), a size planners compare.
 */
export const DISTRICT_RESOLUTION = 7;

const cache = new Map<string, Hexgrid>();

/**
 * Reads the city's hexgrid (cached per file).
 * @throws ScenarioError when the city pack has no population file or the
 *   file is not `id,lon,lat,population,...`.
 */
export function loadHexgrid(city: CityPack): Hexgrid {
  if (!city.population) {
    throw new ScenarioError(
      'city',
      `city ${city.id} has no population hexgrid ("population" in city.json); demand cannot be placed`,
    );
  }
  const file = path.resolve(city.dir, city.population);
  const cached = cache.get(file);
  if (cached) return cached;
  const grid = parseHexgrid(fs.readFileSync(file, 'utf8'), file);
  cache.set(file, grid);
  return grid;
}

/** Parses a hexgrid CSV; `file` only names it in errors. */
export function parseHexgrid(text: string, file: string): Hexgrid {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const col = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new ScenarioError('city', `${file}: no "${name}" column`);
    }
    return index;
  };
  const [iId, iLon, iLat, iPop] = ['id', 'lon', 'lat', 'population'].map(col);
  const cells: HexCell[] = [];
  for (let n = 1; n < lines.length; n++) {
    const f = lines[n]!.split(',');
    const cell = {
      id: f[iId!] ?? '',
      lon: Number(f[iLon!]),
      lat: Number(f[iLat!]),
      population: Number(f[iPop!]),
    };
    if (
      !/^[0-9a-f]{15}$/i.test(cell.id) ||
      !Number.isFinite(cell.lat) ||
      !Number.isFinite(cell.lon) ||
      !(cell.population >= 0)
    ) {
      throw new ScenarioError('city', `${file}: line ${n + 1} is not a cell`);
    }
    cells.push({ ...cell, district: h3Parent(cell.id, DISTRICT_RESOLUTION) });
  }
  // A fixed order (by id) so results never depend on the file's order.
  cells.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { spacingMeters, angleRad } = latticeOf(cells);
  const totalPopulation = cells.reduce((sum, c) => sum + c.population, 0);
  return { cells, spacingMeters, angleRad, totalPopulation };
}

/**
 * The H3 parent of `id` at `resolution`, by the index's bit layout
 * (resolution in bits 52-55, one 3-bit digit per resolution after the
 * base cell, unused digits 7), so no H3 library is needed.
 */
export function h3Parent(id: string, resolution: number): string {
  let index = BigInt(`0x${id}`);
  const own = Number((index >> 52n) & 15n);
  if (resolution >= own) return id;
  index = (index & ~(15n << 52n)) | (BigInt(resolution) << 52n);
  for (let r = resolution + 1; r <= 15; r++) {
    index |= 7n << BigInt((15 - r) * 3);
  }
  return index.toString(16);
}

/**
 * Spacing and orientation of the lattice from nearest neighbours: H3
 * cells of one resolution are near-regular hexagons over a city, so the
 * median nearest-neighbour vector describes them all.
 */
function latticeOf(cells: HexCell[]): {
  spacingMeters: number;
  angleRad: number;
} {
  const sample = cells.slice(0, Math.min(cells.length, 200));
  const distances: number[] = [];
  const angles: number[] = [];
  for (const a of sample) {
    let best = Infinity;
    let bestAngle = 0;
    for (const b of cells) {
      if (a === b) continue;
      const d = haversineMeters(a.lat, a.lon, b.lat, b.lon);
      if (d < best) {
        best = d;
        const dy = b.lat - a.lat;
        const dx = (b.lon - a.lon) * Math.cos((a.lat * Math.PI) / 180);
        // Fold into [0, 60°): the six neighbours give the same lattice.
        const angle = Math.atan2(dy, dx);
        const sixty = Math.PI / 3;
        bestAngle = ((angle % sixty) + sixty) % sixty;
      }
    }
    if (Number.isFinite(best)) {
      distances.push(best);
      angles.push(bestAngle);
    }
  }
  distances.sort((x, y) => x - y);
  angles.sort((x, y) => x - y);
  return {
    spacingMeters: distances[distances.length >> 1] ?? 350,
    angleRad: angles[angles.length >> 1] ?? 0,
  };
}

/**
 * The hexagon of a cell, for drawing, as [lon, lat] corners. Each corner
 * is the circumcentre of the cell and two adjacent neighbours (the dual
 * of the lattice of centroids), so neighbouring hexagons share corners
 * exactly and the map has no gaps. A cell at the grid's edge, with fewer
 * than six neighbours, is drawn as a regular hexagon of the lattice's
 * spacing. An approximation of the H3 boundary (within a few meters at
 * resolution 9), good for a map, not for point-in-cell tests.
 */
export function hexagonOf(grid: Hexgrid, cell: HexCell): [number, number][] {
  const mPerDegLat = 111_320;
  const mPerDegLon = mPerDegLat * Math.cos((cell.lat * Math.PI) / 180);
  const neighbours = neighboursOf(grid).get(cell) ?? [];
  if (neighbours.length === 6) {
    // Local meters around the cell; neighbours by angle.
    const pts = neighbours
      .map((n) => ({
        x: (n.lon - cell.lon) * mPerDegLon,
        y: (n.lat - cell.lat) * mPerDegLat,
      }))
      .sort((a, b) => Math.atan2(a.y, a.x) - Math.atan2(b.y, b.x));
    return pts.map((a, k) => {
      const b = pts[(k + 1) % 6]!;
      // Circumcentre of (0,0), a, b.
      const d = 2 * (a.x * b.y - a.y * b.x);
      const a2 = a.x * a.x + a.y * a.y;
      const b2 = b.x * b.x + b.y * b.y;
      const x = (b.y * a2 - a.y * b2) / d;
      const y = (a.x * b2 - b.x * a2) / d;
      return [cell.lon + x / mPerDegLon, cell.lat + y / mPerDegLat];
    });
  }
  // Circumradius of a regular hexagon whose centres are `spacing` apart.
  const radius = grid.spacingMeters / Math.sqrt(3);
  const corners: [number, number][] = [];
  for (let k = 0; k < 6; k++) {
    // Corners sit 30° off the direction to a neighbour.
    const a = grid.angleRad + Math.PI / 6 + (k * Math.PI) / 3;
    corners.push([
      cell.lon + (radius * Math.cos(a)) / mPerDegLon,
      cell.lat + (radius * Math.sin(a)) / mPerDegLat,
    ]);
  }
  return corners;
}

const neighbourCache = new WeakMap<Hexgrid, Map<HexCell, HexCell[]>>();

/**
 * Each cell's adjacent cells: centres within 1.3 lattice spacings (H3
 * neighbours at resolution 9 lie 0.9 to 1.15 spacings apart, the next
 * ring 1.7 and more).
 */
function neighboursOf(grid: Hexgrid): Map<HexCell, HexCell[]> {
  const cached = neighbourCache.get(grid);
  if (cached) return cached;
  const limit = grid.spacingMeters * 1.3;
  const out = new Map<HexCell, HexCell[]>();
  const cells = [...grid.cells].sort((a, b) => a.lat - b.lat);
  const dLat = limit / 111_320;
  for (let i = 0; i < cells.length; i++) {
    const a = cells[i]!;
    const list: HexCell[] = [];
    for (let j = i - 1; j >= 0 && a.lat - cells[j]!.lat <= dLat; j--) {
      const b = cells[j]!;
      if (haversineMeters(a.lat, a.lon, b.lat, b.lon) <= limit) list.push(b);
    }
    for (
      let j = i + 1;
      j < cells.length && cells[j]!.lat - a.lat <= dLat;
      j++
    ) {
      const b = cells[j]!;
      if (haversineMeters(a.lat, a.lon, b.lat, b.lon) <= limit) list.push(b);
    }
    out.set(a, list);
  }
  neighbourCache.set(grid, out);
  return out;
}
