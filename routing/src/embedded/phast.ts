import FlatQueue from 'flatqueue';

import type { RoadGraph } from '../graph/road-graph.ts';

/** A node where a query enters or leaves the graph, with its cost. */
export interface Seed {
  node: number;
  seconds: number;
  meters: number;
}

/**
 * One-to-all drive times over the graph's contraction hierarchy (see
 * `graph/contract.ts`): a small upward search, then one linear sweep over
 * every node. Its cost hardly depends on how many units are asked about,
 * which is what a dispatch recommendation needs. Results live in
 * `seconds` and `meters` until the next query.
 */
export class PhastSearch {
  readonly seconds: Float64Array;
  readonly meters: Float64Array;
  private readonly graph: RoadGraph;
  private readonly done: Uint8Array;
  private readonly queue = new FlatQueue<number>();

  constructor(graph: RoadGraph) {
    this.graph = graph;
    this.seconds = new Float64Array(graph.nodeCount);
    this.meters = new Float64Array(graph.nodeCount);
    this.done = new Uint8Array(graph.nodeCount);
  }

  /** Drive time from every node to the seeds (seeds carry the last bit). */
  toSeeds(seeds: readonly Seed[]): void {
    const a = this.graph.arrays;
    // Backwards upward: from v to a higher u over an edge u → v.
    this.upward(seeds, a.upInStart, a.upInNode, a.upInSeconds, a.upInMeters);
    this.sweep(a.upOutStart, a.upOutNode, a.upOutSeconds, a.upOutMeters);
  }

  /** Drive time from the seeds (seeds carry the first bit) to every node. */
  fromSeeds(seeds: readonly Seed[]): void {
    const a = this.graph.arrays;
    this.upward(
      seeds,
      a.upOutStart,
      a.upOutNode,
      a.upOutSeconds,
      a.upOutMeters,
    );
    this.sweep(a.upInStart, a.upInNode, a.upInSeconds, a.upInMeters);
  }

  private upward(
    seeds: readonly Seed[],
    start: Uint32Array,
    node: Uint32Array,
    edgeSeconds: Float64Array,
    edgeMeters: Float64Array,
  ): void {
    const { seconds, meters, done, queue } = this;
    seconds.fill(Infinity);
    done.fill(0);
    queue.clear();
    for (const seed of seeds) {
      if (seed.seconds < seconds[seed.node]!) {
        seconds[seed.node] = seed.seconds;
        meters[seed.node] = seed.meters;
        queue.push(seed.node, seed.seconds);
      }
    }
    while (queue.length > 0) {
      const v = queue.pop()!;
      if (done[v]) continue;
      done[v] = 1;
      const sv = seconds[v]!;
      for (let e = start[v]!; e < start[v + 1]!; e++) {
        const u = node[e]!;
        const su = sv + edgeSeconds[e]!;
        if (su < seconds[u]!) {
          seconds[u] = su;
          meters[u] = meters[v]! + edgeMeters[e]!;
          queue.push(u, su);
        }
      }
    }
  }

  /** Highest rank first: every node takes the best of its higher neighbours. */
  private sweep(
    start: Uint32Array,
    node: Uint32Array,
    edgeSeconds: Float64Array,
    edgeMeters: Float64Array,
  ): void {
    const { seconds, meters } = this;
    const order = this.graph.arrays.sweepOrder;
    for (let i = 0; i < order.length; i++) {
      const v = order[i]!;
      let best = seconds[v]!;
      let bestMeters = meters[v]!;
      for (let e = start[v]!; e < start[v + 1]!; e++) {
        const u = node[e]!;
        const s = edgeSeconds[e]! + seconds[u]!;
        if (s < best) {
          best = s;
          bestMeters = edgeMeters[e]! + meters[u]!;
        }
      }
      seconds[v] = best;
      meters[v] = bestMeters;
    }
  }
}
