/**
 * Which unit goes: the three dispatch policies, all ranked by the live
 * server's `rankCandidates` so capability rules and tie-breaks are the
 * ones dispatchers get. They differ only in the seconds they rank by.
 */
import { haversineMeters } from '@dispatch/routing';
import {
  rankCandidates,
  type Candidate,
  type Priority,
  type ResponsePlan,
} from '@dispatch/server/policy';

import type { DispatchPolicy } from '../scenario/types.ts';
import type { Places } from '../travel/places.ts';
import type { TravelModel } from '../travel/travel-model.ts';

/** A free unit and the place it would start from. */
export interface FreeUnit {
  unit: number;
  callSign: string;
  capability: Candidate['capability'];
  /** Place it starts from (its station, or the cell it is passing). */
  place: number;
  lat: number;
  lon: number;
  moving: boolean;
  /** Station it is posted to (first-due ranks by it). */
  post: number;
}

export interface ChooseContext {
  policy: DispatchPolicy;
  plan: ResponsePlan;
  travel: TravelModel;
  places: Places;
  straightLineSpeedMps: number;
}

const ROUTING = { source: 'embedded' as const };

/**
 * The unit the policy sends to a call in `cell`, or undefined when no free
 * unit is eligible and reachable. Ranking seconds per policy:
 * - `closest-drive-time`: road drive time, lights and sirens, from where
 *   the unit is (the live recommendation);
 * - `closest-straight-line`: straight-line meters over a nominal speed;
 * - `first-due`: drive time from the unit's posted station, so each area
 *   is served by its own station first and then by the next nearest.
 */
export function chooseUnit(
  ctx: ChooseContext,
  free: readonly FreeUnit[],
  cell: number,
  lat: number,
  lon: number,
  priority: Priority,
): FreeUnit | undefined {
  if (free.length === 0) return undefined;
  const { travel, places } = ctx;
  const candidates: Candidate[] = free.map((f) => {
    let seconds: number;
    let meters: number;
    switch (ctx.policy) {
      case 'closest-drive-time':
        seconds = travel.seconds(f.place, cell) / travel.emergencySpeedFactor;
        meters = travel.meters(f.place, cell);
        break;
      case 'closest-straight-line':
        meters = haversineMeters(f.lat, f.lon, lat, lon);
        seconds = meters / ctx.straightLineSpeedMps;
        break;
      case 'first-due': {
        const station = places.stationOffset + f.post;
        seconds = travel.seconds(station, cell) / travel.emergencySpeedFactor;
        meters = travel.meters(station, cell);
        break;
      }
    }
    return {
      unitId: f.unit,
      callSign: f.callSign,
      capability: f.capability,
      origin: {
        kind: f.moving ? 'gps' : 'station',
        location: { lat: f.lat, lon: f.lon },
      },
      leg: Number.isFinite(seconds)
        ? { reachable: true, etaSeconds: seconds, distanceMeters: meters }
        : { reachable: false, reason: 'no_route' },
    };
  });
  const ranked = rankCandidates(candidates, priority, ctx.plan, ROUTING);
  const top = ranked[0];
  if (!top || !top.reachable) return undefined;
  // The actual drive must exist too (straight line can pick across water).
  const chosen = free.find((f) => f.unit === top.unitId)!;
  if (!Number.isFinite(travel.seconds(chosen.place, cell))) {
    const next = ranked.find(
      (r) =>
        r.reachable &&
        Number.isFinite(
          travel.seconds(free.find((f) => f.unit === r.unitId)!.place, cell),
        ),
    );
    return next && free.find((f) => f.unit === next.unitId);
  }
  return chosen;
}
