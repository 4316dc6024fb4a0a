import type { UnitStatus, UnitView } from '../shared/types.ts';

/** Marker colours by unit status (also used in the legend). */
export const STATUS_COLOURS: Record<UnitStatus, string> = {
  available: '#2e9e44',
  dispatched: '#e8871e',
  en_route: '#e8871e',
  on_scene: '#d32f2f',
  transporting: '#7b3fa0',
  at_hospital: '#7b3fa0',
  out_of_service: '#8a8a8a',
};

/** Fill of a unit whose position is stale (no fix for the stale limit). */
export const STALE_COLOUR = '#b8b8b8';

/** How a unit's circle marker looks. */
export interface UnitMarkerStyle {
  colour: string;
  fillColour: string;
  fillOpacity: number;
}

/**
 * A unit's marker: coloured by status; a stale unit keeps its status
 * outline but is filled grey and faded, so its position is not trusted.
 */
export function unitMarkerStyle(
  unit: Pick<UnitView, 'status' | 'stale'>,
): UnitMarkerStyle {
  const colour = STATUS_COLOURS[unit.status];
  if (unit.stale) {
    return { colour, fillColour: STALE_COLOUR, fillOpacity: 0.5 };
  }
  return { colour, fillColour: colour, fillOpacity: 0.9 };
}

/** Leaflet path style of one basemap road. */
export interface RoadStyle {
  weight: number;
  color: string;
}

/**
 * Faster roads draw thicker and darker, so arterials stand out from
 * residential streets with no tile server.
 * @param speedKph the road's free-flow speed
 */
export function roadStyle(speedKph: number): RoadStyle {
  if (speedKph >= 70) return { weight: 4, color: '#4a4a4a' };
  if (speedKph >= 50) return { weight: 3, color: '#6b6b6b' };
  if (speedKph >= 35) return { weight: 2, color: '#8f8f8f' };
  if (speedKph >= 20) return { weight: 1.2, color: '#b0b0b0' };
  return { weight: 0.7, color: '#cccccc' };
}
