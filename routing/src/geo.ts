import { RoutingError } from './errors.ts';
import type { LatLon } from './router.ts';

/** Mean Earth radius in meters (IUGG), as Turf and OSRM use. */
export const EARTH_RADIUS_METERS = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in meters between two positions. */
export function haversineMeters(
  lat1: number,
  lon1: number,
  lat2: number,
  lon2: number,
): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** True when `p` is a finite WGS84 position. */
export function isValidLatLon(p: unknown): p is LatLon {
  if (typeof p !== 'object' || p === null) return false;
  const { lat, lon } = p as Record<string, unknown>;
  return (
    typeof lat === 'number' &&
    typeof lon === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lon) &&
    lat >= -90 &&
    lat <= 90 &&
    lon >= -180 &&
    lon <= 180
  );
}

/**
 * Throws `ROUTING_INVALID_COORDINATE` naming `what` unless `p` is a valid
 * position.
 */
export function assertLatLon(p: unknown, what: string): asserts p is LatLon {
  if (!isValidLatLon(p)) {
    throw new RoutingError(
      'ROUTING_INVALID_COORDINATE',
      `${what}: expected { lat in [-90, 90], lon in [-180, 180] }, got ${safeJson(p)}`,
    );
  }
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * A local equirectangular projection to meters around a reference latitude.
 * Over a city (tens of kilometers) its distances are within 0.1% of the
 * great circle, which is all that snapping needs.
 */
export class LocalProjection {
  readonly refLat: number;
  private readonly kx: number;
  private readonly ky: number;

  constructor(refLat: number) {
    this.refLat = refLat;
    this.ky = EARTH_RADIUS_METERS * RAD;
    this.kx = this.ky * Math.cos(refLat * RAD);
  }

  x(lon: number): number {
    return lon * this.kx;
  }

  y(lat: number): number {
    return lat * this.ky;
  }

  lon(x: number): number {
    return x / this.kx;
  }

  lat(y: number): number {
    return y / this.ky;
  }
}
