import { haversineMeters } from '../geo.ts';
import type { RoadGraph } from '../graph/road-graph.ts';

/** A point on a segment of the road graph. */
export interface EdgePoint {
  seg: number;
  /** Position along the segment from A (0) to B (1), by length. */
  fraction: number;
  lat: number;
  lon: number;
  /** Straight-line distance from the query point to this point. */
  offsetMeters: number;
}

/** The first search radius; doubled until a segment is found or the limit. */
const FIRST_RADIUS_METERS = 50;

/**
 * The nearest snappable segments to a point, at most one point per segment,
 * nearest first, none further than `maxMeters`. The point is projected onto
 * the segment (not moved to the nearest node), so a call in the middle of a
 * long block lands in the middle of that block.
 */
export function nearestEdgePoints(
  graph: RoadGraph,
  lat: number,
  lon: number,
  count: number,
  maxMeters: number,
): EdgePoint[] {
  const { projection, snapIndex } = graph;
  const { snapSeg, snapPos, geomCoords } = graph.arrays;
  const px = projection.x(lon);
  const py = projection.y(lat);
  let radius = Math.min(FIRST_RADIUS_METERS, maxMeters);
  for (;;) {
    // Best projection per segment among index entries within the box.
    const best = new Map<number, { d2: number; pos: number; t: number }>();
    for (const entry of snapIndex.search(
      px - radius,
      py - radius,
      px + radius,
      py + radius,
    )) {
      if (entry >= snapSeg.length) continue;
      const pos = snapPos[entry] as number;
      const x0 = projection.x(geomCoords[2 * pos] as number);
      const y0 = projection.y(geomCoords[2 * pos + 1] as number);
      const dx = projection.x(geomCoords[2 * pos + 2] as number) - x0;
      const dy = projection.y(geomCoords[2 * pos + 3] as number) - y0;
      const len2 = dx * dx + dy * dy;
      let t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = x0 + t * dx - px;
      const ey = y0 + t * dy - py;
      const d2 = ex * ex + ey * ey;
      const seg = snapSeg[entry] as number;
      const known = best.get(seg);
      if (known === undefined || d2 < known.d2) best.set(seg, { d2, pos, t });
    }
    // Only points within the radius are certain: a nearer segment outside
    // the box cannot exist, one beyond the radius might.
    const sure = [...best.entries()]
      .filter(([, b]) => b.d2 <= radius * radius)
      .sort((x, y) => x[1].d2 - y[1].d2);
    if (sure.length >= count || radius >= maxMeters) {
      return sure
        .slice(0, count)
        .map(([seg, b]) => edgePoint(graph, seg, b.pos, b.t, lat, lon));
    }
    radius = Math.min(radius * 2, maxMeters);
  }
}

/** Builds the edge point at parameter `t` of the sub-segment at `pos`. */
function edgePoint(
  graph: RoadGraph,
  seg: number,
  pos: number,
  t: number,
  queryLat: number,
  queryLon: number,
): EdgePoint {
  const { segGeomStart, geomCoords, segLengthMeters } = graph.arrays;
  let along = 0;
  for (let p = segGeomStart[seg] as number; p < pos; p++) {
    along += subLength(geomCoords, p);
  }
  along += t * subLength(geomCoords, pos);
  const lon0 = geomCoords[2 * pos] as number;
  const lat0 = geomCoords[2 * pos + 1] as number;
  const lon = lon0 + t * ((geomCoords[2 * pos + 2] as number) - lon0);
  const lat = lat0 + t * ((geomCoords[2 * pos + 3] as number) - lat0);
  const length = segLengthMeters[seg] as number;
  return {
    seg,
    fraction: length > 0 ? Math.min(1, along / length) : 0,
    lat,
    lon,
    offsetMeters: haversineMeters(queryLat, queryLon, lat, lon),
  };
}

/** Length in meters of the sub-segment from position `p` to `p + 1`. */
export function subLength(coords: Float64Array, p: number): number {
  return haversineMeters(
    coords[2 * p + 1] as number,
    coords[2 * p] as number,
    coords[2 * p + 3] as number,
    coords[2 * p + 2] as number,
  );
}

/**
 * The geometry of segment `seg` between two fractions, in travel order
 * (`from` > `to` runs from B toward A). Positions are [lon, lat].
 */
export function partialGeometry(
  graph: RoadGraph,
  seg: number,
  from: number,
  to: number,
): number[][] {
  const { segGeomStart, geomCoords, segLengthMeters } = graph.arrays;
  const start = segGeomStart[seg] as number;
  const end = (segGeomStart[seg + 1] as number) - 1;
  const length = segLengthMeters[seg] as number;
  const lo = Math.min(from, to) * length;
  const hi = Math.max(from, to) * length;
  const out: number[][] = [];
  let along = 0;
  for (let p = start; p < end; p++) {
    const piece = subLength(geomCoords, p);
    const next = along + piece;
    if (next >= lo && along <= hi && (along < hi || out.length === 0)) {
      const lon0 = geomCoords[2 * p] as number;
      const lat0 = geomCoords[2 * p + 1] as number;
      const lon1 = geomCoords[2 * p + 2] as number;
      const lat1 = geomCoords[2 * p + 3] as number;
      const at = (meters: number): number[] => {
        const t = piece > 0 ? (meters - along) / piece : 0;
        return [lon0 + t * (lon1 - lon0), lat0 + t * (lat1 - lat0)];
      };
      if (out.length === 0) out.push(at(Math.max(lo, along)));
      out.push(at(Math.min(hi, next)));
    }
    along = next;
  }
  if (out.length === 1) out.push(out[0] as number[]);
  if (out.length === 0) {
    const p = lo <= 0 ? start : end;
    const point = [
      geomCoords[2 * p] as number,
      geomCoords[2 * p + 1] as number,
    ];
    out.push(point, point);
  }
  return from > to ? out.reverse() : out;
}
