import { haversineMeters } from '@dispatch/routing';

import type { Fix } from './fix.ts';

/** Why a fix was refused. Each is logged with the unit and the source. */
export type RejectReason =
  | 'invalid_coordinates'
  | 'null_island'
  | 'outside_service_area'
  | 'in_future'
  | 'duplicate'
  | 'implausible_jump'
  | 'poor_accuracy';

/** Limits of {@link judgeFix}. */
export interface FilterLimits {
  /** [minLon, minLat, maxLon, maxLat] in which fixes are accepted. */
  serviceArea: readonly [number, number, number, number];
  /** Refuse fixes more than this ahead of the server's clock (60). */
  maxFutureSeconds: number;
  /** Refuse a fix implying a faster move from the last one (m/s). */
  maxSpeedMps: number;
  /** Refuse fixes whose reported accuracy is worse than this (m). */
  maxAccuracyMeters: number;
}

/** Defaults: 60 s of clock skew, 250 km/h, 100 m of accuracy. */
export const DEFAULT_FILTER_LIMITS: Omit<FilterLimits, 'serviceArea'> = {
  maxFutureSeconds: 60,
  maxSpeedMps: 70,
  maxAccuracyMeters: 100,
};

/** What to do with a fix. */
export type Verdict =
  /** The newest fix: moves the unit and goes into the track. */
  | { accept: true; live: true }
  /** Older than the unit's latest: into the track, the unit stays. */
  | { accept: true; live: false }
  | { accept: false; reason: RejectReason; detail: string };

/** The unit's latest accepted fix, and recent fix times for duplicates. */
export interface FixHistory {
  last: Pick<Fix, 'lat' | 'lon' | 'at'> | undefined;
  /** Device times (ms) of recently accepted fixes. */
  recentTimes: ReadonlySet<number>;
}

/**
 * Judges one fix against the limits and the unit's history. Pure: the
 * tracker keeps the history and logs the refusals.
 */
export function judgeFix(
  fix: Fix,
  history: FixHistory,
  limits: FilterLimits,
  now: Date,
): Verdict {
  const { lat, lon } = fix;
  if (
    !Number.isFinite(lat) ||
    !Number.isFinite(lon) ||
    Math.abs(lat) > 90 ||
    Math.abs(lon) > 180 ||
    Number.isNaN(fix.at.getTime())
  ) {
    return refuse('invalid_coordinates', `lat ${lat}, lon ${lon}`);
  }
  // (0, 0) is what many GPS chips report before their first lock.
  if (lat === 0 && lon === 0) return refuse('null_island', 'lat 0, lon 0');
  const [minLon, minLat, maxLon, maxLat] = limits.serviceArea;
  if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) {
    return refuse('outside_service_area', `lat ${lat}, lon ${lon}`);
  }
  const aheadSeconds = (fix.at.getTime() - now.getTime()) / 1000;
  if (aheadSeconds > limits.maxFutureSeconds) {
    return refuse('in_future', `${Math.round(aheadSeconds)} s ahead`);
  }
  if (
    fix.accuracyMeters != null &&
    fix.accuracyMeters > limits.maxAccuracyMeters
  ) {
    return refuse('poor_accuracy', `accuracy ${fix.accuracyMeters} m`);
  }
  if (history.recentTimes.has(fix.at.getTime())) {
    return refuse('duplicate', `a fix at ${fix.at.toISOString()} was taken`);
  }
  const last = history.last;
  if (!last) return { accept: true, live: true };
  const seconds = (fix.at.getTime() - last.at.getTime()) / 1000;
  const meters = haversineMeters(last.lat, last.lon, fix.lat, fix.lon);
  // An older fix is checked against the newest too: the same speed limit
  // applies between any two real positions of one vehicle.
  const speed = meters / Math.max(Math.abs(seconds), 1);
  if (speed > limits.maxSpeedMps) {
    return refuse(
      'implausible_jump',
      `${Math.round(meters)} m in ${Math.abs(seconds)} s`,
    );
  }
  return { accept: true, live: seconds > 0 };
}

function refuse(reason: RejectReason, detail: string): Verdict {
  return { accept: false, reason, detail };
}
