import { RoutingError } from './errors.ts';
import type {
  LatLon,
  OneToManyOptions,
  OneToManyResult,
  Route,
  Router,
  Snap,
  TravelTimeField,
  TravelTimeOptions,
} from './router.ts';

/**
 * The default lights-and-sirens speed-up: drive times of the car profile
 * divided by 1.15. Studies of urban ambulance runs report lights and
 * sirens saving roughly 10-25% of travel time; 1.15 is a conservative
 * middle. Calibrate it per city from its own GPS tracks (the planner's
 * travel interval against the predicted ETA) and set
 * `ROUTING_EMERGENCY_SPEED_FACTOR`.
 */
export const DEFAULT_EMERGENCY_SPEED_FACTOR = 1.15;

/**
 * Parses a speed factor, e.g. from `ROUTING_EMERGENCY_SPEED_FACTOR`.
 * @throws RoutingError `ROUTING_INVALID_OPTION` outside [1, 2]: faster
 *   than twice the car's speed is not a credible average.
 */
export function parseSpeedFactor(value: string | number | undefined): number {
  if (value === undefined || value === '')
    return DEFAULT_EMERGENCY_SPEED_FACTOR;
  const factor = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(factor) || factor < 1 || factor > 2) {
    throw new RoutingError(
      'ROUTING_INVALID_OPTION',
      `emergency speed factor: expected a number in [1, 2], got ${JSON.stringify(value)}`,
    );
  }
  return factor;
}

/**
 * The emergency profile: the same roads and routes as `router` with every
 * drive time divided by `factor`. Route choice does not change (a uniform
 * factor keeps the same fastest path); only the times do.
 */
export function withSpeedFactor(router: Router, factor: number): Router {
  const scale = parseSpeedFactor(factor);
  return {
    async oneToMany(
      origins: readonly LatLon[],
      destination: LatLon,
      options?: OneToManyOptions,
    ): Promise<OneToManyResult> {
      const inner = await router.oneToMany(origins, destination, {
        ...options,
        ...(options?.maxSeconds !== undefined && {
          maxSeconds: options.maxSeconds * scale,
        }),
      });
      return {
        ...inner,
        legs: inner.legs.map((leg) =>
          leg.reachable ? { ...leg, etaSeconds: leg.etaSeconds / scale } : leg,
        ),
      };
    },
    async route(
      origin: LatLon,
      destination: LatLon,
    ): Promise<Route | undefined> {
      const inner = await router.route(origin, destination);
      return inner && { ...inner, etaSeconds: inner.etaSeconds / scale };
    },
    snap(point: LatLon): Promise<Snap | undefined> {
      return router.snap(point);
    },
    async travelTimes(
      origins: readonly LatLon[],
      options: TravelTimeOptions,
    ): Promise<TravelTimeField> {
      const inner = await router.travelTimes(origins, {
        ...options,
        maxSeconds: options.maxSeconds * scale,
      });
      return {
        source: inner.source,
        maxSeconds: options.maxSeconds,
        secondsTo(point) {
          const seconds = inner.secondsTo(point);
          return seconds === undefined ? undefined : seconds / scale;
        },
        reachable(withinSeconds = options.maxSeconds) {
          const lines = inner.reachable(withinSeconds * scale);
          return { ...lines, withinSeconds: lines.withinSeconds / scale };
        },
      };
    },
  };
}
