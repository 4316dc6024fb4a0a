import { haversineMeters } from '@dispatch/routing';

import type { Fix } from './fix.ts';

/** When a unit counts as arrived. */
export interface ArrivalRules {
  /** Within this distance of the incident (m). */
  sceneRadiusMeters: number;
  /** Within this distance of an emergency hospital (m). */
  hospitalRadiusMeters: number;
  /** Slower than this counts as stopped (m/s); unknown speed counts. */
  slowSpeedMps: number;
  /** Stopped inside the radius for this long (s, device time). */
  dwellSeconds: number;
}

/** Defaults: 75 m of a scene, 150 m of a hospital, under 2 m/s for 15 s. */
export const DEFAULT_ARRIVAL_RULES: ArrivalRules = {
  sceneRadiusMeters: 75,
  hospitalRadiusMeters: 150,
  slowSpeedMps: 2,
  dwellSeconds: 15,
};

/** Where a moving unit is heading, as far as arrival detection cares. */
export interface ArrivalTarget {
  /** `on_scene` when en route, `at_hospital` when transporting. */
  arrives: 'on_scene' | 'at_hospital';
  /** The incident, or the hospitals any of which may be the destination. */
  places: readonly { lat: number; lon: number }[];
}

/**
 * Where dwell starts are kept, per unit: in this process's memory, or in
 * Redis so that server processes taking fixes of one unit time one dwell.
 */
export interface DwellStore {
  /**
   * Records that the unit was slow inside its radius at `atMs` (device
   * time, ms) unless an earlier start of this dwell is recorded.
   * @returns the start of the dwell in force (ms)
   */
  start(unitId: number, atMs: number): Promise<number>;
  /** Ends the unit's dwell (it moved off, arrived, or its target changed). */
  clear(unitId: number): Promise<void>;
}

/** Dwell starts in a Map: one process's view. */
export class MemoryDwellStore implements DwellStore {
  readonly #since = new Map<number, number>();

  async start(unitId: number, atMs: number) {
    const since = this.#since.get(unitId);
    if (since !== undefined && since <= atMs) return since;
    this.#since.set(unitId, atMs);
    return atMs;
  }

  async clear(unitId: number) {
    this.#since.delete(unitId);
  }
}

/**
 * Detects arrival from GPS: a unit slow or stopped within the radius of
 * its target for `dwellSeconds`. Keeps, per unit, since when it has been
 * slow inside the radius (in `dwell`); leaving or speeding up resets it.
 */
export class ArrivalDetector {
  readonly #rules: ArrivalRules;
  readonly #dwell: DwellStore;

  constructor(rules: ArrivalRules, dwell: DwellStore = new MemoryDwellStore()) {
    this.#rules = rules;
    this.#dwell = dwell;
  }

  /**
   * Feeds one live fix.
   * @returns the phase reached when this fix completes the dwell, and
   *   when the unit got there: the first fix of the dwell, not the fix
   *   that completed it (which would add the dwell to response times)
   */
  async observe(
    unitId: number,
    fix: Fix,
    target: ArrivalTarget,
  ): Promise<{ phase: ArrivalTarget['arrives']; at: Date } | undefined> {
    const radius =
      target.arrives === 'on_scene'
        ? this.#rules.sceneRadiusMeters
        : this.#rules.hospitalRadiusMeters;
    const inside = target.places.some(
      (place) =>
        haversineMeters(place.lat, place.lon, fix.lat, fix.lon) <= radius,
    );
    const slow =
      fix.speedMps == null || fix.speedMps <= this.#rules.slowSpeedMps;
    if (!inside || !slow) {
      await this.#dwell.clear(unitId);
      return undefined;
    }
    const t = fix.at.getTime();
    const since = await this.#dwell.start(unitId, t);
    if ((t - since) / 1000 >= this.#rules.dwellSeconds) {
      await this.#dwell.clear(unitId);
      return { phase: target.arrives, at: new Date(since) };
    }
    return undefined;
  }

  /** Forgets a unit (its assignment changed). */
  reset(unitId: number): Promise<void> {
    return this.#dwell.clear(unitId);
  }
}
