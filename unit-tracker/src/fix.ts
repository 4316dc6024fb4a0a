/** Where a fix came in. */
export type FixSource = 'tablet' | 'http' | 'osmand';

/**
 * One GPS fix of one unit, as reported. `at` is the device's clock; the
 * server's arrival time is kept apart as `receivedAt`.
 */
export interface Fix {
  lat: number;
  lon: number;
  /** When the device took the fix. */
  at: Date;
  speedMps?: number | null;
  headingDeg?: number | null;
  accuracyMeters?: number | null;
  altitudeMeters?: number | null;
  /** Battery charge in percent (OsmAnd `batt`). */
  batteryPercent?: number | null;
}

/** The measurements of a {@link Fix} besides its place and time. */
export type Measurement =
  | 'speedMps'
  | 'headingDeg'
  | 'accuracyMeters'
  | 'altitudeMeters'
  | 'batteryPercent';

/**
 * What a GPS receiver or a device can report for each measurement of a
 * fix. Past these a value is not a measurement but garbage (a unit bug,
 * a misconfigured tracker, a fuzzer); the track's `real` columns could
 * not hold much of it either. Accuracy has no tight upper bound: poor
 * accuracy is the filter's to refuse, with its reason.
 */
export const MEASUREMENT_RANGES = {
  speedMps: [0, 1000],
  headingDeg: [0, 360],
  accuracyMeters: [0, 1_000_000],
  altitudeMeters: [-1000, 100_000],
  batteryPercent: [0, 100],
} as const satisfies Record<Measurement, readonly [number, number]>;

/** Whether a measurement's value is in {@link MEASUREMENT_RANGES}. */
export function inMeasurementRange(name: Measurement, value: number): boolean {
  const [min, max] = MEASUREMENT_RANGES[name];
  return value >= min && value <= max;
}

/** A fix accepted for a unit, with where and when it arrived. */
export interface TrackedFix extends Fix {
  unitId: number;
  source: FixSource;
  receivedAt: Date;
}

/** The latest accepted position of a unit, as the live state holds it. */
export interface LivePosition {
  unitId: number;
  lat: number;
  lon: number;
  /** Device time of the fix (ISO). */
  at: string;
  /** When the server accepted it (ISO). */
  receivedAt: string;
  speedMps: number | null;
  headingDeg: number | null;
  accuracyMeters: number | null;
  source: FixSource;
}

/** Converts an accepted fix to its live-state form. */
export function toLivePosition(fix: TrackedFix): LivePosition {
  return {
    unitId: fix.unitId,
    lat: fix.lat,
    lon: fix.lon,
    at: fix.at.toISOString(),
    receivedAt: fix.receivedAt.toISOString(),
    speedMps: fix.speedMps ?? null,
    headingDeg: fix.headingDeg ?? null,
    accuracyMeters: fix.accuracyMeters ?? null,
    source: fix.source,
  };
}
