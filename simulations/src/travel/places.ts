/**
 * The places of a run, one index space for all of them: the hexgrid's
 * cells first, then the stations, then the hospitals. Drive times are
 * kept between places only, so the event loop never calls the router.
 */
import type { CityPlace } from '@dispatch/routing';

import type { Hexgrid } from '../city/hexgrid.ts';

export interface Places {
  count: number;
  lat: Float64Array;
  lon: Float64Array;
  /** Cells are places [0, cellCount). */
  cellCount: number;
  /** Station s is place stationOffset + s. */
  stationOffset: number;
  /** Hospital h is place hospitalOffset + h. */
  hospitalOffset: number;
  stations: CityPlace[];
  hospitals: CityPlace[];
}

/** The places of a city: its cells, stations and hospitals. */
export function placesOf(
  grid: Hexgrid,
  stations: CityPlace[],
  hospitals: CityPlace[],
): Places {
  const cellCount = grid.cells.length;
  const count = cellCount + stations.length + hospitals.length;
  const lat = new Float64Array(count);
  const lon = new Float64Array(count);
  grid.cells.forEach((cell, i) => {
    lat[i] = cell.lat;
    lon[i] = cell.lon;
  });
  [...stations, ...hospitals].forEach((place, k) => {
    lat[cellCount + k] = place.location.lat;
    lon[cellCount + k] = place.location.lon;
  });
  return {
    count,
    lat,
    lon,
    cellCount,
    stationOffset: cellCount,
    hospitalOffset: cellCount + stations.length,
    stations,
    hospitals,
  };
}

/**
 * Nearest usable cell to a point, by a bucket grid of the cell spacing:
 * where a unit on the move is, in the matrix's terms.
 */
export class CellLocator {
  private readonly buckets = new Map<number, number[]>();
  private readonly sizeLat: number;
  private readonly sizeLon: number;

  constructor(
    private readonly places: Places,
    usable: (cell: number) => boolean,
    spacingMeters: number,
  ) {
    const refLat = places.lat[0] ?? 0;
    this.sizeLat = spacingMeters / 111_320;
    this.sizeLon =
      spacingMeters / (111_320 * Math.cos((refLat * Math.PI) / 180));
    for (let i = 0; i < places.cellCount; i++) {
      if (!usable(i)) continue;
      const key = this.key(
        Math.floor(places.lat[i]! / this.sizeLat),
        Math.floor(places.lon[i]! / this.sizeLon),
      );
      const list = this.buckets.get(key);
      if (list) list.push(i);
      else this.buckets.set(key, [i]);
    }
  }

  private key(row: number, col: number): number {
    return row * 1_000_003 + col;
  }

  /** Index of the nearest usable cell, or -1 when there is none. */
  nearest(lat: number, lon: number): number {
    const row = Math.floor(lat / this.sizeLat);
    const col = Math.floor(lon / this.sizeLon);
    const kx = this.sizeLat / this.sizeLon;
    let best = -1;
    let bestD = Infinity;
    // Rings of buckets outward; stop one ring past the first hit, since a
    // nearer cell can sit in the next ring.
    for (let ring = 0; ring < 60; ring++) {
      for (let r = row - ring; r <= row + ring; r++) {
        for (let c = col - ring; c <= col + ring; c++) {
          if (Math.max(Math.abs(r - row), Math.abs(c - col)) !== ring) continue;
          const list = this.buckets.get(this.key(r, c));
          if (!list) continue;
          for (const i of list) {
            const dy = this.places.lat[i]! - lat;
            const dx = (this.places.lon[i]! - lon) * kx;
            const d = dx * dx + dy * dy;
            if (d < bestD || (d === bestD && i < best)) {
              bestD = d;
              best = i;
            }
          }
        }
      }
      if (best >= 0 && ring >= 1) {
        const reach = (ring - 1) * this.sizeLat;
        if (reach * reach >= bestD) break;
      }
    }
    return best;
  }
}
