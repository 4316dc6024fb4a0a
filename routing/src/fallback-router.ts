import { RoutingError } from './errors.ts';
import { silentLogger, type RoutingLogger } from './log.ts';
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

/** Options of {@link FallbackRouter}. */
export interface FallbackRouterOptions {
  logger?: RoutingLogger;
  /**
   * After this many failures in a row the primary is skipped for
   * `cooldownMs`, so a dead OSRM does not cost every query its time
   * budget. Default 3.
   */
  failuresBeforeCooldown?: number;
  /** Default 10 000 ms. */
  cooldownMs?: number;
}

/** Errors that are answers about the input, not failures of the engine. */
const INPUT_ERRORS = new Set([
  'ROUTING_INVALID_COORDINATE',
  'ROUTING_NO_ORIGINS',
  'ROUTING_INVALID_OPTION',
  'ROUTING_POINT_OFF_NETWORK',
]);

/**
 * Asks the primary router (OSRM) and, when it fails, is slow or is
 * cooling down after failures, the fallback (the embedded router). Every
 * answer carries the engine that produced it and, from the fallback, why.
 * Invalid input is rejected as the primary rejects it: a bad coordinate
 * does not become a fallback query.
 */
export class FallbackRouter implements Router {
  private readonly primary: Router;
  private readonly fallback: Router;
  private readonly logger: RoutingLogger;
  private readonly failuresBeforeCooldown: number;
  private readonly cooldownMs: number;
  private failures = 0;
  private skipUntil = 0;

  constructor(
    primary: Router,
    fallback: Router,
    options: FallbackRouterOptions = {},
  ) {
    this.primary = primary;
    this.fallback = fallback;
    this.logger = options.logger ?? silentLogger;
    this.failuresBeforeCooldown = options.failuresBeforeCooldown ?? 3;
    this.cooldownMs = options.cooldownMs ?? 10_000;
  }

  oneToMany(
    origins: readonly LatLon[],
    destination: LatLon,
    options?: OneToManyOptions,
  ): Promise<OneToManyResult> {
    return this.attempt(
      'oneToMany',
      (r) => r.oneToMany(origins, destination, options),
      (result, fallbackReason) => ({ ...result, fallbackReason }),
    );
  }

  route(origin: LatLon, destination: LatLon): Promise<Route | undefined> {
    return this.attempt(
      'route',
      (r) => r.route(origin, destination),
      (result, fallbackReason) => result && { ...result, fallbackReason },
    );
  }

  snap(point: LatLon): Promise<Snap | undefined> {
    return this.attempt(
      'snap',
      (r) => r.snap(point),
      (result) => result,
    );
  }

  /**
   * How the primary is doing, for health reports: `ok` while its last
   * call succeeded (or none was made), with the failures in a row and
   * whether it is being skipped for now.
   */
  get primaryState(): {
    ok: boolean;
    failures: number;
    coolingDown: boolean;
  } {
    return {
      ok: this.failures === 0,
      failures: this.failures,
      coolingDown: Date.now() < this.skipUntil,
    };
  }

  /** Always the fallback's: OSRM has no travel-time field service. */
  travelTimes(
    origins: readonly LatLon[],
    options: TravelTimeOptions,
  ): Promise<TravelTimeField> {
    return this.fallback.travelTimes(origins, options);
  }

  private async attempt<T>(
    query: string,
    ask: (router: Router) => Promise<T>,
    flag: (result: T, fallbackReason: string) => T,
  ): Promise<T> {
    let reason: string;
    if (Date.now() < this.skipUntil) {
      reason = 'primary router cooling down after repeated failures';
    } else {
      try {
        const result = await ask(this.primary);
        this.failures = 0;
        return result;
      } catch (err) {
        if (err instanceof RoutingError && INPUT_ERRORS.has(err.code)) {
          throw err;
        }
        reason = (err as Error)?.message ?? String(err);
        this.failures++;
        const coolingDown = this.failures >= this.failuresBeforeCooldown;
        if (coolingDown) this.skipUntil = Date.now() + this.cooldownMs;
        this.logger.warn(
          { query, err, failures: this.failures, coolingDown },
          'primary router failed; answering from the fallback',
        );
      }
    }
    return flag(await ask(this.fallback), reason);
  }
}
