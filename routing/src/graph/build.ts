import Flatbush from 'flatbush';
import type { OsmElement } from 'tiny-osmpbf';

import { RoutingError } from '../errors.ts';
import { pbfReader } from '../osm-pbf.ts';
import { haversineMeters, LocalProjection } from '../geo.ts';
import {
  isTrafficSignal,
  nodeBlocks,
  TRAFFIC_SIGNAL_PENALTY_SECONDS,
  wayTravel,
  type WayTravel,
} from '../profile/car.ts';
import { stronglyConnectedComponents } from './components.ts';
import { contractGraph, type ContractionArrays } from './contract.ts';
import { RoadGraph, type RoadGraphArrays } from './road-graph.ts';

/** Options of {@link buildRoadGraph}. */
export interface BuildOptions {
  /**
   * Strongly connected parts of the network smaller than this many nodes
   * (a gated car park, a one-way stub cut by the extract's edge) are kept
   * for routing but never snapped to: a call snapped there would be
   * unreachable from the rest of the city. OSRM's default is 1000; the
   * largest part is always snappable.
   */
  minComponentNodes?: number;
}

interface RoutableWay {
  nodes: number[];
  travel: WayTravel;
}

/** A growable Float64Array, for coordinates of unknown count. */
class FloatList {
  data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Compiles an OpenStreetMap PBF extract into a road graph for ambulances
 * (see `profile/car.ts`).
 * @throws RoutingError `ROUTING_GRAPH_INVALID` when the data cannot be
 *   parsed or holds no routable road.
 */
export function buildRoadGraph(
  pbf: Uint8Array,
  options: BuildOptions = {},
): RoadGraph {
  return buildRoadGraphFromOsm(pbfReader(pbf), options);
}

/**
 * Compiles OSM elements into a road graph. `read` calls its handler once
 * per element, nodes before the ways that use them (the order of a PBF
 * file). Tests feed small hand-made networks through this.
 */
export function buildRoadGraphFromOsm(
  read: (handler: (element: OsmElement) => void) => void,
  options: BuildOptions = {},
): RoadGraph {
  const minComponentNodes = options.minComponentNodes ?? 1000;

  // Pass 1: coordinates of every node, barriers, and the routable ways.
  const osmIndex = new Map<number, number>();
  const lats = new FloatList();
  const lons = new FloatList();
  const blocking = new Set<number>();
  const signals = new Set<number>();
  const ways: RoutableWay[] = [];
  read((element) => {
    if (element.type === 'node') {
      osmIndex.set(element.id, lats.length);
      lats.push(element.lat);
      lons.push(element.lon);
      if (nodeBlocks(element.tags)) blocking.add(element.id);
      if (isTrafficSignal(element.tags)) signals.add(element.id);
    } else if (element.type === 'way' && element.tags) {
      const travel = wayTravel(element.tags);
      if (travel && (travel.forwardMps > 0 || travel.backwardMps > 0)) {
        ways.push({ nodes: element.nodes, travel });
      }
    }
  });

  // Pass 2: a node becomes a graph node where ways meet or end. A blocking
  // barrier becomes a separate dead end on each way through it, so nothing
  // drives across it.
  const uses = new Map<number, number>();
  for (const way of ways) {
    const refs = way.nodes;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as number;
      const isEnd = i === 0 || i === refs.length - 1;
      uses.set(ref, (uses.get(ref) ?? 0) + (isEnd ? 2 : 1));
    }
  }

  const graphNodeOf = new Map<number, number>();
  const nodeLat = new FloatList();
  const nodeLon = new FloatList();
  const newGraphNode = (osmIdx: number): number => {
    nodeLat.push(lats.data[osmIdx] as number);
    nodeLon.push(lons.data[osmIdx] as number);
    return nodeLat.length - 1;
  };
  const graphNode = (ref: number, osmIdx: number): number => {
    if (blocking.has(ref)) return newGraphNode(osmIdx);
    let id = graphNodeOf.get(ref);
    if (id === undefined) {
      id = newGraphNode(osmIdx);
      graphNodeOf.set(ref, id);
    }
    return id;
  };

  const names = [''];
  const nameIndex = new Map<string, number>([['', 0]]);
  const segA: number[] = [];
  const segB: number[] = [];
  const segForward: number[] = [];
  const segBackward: number[] = [];
  const segLength: number[] = [];
  const segName: number[] = [];
  const segGeomStart: number[] = [];
  const geom = new FloatList();

  for (const way of ways) {
    let name = nameIndex.get(way.travel.name);
    if (name === undefined) {
      name = names.length;
      names.push(way.travel.name);
      nameIndex.set(way.travel.name, name);
    }
    for (const run of knownRuns(way.nodes, osmIndex)) {
      let from = 0;
      for (let i = 1; i < run.length; i++) {
        const ref = run[i] as number;
        const isGraphNode =
          i === run.length - 1 ||
          (uses.get(ref) ?? 0) >= 2 ||
          blocking.has(ref);
        if (!isGraphNode) continue;
        let lengthMeters = 0;
        // Signals are paid on entering their node: along the way's order
        // every node after the first, against it every node but the last.
        let forwardSignals = 0;
        let backwardSignals = 0;
        segGeomStart.push(geom.length / 2);
        for (let j = from; j <= i; j++) {
          const idx = osmIndex.get(run[j] as number) as number;
          const lat = lats.data[idx] as number;
          const lon = lons.data[idx] as number;
          if (j > from) {
            const prev = osmIndex.get(run[j - 1] as number) as number;
            lengthMeters += haversineMeters(
              lats.data[prev] as number,
              lons.data[prev] as number,
              lat,
              lon,
            );
          }
          geom.push(lon);
          geom.push(lat);
          if (signals.has(run[j] as number)) {
            if (j > from) forwardSignals++;
            if (j < i) backwardSignals++;
          }
        }
        const startRef = run[from] as number;
        segA.push(graphNode(startRef, osmIndex.get(startRef) as number));
        segB.push(graphNode(ref, osmIndex.get(ref) as number));
        const { forwardMps, backwardMps } = way.travel;
        segForward.push(
          forwardMps > 0
            ? lengthMeters / forwardMps +
                forwardSignals * TRAFFIC_SIGNAL_PENALTY_SECONDS
            : Infinity,
        );
        segBackward.push(
          backwardMps > 0
            ? lengthMeters / backwardMps +
                backwardSignals * TRAFFIC_SIGNAL_PENALTY_SECONDS
            : Infinity,
        );
        segLength.push(lengthMeters);
        segName.push(name);
        from = i;
      }
    }
  }
  segGeomStart.push(geom.length / 2);

  if (segA.length === 0) {
    throw new RoutingError(
      'ROUTING_GRAPH_INVALID',
      'the OSM extract holds no road an ambulance can drive',
    );
  }

  const arrays = compile({
    nodeLat: nodeLat.toArray(),
    nodeLon: nodeLon.toArray(),
    segA: Uint32Array.from(segA),
    segB: Uint32Array.from(segB),
    segForwardSeconds: Float64Array.from(segForward),
    segBackwardSeconds: Float64Array.from(segBackward),
    segLengthMeters: Float64Array.from(segLength),
    segName: Uint32Array.from(segName),
    segGeomStart: Uint32Array.from(segGeomStart),
    geomCoords: geom.toArray(),
  });

  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (let i = 0; i < arrays.nodeLat.length; i++) {
    const lat = arrays.nodeLat[i] as number;
    const lon = arrays.nodeLon[i] as number;
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
    if (lon < minLon) minLon = lon;
    if (lon > maxLon) maxLon = lon;
  }
  let maxSpeedMps = 0;
  for (let s = 0; s < arrays.segA.length; s++) {
    const length = arrays.segLengthMeters[s] as number;
    for (const seconds of [
      arrays.segForwardSeconds[s] as number,
      arrays.segBackwardSeconds[s] as number,
    ]) {
      if (seconds > 0 && Number.isFinite(seconds)) {
        maxSpeedMps = Math.max(maxSpeedMps, length / seconds);
      }
    }
  }
  const refLat = (minLat + maxLat) / 2;
  const projection = new LocalProjection(refLat);
  const snappable = snappableSegments(arrays, minComponentNodes);
  const { index, snapSeg, snapPos } = buildSnapIndex(
    arrays,
    snappable,
    projection,
  );
  const hierarchy = contractGraph(
    arrays.nodeLat.length,
    arrays.fwdStart,
    arrays.fwdTarget,
    arrays.fwdSeconds,
    (edge) => arrays.segLengthMeters[arrays.fwdSeg[edge]!]!,
  );
  return new RoadGraph(
    { ...arrays, snapSeg, snapPos, ...hierarchy },
    { names, refLat, bbox: [minLon, minLat, maxLon, maxLat], maxSpeedMps },
    index,
  );
}

type SegmentArrays = Pick<
  RoadGraphArrays,
  | 'nodeLat'
  | 'nodeLon'
  | 'segA'
  | 'segB'
  | 'segForwardSeconds'
  | 'segBackwardSeconds'
  | 'segLengthMeters'
  | 'segName'
  | 'segGeomStart'
  | 'geomCoords'
>;

type CompiledArrays = Omit<
  RoadGraphArrays,
  'snapSeg' | 'snapPos' | keyof ContractionArrays
>;

/**
 * Splits a way's node list into runs of nodes present in the extract (a way
 * cut at the extract's edge references nodes it does not hold), dropping
 * repeated consecutive references. Runs shorter than two nodes are dropped.
 */
function knownRuns(refs: number[], known: Map<number, number>): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  for (const ref of refs) {
    if (!known.has(ref)) {
      if (run.length >= 2) runs.push(run);
      run = [];
    } else if (run[run.length - 1] !== ref) {
      run.push(ref);
    }
  }
  if (run.length >= 2) runs.push(run);
  return runs;
}

/** Adds forward and reverse adjacency (CSR) to the segment arrays. */
function compile(s: SegmentArrays): CompiledArrays {
  const n = s.nodeLat.length;
  const fwdCount = new Uint32Array(n + 1);
  const revCount = new Uint32Array(n + 1);
  let edges = 0;
  const each = (fn: (u: number, v: number, seg: number, t: number) => void) => {
    for (let seg = 0; seg < s.segA.length; seg++) {
      const a = s.segA[seg] as number;
      const b = s.segB[seg] as number;
      const forward = s.segForwardSeconds[seg] as number;
      const backward = s.segBackwardSeconds[seg] as number;
      if (Number.isFinite(forward)) fn(a, b, seg, forward);
      if (Number.isFinite(backward)) fn(b, a, seg, backward);
    }
  };
  each((u, v) => {
    fwdCount[u + 1]!++;
    revCount[v + 1]!++;
    edges++;
  });
  for (let i = 0; i < n; i++) {
    fwdCount[i + 1]! += fwdCount[i] as number;
    revCount[i + 1]! += revCount[i] as number;
  }
  const fwdStart = fwdCount.slice();
  const revStart = revCount.slice();
  const fwdTarget = new Uint32Array(edges);
  const fwdSeg = new Uint32Array(edges);
  const fwdSeconds = new Float64Array(edges);
  const revSource = new Uint32Array(edges);
  const revSeg = new Uint32Array(edges);
  const revSeconds = new Float64Array(edges);
  each((u, v, seg, t) => {
    const f = fwdCount[u]!++;
    fwdTarget[f] = v;
    fwdSeg[f] = seg;
    fwdSeconds[f] = t;
    const r = revCount[v]!++;
    revSource[r] = u;
    revSeg[r] = seg;
    revSeconds[r] = t;
  });
  return {
    ...s,
    fwdStart,
    fwdTarget,
    fwdSeg,
    fwdSeconds,
    revStart,
    revSource,
    revSeg,
    revSeconds,
  };
}

/** Segments whose both ends lie in a large strongly connected part. */
function snappableSegments(
  arrays: CompiledArrays,
  minComponentNodes: number,
): Uint8Array {
  const { component, sizes } = stronglyConnectedComponents(
    arrays.nodeLat.length,
    arrays.fwdStart,
    arrays.fwdTarget,
  );
  const largest = sizes.reduce((max, size) => Math.max(max, size), 0);
  const threshold = Math.min(minComponentNodes, largest);
  const big = (node: number) =>
    (sizes[component[node] as number] as number) >= threshold;
  const out = new Uint8Array(arrays.segA.length);
  for (let seg = 0; seg < out.length; seg++) {
    if (big(arrays.segA[seg] as number) && big(arrays.segB[seg] as number)) {
      out[seg] = 1;
    }
  }
  return out;
}

/** A packed R-tree over every sub-segment of the snappable segments. */
function buildSnapIndex(
  arrays: CompiledArrays,
  snappable: Uint8Array,
  projection: LocalProjection,
): { index: Flatbush; snapSeg: Uint32Array; snapPos: Uint32Array } {
  const { segGeomStart, geomCoords } = arrays;
  let count = 0;
  for (let seg = 0; seg < snappable.length; seg++) {
    if (snappable[seg]) {
      count +=
        (segGeomStart[seg + 1] as number) - (segGeomStart[seg] as number) - 1;
    }
  }
  const index = new Flatbush(Math.max(count, 1));
  const snapSeg = new Uint32Array(count);
  const snapPos = new Uint32Array(count);
  let k = 0;
  for (let seg = 0; seg < snappable.length; seg++) {
    if (!snappable[seg]) continue;
    const end = (segGeomStart[seg + 1] as number) - 1;
    for (let p = segGeomStart[seg] as number; p < end; p++) {
      const x0 = projection.x(geomCoords[2 * p] as number);
      const y0 = projection.y(geomCoords[2 * p + 1] as number);
      const x1 = projection.x(geomCoords[2 * p + 2] as number);
      const y1 = projection.y(geomCoords[2 * p + 3] as number);
      index.add(
        Math.min(x0, x1),
        Math.min(y0, y1),
        Math.max(x0, x1),
        Math.max(y0, y1),
      );
      snapSeg[k] = seg;
      snapPos[k] = p;
      k++;
    }
  }
  // Flatbush needs at least one item; a graph with nothing snappable
  // answers every snap with "off the network".
  if (count === 0) index.add(Infinity, Infinity, Infinity, Infinity);
  index.finish();
  return { index, snapSeg, snapPos };
}
