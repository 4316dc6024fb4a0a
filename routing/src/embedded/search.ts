import FlatQueue from 'flatqueue';

import type { RoadGraph } from '../graph/road-graph.ts';

/**
 * Reusable state for Dijkstra searches over one graph. Arrays are reset by
 * bumping a generation stamp rather than by clearing, so a query costs only
 * what it touches. Searches are synchronous, so one workspace per graph is
 * safe on Node's single thread.
 */
export class SearchWorkspace {
  readonly seconds: Float64Array;
  readonly meters: Float64Array;
  /** The segment and node a node was reached through; -1 at a start. */
  readonly parentSeg: Int32Array;
  readonly parentNode: Int32Array;
  private readonly seen: Uint32Array;
  private readonly done: Uint32Array;
  private generation = 0;
  private queue: FlatQueue<number>;

  /**
   * @param edgeCount sizes the queue: a search pushes each edge at most
   *   once, plus its seeds (the queue grows if seeds overflow it)
   */
  constructor(nodeCount: number, edgeCount: number) {
    this.queue = new FlatQueue<number>(edgeCount + 2 * nodeCount + 16);

    this.seconds = new Float64Array(nodeCount);
    this.meters = new Float64Array(nodeCount);
    this.parentSeg = new Int32Array(nodeCount);
    this.parentNode = new Int32Array(nodeCount);
    this.seen = new Uint32Array(nodeCount);
    this.done = new Uint32Array(nodeCount);
  }

  /** Forgets the previous search. */
  reset(): void {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.seen.fill(0);
      this.done.fill(0);
      this.generation = 1;
    }
    this.queue.clear();
  }

  /** Seeds the search at `node` with a starting time and distance. */
  seed(node: number, seconds: number, meters: number, key = seconds): void {
    if (!Number.isFinite(seconds)) return;
    if (this.seen[node] === this.generation && this.seconds[node]! <= seconds) {
      return;
    }
    this.seen[node] = this.generation;
    this.seconds[node] = seconds;
    this.meters[node] = meters;
    this.parentSeg[node] = -1;
    this.parentNode[node] = -1;
    if (this.queue.length === this.queue.capacity) this.growQueue();
    this.queue.push(node, key);
  }

  private growQueue(): void {
    const old = this.queue;
    const grown = new FlatQueue<number>(old.capacity * 2);
    // A binary heap stays a heap when copied slot by slot.
    (grown.ids as unknown as Uint32Array).set(
      old.ids as unknown as Uint32Array,
    );
    (grown.values as unknown as Float64Array).set(
      old.values as unknown as Float64Array,
    );
    grown.length = old.length;
    this.queue = grown;
  }

  /**
   * Runs Dijkstra (A* when `heuristic` is given) from the seeded nodes.
   * `reverse` follows edges backwards: times are then to the seeds, not
   * from them. Stops when the queue is empty, when the next key exceeds
   * `maxSeconds`, or when `onSettle` returns true; says which.
   */
  run(
    graph: RoadGraph,
    reverse: boolean,
    maxSeconds: number,
    options: {
      onSettle?: (node: number, key: number) => boolean;
      heuristic?: (node: number) => number;
    } = {},
  ): 'exhausted' | 'limit' | 'stopped' {
    const { onSettle, heuristic } = options;
    const a = graph.arrays;
    const start = reverse ? a.revStart : a.fwdStart;
    const other = reverse ? a.revSource : a.fwdTarget;
    const edgeSeg = reverse ? a.revSeg : a.fwdSeg;
    const edgeSeconds = reverse ? a.revSeconds : a.fwdSeconds;
    const length = a.segLengthMeters;
    const { seconds, meters, seen, done, queue, parentSeg, parentNode } = this;
    const gen = this.generation;
    while (queue.length > 0) {
      const key = queue.peekValue() as number;
      const u = queue.pop() as number;
      if (done[u] === gen) continue;
      if (key > maxSeconds) return 'limit';
      done[u] = gen;
      if (onSettle !== undefined && onSettle(u, key)) return 'stopped';
      const su = seconds[u] as number;
      const mu = meters[u] as number;
      const end = start[u + 1] as number;
      for (let e = start[u] as number; e < end; e++) {
        const v = other[e] as number;
        if (done[v] === gen) continue;
        const sv = su + (edgeSeconds[e] as number);
        if (seen[v] === gen && sv >= (seconds[v] as number)) continue;
        const seg = edgeSeg[e] as number;
        seen[v] = gen;
        seconds[v] = sv;
        meters[v] = mu + (length[seg] as number);
        parentSeg[v] = seg;
        parentNode[v] = u;
        queue.push(v, heuristic === undefined ? sv : sv + heuristic(v));
      }
    }
    return 'exhausted';
  }
}
