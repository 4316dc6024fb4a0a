import { haversineMeters, type LatLon } from '@dispatch/routing';

/** A route line prepared for positions along it. */
export interface RoutePath {
  /** [lon, lat] positions, as GeoJSON. */
  coordinates: readonly (readonly number[])[];
  /** Distance from the start to each position, meters. */
  cumulativeMeters: number[];
  lengthMeters: number;
}

/** Prepares a GeoJSON LineString's coordinates for {@link along}. */
export function routePath(
  coordinates: readonly (readonly number[])[],
): RoutePath {
  const cumulativeMeters = [0];
  for (let i = 1; i < coordinates.length; i++) {
    const [lon0, lat0] = coordinates[i - 1] as number[];
    const [lon1, lat1] = coordinates[i] as number[];
    cumulativeMeters.push(
      (cumulativeMeters[i - 1] as number) +
        haversineMeters(lat0!, lon0!, lat1!, lon1!),
    );
  }
  return {
    coordinates,
    cumulativeMeters,
    lengthMeters: cumulativeMeters.at(-1) ?? 0,
  };
}

/**
 * The point `meters` from the start of the path (clamped to its ends)
 * and the heading of the piece it lies on, degrees clockwise from north.
 */
export function along(
  path: RoutePath,
  meters: number,
): LatLon & { headingDeg: number } {
  const { coordinates, cumulativeMeters } = path;
  const d = Math.min(Math.max(meters, 0), path.lengthMeters);
  let i = 1;
  while (i < coordinates.length - 1 && (cumulativeMeters[i] as number) < d) {
    i++;
  }
  const [lon0, lat0] = (coordinates[Math.max(0, i - 1)] ?? [0, 0]) as number[];
  const [lon1, lat1] = (coordinates[Math.min(i, coordinates.length - 1)] ?? [
    lon0,
    lat0,
  ]) as number[];
  const from = cumulativeMeters[i - 1] ?? 0;
  const piece = (cumulativeMeters[i] ?? from) - from;
  const f = piece > 0 ? (d - from) / piece : 0;
  const lat = lat0! + (lat1! - lat0!) * f;
  const lon = lon0! + (lon1! - lon0!) * f;
  const y = (lon1! - lon0!) * Math.cos((lat0! * Math.PI) / 180);
  const x = lat1! - lat0!;
  const headingDeg = ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
  return {
    lat: round6(lat),
    lon: round6(lon),
    headingDeg: Math.round(headingDeg),
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
