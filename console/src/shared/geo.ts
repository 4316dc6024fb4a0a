import type { LatLon } from './types.ts';

/**
 * Reads `lat,lon` typed by a dispatcher (`-30.0277, -51.2287`, spaces or
 * a semicolon allowed). Returns null unless both are numbers in range.
 */
export function parseLatLon(text: string): LatLon | null {
  const parts = text.trim().split(/\s*[,;\s]\s*/);
  if (parts.length !== 2) return null;
  const [lat, lon] = parts.map(Number) as [number, number];
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
  return { lat, lon };
}

/** A point as `lat, lon` with 5 decimals (about 1 m). */
export function formatLatLon(point: LatLon): string {
  return `${point.lat.toFixed(5)}, ${point.lon.toFixed(5)}`;
}
