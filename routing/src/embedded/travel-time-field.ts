import { assertLatLon } from '../geo.ts';
import type { CoverageLines, LatLon, TravelTimeField } from '../router.ts';
import type { EmbeddedRouter } from './embedded-router.ts';
import { partialGeometry, type EdgePoint } from './snap.ts';

/**
 * Drive times from the nearest of several origins to every node, from one
 * multi-source search, and what follows from them for points on roads.
 */
export class EmbeddedTravelTimeField implements TravelTimeField {
  readonly source = 'embedded' as const;
  readonly maxSeconds: number;
  private readonly router: EmbeddedRouter;
  private readonly nodeSeconds: Float64Array;
  private readonly starts: readonly EdgePoint[];

  /**
   * @param nodeSeconds drive time to each node, Infinity when not reached
   * @param starts the snapped origins (their own roads are reached directly)
   */
  constructor(
    router: EmbeddedRouter,
    nodeSeconds: Float64Array,
    starts: readonly EdgePoint[],
    maxSeconds: number,
  ) {
    this.router = router;
    this.nodeSeconds = nodeSeconds;
    this.starts = starts;
    this.maxSeconds = maxSeconds;
  }

  secondsTo(point: LatLon): number | undefined {
    assertLatLon(point, 'point');
    const edge = this.router.snapEdge(point);
    if (edge === undefined) return undefined;
    let best = Infinity;
    for (const a of this.router.arrivals(edge)) {
      best = Math.min(best, (this.nodeSeconds[a.node] as number) + a.seconds);
    }
    for (const start of this.starts) {
      const direct = this.router.sameSegment(start, edge);
      if (direct !== undefined) best = Math.min(best, direct.seconds);
    }
    return best <= this.maxSeconds ? best : undefined;
  }

  reachable(withinSeconds = this.maxSeconds): CoverageLines {
    const limit = Math.min(withinSeconds, this.maxSeconds);
    const { graph } = this.router;
    const a = graph.arrays;
    const own = new Map<number, [number, number][]>();
    for (const start of this.starts) {
      const forward = a.segForwardSeconds[start.seg] as number;
      const backward = a.segBackwardSeconds[start.seg] as number;
      const list = own.get(start.seg) ?? [];
      if (Number.isFinite(forward)) {
        list.push([start.fraction, start.fraction + limit / forward]);
      }
      if (Number.isFinite(backward)) {
        list.push([start.fraction - limit / backward, start.fraction]);
      }
      own.set(start.seg, list);
    }

    const lines: number[][][] = [];
    let lengthMeters = 0;
    for (let seg = 0; seg < a.segA.length; seg++) {
      const intervals: [number, number][] = own.get(seg) ?? [];
      const fromA = this.nodeSeconds[a.segA[seg] as number] as number;
      const forward = a.segForwardSeconds[seg] as number;
      if (fromA <= limit && Number.isFinite(forward)) {
        intervals.push([0, (limit - fromA) / forward]);
      }
      const fromB = this.nodeSeconds[a.segB[seg] as number] as number;
      const backward = a.segBackwardSeconds[seg] as number;
      if (fromB <= limit && Number.isFinite(backward)) {
        intervals.push([1 - (limit - fromB) / backward, 1]);
      }
      if (intervals.length === 0) continue;
      const length = a.segLengthMeters[seg] as number;
      for (const [lo, hi] of mergeIntervals(intervals)) {
        lengthMeters += (hi - lo) * length;
        lines.push(partialGeometry(graph, seg, lo, hi));
      }
    }
    return { withinSeconds: limit, lines, lengthMeters };
  }
}

/** Clamps intervals to [0, 1] and merges overlapping ones, in order. */
function mergeIntervals(intervals: [number, number][]): [number, number][] {
  const clamped = intervals
    .map(([lo, hi]): [number, number] => [Math.max(0, lo), Math.min(1, hi)])
    .filter(([lo, hi]) => hi >= lo)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const interval of clamped) {
    const last = out[out.length - 1];
    if (last && interval[0] <= last[1])
      last[1] = Math.max(last[1], interval[1]);
    else out.push([interval[0], interval[1]]);
  }
  return out;
}
