import Flatbush from 'flatbush';

import { LocalProjection } from '../geo.ts';
import type { ContractionArrays } from './contract.ts';

/**
 * The typed arrays that make up a compiled road graph. Kept as plain arrays
 * so the whole graph writes to and reads from one cache file without
 * parsing (see `cache.ts`).
 *
 * Nodes are intersections, dead ends and way ends. A segment is the stretch
 * of one way between two nodes, with its full geometry; it can be driven
 * A to B, B to A, or both. Directed edges (CSR) point at segments.
 */
export interface RoadGraphArrays extends ContractionArrays {
  nodeLat: Float64Array;
  nodeLon: Float64Array;
  /** Segment endpoints: the way's order runs from A to B. */
  segA: Uint32Array;
  segB: Uint32Array;
  /** Drive time A to B in seconds; Infinity when that direction is closed. */
  segForwardSeconds: Float64Array;
  /** Drive time B to A in seconds; Infinity when closed. */
  segBackwardSeconds: Float64Array;
  segLengthMeters: Float64Array;
  /** Index into `names`. */
  segName: Uint32Array;
  /** Segment i's geometry is positions segGeomStart[i] .. segGeomStart[i+1]-1. */
  segGeomStart: Uint32Array;
  /** [lon, lat] pairs, flat. */
  geomCoords: Float64Array;
  /** Outgoing edges of node u: fwdStart[u] .. fwdStart[u+1]-1. */
  fwdStart: Uint32Array;
  fwdTarget: Uint32Array;
  fwdSeg: Uint32Array;
  fwdSeconds: Float64Array;
  /** Incoming edges of node v: revStart[v] .. revStart[v+1]-1. */
  revStart: Uint32Array;
  revSource: Uint32Array;
  revSeg: Uint32Array;
  revSeconds: Float64Array;
  /** For each entry of the snap index: its segment and first position. */
  snapSeg: Uint32Array;
  snapPos: Uint32Array;
}

/** Metadata stored beside the arrays. */
export interface RoadGraphMeta {
  names: string[];
  /** Latitude of the local projection used by the snap index. */
  refLat: number;
  /** [minLon, minLat, maxLon, maxLat] of all nodes. */
  bbox: [number, number, number, number];
  /** Fastest speed on the graph, m/s: the A* heuristic's bound. */
  maxSpeedMps: number;
}

/**
 * A compiled, read-only road graph with a spatial index of its snappable
 * segments (those in the strongly connected parts of the network).
 */
export class RoadGraph {
  readonly arrays: RoadGraphArrays;
  readonly meta: RoadGraphMeta;
  /** Packed R-tree over snappable sub-segments, in projected meters. */
  readonly snapIndex: Flatbush;
  readonly projection: LocalProjection;

  constructor(arrays: RoadGraphArrays, meta: RoadGraphMeta, index: Flatbush) {
    this.arrays = arrays;
    this.meta = meta;
    this.snapIndex = index;
    this.projection = new LocalProjection(meta.refLat);
  }

  get nodeCount(): number {
    return this.arrays.nodeLat.length;
  }

  get segmentCount(): number {
    return this.arrays.segA.length;
  }

  /** Bytes held by the graph's arrays and index. */
  get byteLength(): number {
    let total = this.snapIndex.data.byteLength;
    for (const array of Object.values(this.arrays)) {
      total += (array as ArrayBufferView).byteLength;
    }
    return total;
  }

  /** Segment `seg`'s geometry as [lon, lat] positions, A to B. */
  segmentCoordinates(seg: number): number[][] {
    const { segGeomStart, geomCoords } = this.arrays;
    const start = segGeomStart[seg] as number;
    const end = segGeomStart[seg + 1] as number;
    const out: number[][] = [];
    for (let i = start; i < end; i++) {
      out.push([geomCoords[2 * i] as number, geomCoords[2 * i + 1] as number]);
    }
    return out;
  }
}

/** Names of the arrays, in cache-file order. */
export const ROAD_GRAPH_ARRAY_NAMES: readonly (keyof RoadGraphArrays)[] = [
  'nodeLat',
  'nodeLon',
  'segA',
  'segB',
  'segForwardSeconds',
  'segBackwardSeconds',
  'segLengthMeters',
  'segName',
  'segGeomStart',
  'geomCoords',
  'fwdStart',
  'fwdTarget',
  'fwdSeg',
  'fwdSeconds',
  'revStart',
  'revSource',
  'revSeg',
  'revSeconds',
  'snapSeg',
  'snapPos',
  'sweepOrder',
  'upOutStart',
  'upOutNode',
  'upOutSeconds',
  'upOutMeters',
  'upInStart',
  'upInNode',
  'upInSeconds',
  'upInMeters',
];
