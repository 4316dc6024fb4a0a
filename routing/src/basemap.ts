import type { FeatureCollection, LineString } from 'geojson';

import type { RoadGraph } from './graph/road-graph.ts';

/** Properties of a basemap road piece. */
export interface BasemapRoad {
  /** Street name, empty when the road has none. */
  name: string;
  /** Free-flow car speed, the faster direction, km/h (road importance). */
  speedKph: number;
}

/**
 * The routable road network as GeoJSON, one LineString per segment, with
 * coordinates rounded to 5 decimals (about 1 m): a basemap the console
 * can draw with no tile server, so it works offline.
 */
export function roadNetworkGeoJson(
  graph: RoadGraph,
): FeatureCollection<LineString, BasemapRoad> {
  const a = graph.arrays;
  const names = graph.meta.names;
  const features: FeatureCollection<LineString, BasemapRoad>['features'] = [];
  for (let seg = 0; seg < graph.segmentCount; seg++) {
    const start = a.segGeomStart[seg] as number;
    const end = a.segGeomStart[seg + 1] as number;
    const coordinates: number[][] = [];
    for (let p = start; p < end; p++) {
      coordinates.push([
        round5(a.geomCoords[2 * p] as number),
        round5(a.geomCoords[2 * p + 1] as number),
      ]);
    }
    const seconds = Math.min(
      a.segForwardSeconds[seg] as number,
      a.segBackwardSeconds[seg] as number,
    );
    const meters = a.segLengthMeters[seg] as number;
    features.push({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates },
      properties: {
        name: names[a.segName[seg] as number] ?? '',
        speedKph:
          seconds > 0 && Number.isFinite(seconds)
            ? Math.round((meters / seconds) * 3.6)
            : 0,
      },
    });
  }
  return { type: 'FeatureCollection', features };
}

function round5(value: number): number {
  return Math.round(value * 1e5) / 1e5;
}
