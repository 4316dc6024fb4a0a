import { RoutingError, type LatLon, type Router } from '@dispatch/routing';

/** Who reaches whom within the target, on real drive times. */
export interface CoverageMatrix {
  /** For each site, the indices of the demand points it reaches in time. */
  covers: number[][];
  /** Demand points off the road network: nobody can reach them. */
  offNetwork: number[];
}

/**
 * Drive times from every candidate site to every demand point, kept only
 * where they are within `maxSeconds`: one one-to-many query per demand
 * point (sites are the origins, as an ambulance drives from its base to
 * the patient; one-way streets make the reverse differ).
 * Cost: about 8 ms per demand point with 1,200 sites on the embedded
 * router over the Porto Alegre extract, so ~10 s for the whole grid.
 * @param router the emergency router, the one dispatch ranks units with
 * @throws RoutingError for invalid coordinates (not for points off the
 *   network: those are listed in `offNetwork`)
 */
export async function coverageMatrix(
  router: Router,
  sites: readonly LatLon[],
  demand: readonly LatLon[],
  maxSeconds: number,
): Promise<CoverageMatrix> {
  const covers: number[][] = sites.map(() => []);
  const offNetwork: number[] = [];
  for (let j = 0; j < demand.length; j++) {
    let legs;
    try {
      ({ legs } = await router.oneToMany(sites, demand[j] as LatLon, {
        maxSeconds,
      }));
    } catch (err) {
      if (
        err instanceof RoutingError &&
        err.code === 'ROUTING_POINT_OFF_NETWORK'
      ) {
        offNetwork.push(j);
        continue;
      }
      throw err;
    }
    legs.forEach((leg, i) => {
      if (leg.reachable && leg.etaSeconds <= maxSeconds) {
        (covers[i] as number[]).push(j);
      }
    });
  }
  return { covers, offNetwork };
}
