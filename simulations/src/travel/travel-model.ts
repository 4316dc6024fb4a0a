/**
 * Drive times of a run between its places: from the city's road network
 * (a matrix computed once with the embedded router's one-to-many
 * searches), or none at all for queueing checks.
 */
import { createRouting, loadCityPack, type CityPack } from '@dispatch/routing';

import type { Places } from './places.ts';

/** Drive times between places, seconds by car (no lights and sirens). */
export interface TravelModel {
  kind: 'road' | 'none';
  /** Car seconds from place `from` to place `to`; Infinity without a drive. */
  seconds(from: number, to: number): number;
  /** Road meters of the same drive; Infinity without a drive. */
  meters(from: number, to: number): number;
  /** The lights-and-sirens factor dividing response drives. */
  emergencySpeedFactor: number;
}

/** No travel: every drive takes 0 s over 0 m (for Erlang checks). */
export function noTravel(): TravelModel {
  return {
    kind: 'none',
    seconds: () => 0,
    meters: () => 0,
    emergencySpeedFactor: 1,
  };
}

/**
 * Drive times slowed by the hour's traffic: `seconds` multiplied by
 * `hourFactors[h]`, h the local hour `clock()` (seconds since midnight
 * of day 0) falls in. One factor for the whole city per hour, not per
 * road: a jam on one avenue is not modelled. Without factors, `travel`
 * itself, so a scenario without them gives the same bytes as before.
 */
export function withTraffic(
  travel: TravelModel,
  hourFactors: readonly number[] | undefined,
  clock: () => number,
): TravelModel {
  if (!hourFactors) return travel;
  return {
    ...travel,
    seconds: (from, to) =>
      travel.seconds(from, to) * hourFactors[Math.floor(clock() / 3600) % 24]!,
  };
}

/**
 * TODO(simulations): with OSRM_URL set the live server ranks by OSRM's
 * times while this matrix is the embedded router's; for a city whose
 * OSRM profile differs (turn costs, traffic data) the two rank apart.
 * Fix: build the matrix with OSRM's table service when it is set.
 *
 * The road matrix of `places` over the city's network: one one-to-many
 * search per destination place (PHAST over the contraction hierarchy),
 * origins snapped once. About 1,250 places take a few seconds.
 */
export function roadTravel(
  city: CityPack | string,
  places: Places,
  emergencySpeedFactor?: number,
): TravelModel & { buildSeconds: number } {
  const started = performance.now();
  const pack = typeof city === 'string' ? loadCityPack(city) : city;
  const routing = createRouting(pack);
  const router = routing.embedded;
  const n = places.count;
  const seconds = new Float32Array(n * n).fill(Infinity);
  const meters = new Float32Array(n * n).fill(Infinity);
  const snapped = Array.from({ length: n }, (_, i) =>
    router.snapEdge({ lat: places.lat[i]!, lon: places.lon[i]! }),
  );
  for (let to = 0; to < n; to++) {
    const target = snapped[to];
    if (target === undefined) continue;
    const legs = router.legsTo(snapped, target);
    for (let from = 0; from < n; from++) {
      const leg = legs[from]!;
      if (!leg.reachable) continue;
      seconds[from * n + to] = leg.etaSeconds;
      meters[from * n + to] = leg.distanceMeters;
    }
  }
  return {
    kind: 'road',
    seconds: (from, to) => seconds[from * n + to]!,
    meters: (from, to) => meters[from * n + to]!,
    emergencySpeedFactor: emergencySpeedFactor ?? routing.emergencySpeedFactor,
    buildSeconds: (performance.now() - started) / 1000,
  };
}
