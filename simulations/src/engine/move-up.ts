/**
 * Move-up: when a station is left with no free unit, an idle unit from a
 * station that still has two or more is sent to cover it, the nearest by
 * drive time first. Units are never pulled from a station they alone
 * cover, and a unit off a job goes back to its own base first (and is
 * moved on from there if another station is empty).
 */
import type { Places } from '../travel/places.ts';
import type { TravelModel } from '../travel/travel-model.ts';
import type { FreeUnit } from './choose.ts';
import type { SimUnit } from './state.ts';

export interface MoveUp {
  unit: number;
  station: number;
  /** Place the unit drives from. */
  fromPlace: number;
}

/**
 * The moves that cover empty stations, given the units now. Stations that
 * are the base of no unit of the fleet are never covered. Deterministic:
 * empty stations in index order, ties by unit index.
 */
export function planMoveUps(
  units: readonly SimUnit[],
  places: Places,
  travel: TravelModel,
  whereIs: (u: SimUnit) => FreeUnit,
): MoveUp[] {
  const stationCount = places.hospitalOffset - places.stationOffset;
  const based = new Array<boolean>(stationCount).fill(false);
  const cover = new Array<number>(stationCount).fill(0);
  for (const u of units) {
    based[u.home] = true;
    if (u.status === 'available') cover[u.post]!++;
  }
  const moves: MoveUp[] = [];
  for (let station = 0; station < stationCount; station++) {
    if (!based[station] || cover[station]! > 0) continue;
    let best: SimUnit | undefined;
    let bestFrom = -1;
    let bestSeconds = Infinity;
    for (const u of units) {
      if (u.status !== 'available' || cover[u.post]! < 2) continue;
      const from = whereIs(u).place;
      const seconds = travel.seconds(from, places.stationOffset + station);
      if (seconds < bestSeconds) {
        bestSeconds = seconds;
        best = u;
        bestFrom = from;
      }
    }
    if (!best) continue;
    cover[best.post]!--;
    cover[station]!++;
    moves.push({ unit: best.index, station, fromPlace: bestFrom });
  }
  return moves;
}
