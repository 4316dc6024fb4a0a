import FlatQueue from 'flatqueue';

/**
 * A contraction hierarchy of the road graph, used for one-to-all queries in
 * a single linear sweep (PHAST: Delling et al., "PHAST: Hardware-Accelerated
 * Shortest Path Trees", 2011) instead of a Dijkstra over the whole city.
 *
 * Every node gets a rank; an "upward" edge leads to a higher rank. Each
 * shortest path is an upward part followed by a downward part, so:
 * - drive times *to* a target t for every node: an upward search backwards
 *   from t, then for every node from the highest rank down,
 *   `t(v) = min(t(v), w(v→u) + t(u))` over its upward out-edges;
 * - drive times *from* sources: an upward search forwards from them, then
 *   the same sweep over upward in-edges.
 * Edges carry seconds and meters; meters follow the fastest path.
 */
export interface ContractionArrays {
  /** Nodes by rank, highest first: the sweep order. */
  sweepOrder: Uint32Array;
  /** Upward out-edges of v (v → u, rank u > rank v). */
  upOutStart: Uint32Array;
  upOutNode: Uint32Array;
  upOutSeconds: Float64Array;
  upOutMeters: Float64Array;
  /** Upward in-edges of v (u → v, rank u > rank v), stored at v. */
  upInStart: Uint32Array;
  upInNode: Uint32Array;
  upInSeconds: Float64Array;
  upInMeters: Float64Array;
}

interface Arc {
  seconds: number;
  meters: number;
}

/** How far a witness search looks before giving up (adding a shortcut). */
const WITNESS_SETTLE_LIMIT = 400;

/**
 * Contracts a directed graph given as CSR arrays with per-edge seconds and
 * meters. Parallel edges keep the fastest. Deterministic: the same graph
 * gives the same hierarchy.
 */
export function contractGraph(
  nodeCount: number,
  start: Uint32Array,
  target: Uint32Array,
  seconds: Float64Array,
  meters: (edge: number) => number,
): ContractionArrays {
  const out: Map<number, Arc>[] = [];
  const inc: Map<number, Arc>[] = [];
  for (let v = 0; v < nodeCount; v++) {
    out.push(new Map());
    inc.push(new Map());
  }
  const addArc = (u: number, v: number, arc: Arc) => {
    if (u === v) return;
    const known = out[u]!.get(v);
    if (known !== undefined && known.seconds <= arc.seconds) return;
    out[u]!.set(v, arc);
    inc[v]!.set(u, arc);
  };
  for (let u = 0; u < nodeCount; u++) {
    for (let e = start[u]!; e < start[u + 1]!; e++) {
      addArc(u, target[e]!, { seconds: seconds[e]!, meters: meters(e) });
    }
  }

  const contracted = new Uint8Array(nodeCount);
  const deletedNeighbors = new Uint32Array(nodeCount);
  const rank = new Uint32Array(nodeCount);
  const upOut: [number, Arc][][] = [];
  const upIn: [number, Arc][][] = [];

  // Witness search state, reset by generation stamps.
  const dist = new Float64Array(nodeCount);
  const stamp = new Uint32Array(nodeCount);
  let generation = 0;
  const queue = new FlatQueue<number>();

  /** Shortcuts that contracting v needs: [u, w, arc]. */
  const shortcutsFor = (v: number): [number, number, Arc][] => {
    const needed: [number, number, Arc][] = [];
    const outs = [...out[v]!].filter(([w]) => !contracted[w]);
    if (outs.length === 0) return needed;
    for (const [u, inArc] of inc[v]!) {
      if (contracted[u]) continue;
      let maxCost = 0;
      for (const [w, outArc] of outs) {
        if (w !== u)
          maxCost = Math.max(maxCost, inArc.seconds + outArc.seconds);
      }
      // Dijkstra from u avoiding v, up to maxCost.
      generation++;
      queue.clear();
      dist[u] = 0;
      stamp[u] = generation;
      queue.push(u, 0);
      let settled = 0;
      while (queue.length > 0 && settled < WITNESS_SETTLE_LIMIT) {
        const d = queue.peekValue()!;
        const x = queue.pop()!;
        if (d > dist[x]!) continue;
        if (d > maxCost) break;
        settled++;
        for (const [y, arc] of out[x]!) {
          if (y === v || contracted[y]) continue;
          const dy = d + arc.seconds;
          if (stamp[y] !== generation || dy < dist[y]!) {
            stamp[y] = generation;
            dist[y] = dy;
            queue.push(y, dy);
          }
        }
      }
      for (const [w, outArc] of outs) {
        if (w === u) continue;
        const cost = inArc.seconds + outArc.seconds;
        const witness = stamp[w] === generation ? dist[w]! : Infinity;
        if (witness > cost) {
          needed.push([
            u,
            w,
            { seconds: cost, meters: inArc.meters + outArc.meters },
          ]);
        }
      }
    }
    return needed;
  };

  const priority = (v: number): number => {
    let degree = 0;
    for (const w of out[v]!.keys()) if (!contracted[w]) degree++;
    for (const u of inc[v]!.keys()) if (!contracted[u]) degree++;
    return shortcutsFor(v).length - degree + deletedNeighbors[v]!;
  };

  const order = new FlatQueue<number>();
  for (let v = 0; v < nodeCount; v++) order.push(v, priority(v));

  let next = 0;
  while (order.length > 0) {
    const v = order.pop()!;
    // Lazy update: re-evaluate; if no longer the best, put it back.
    const current = priority(v);
    if (order.length > 0 && current > order.peekValue()!) {
      order.push(v, current);
      continue;
    }
    const shortcuts = shortcutsFor(v);
    const ups: [number, Arc][] = [];
    const downs: [number, Arc][] = [];
    for (const [w, arc] of out[v]!) if (!contracted[w]) ups.push([w, arc]);
    for (const [u, arc] of inc[v]!) if (!contracted[u]) downs.push([u, arc]);
    upOut[v] = ups;
    upIn[v] = downs;
    contracted[v] = 1;
    rank[v] = next++;
    for (const [w] of ups) deletedNeighbors[w]!++;
    for (const [u] of downs) deletedNeighbors[u]!++;
    for (const [u, w, arc] of shortcuts) addArc(u, w, arc);
  }

  const sweepOrder = new Uint32Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) sweepOrder[nodeCount - 1 - rank[v]!] = v;
  const up = toCsr(nodeCount, upOut);
  const down = toCsr(nodeCount, upIn);
  return {
    sweepOrder,
    upOutStart: up.start,
    upOutNode: up.node,
    upOutSeconds: up.seconds,
    upOutMeters: up.meters,
    upInStart: down.start,
    upInNode: down.node,
    upInSeconds: down.seconds,
    upInMeters: down.meters,
  };
}

function toCsr(nodeCount: number, lists: [number, Arc][][]) {
  const start = new Uint32Array(nodeCount + 1);
  for (let v = 0; v < nodeCount; v++) {
    start[v + 1] = start[v]! + (lists[v]?.length ?? 0);
  }
  const total = start[nodeCount]!;
  const node = new Uint32Array(total);
  const seconds = new Float64Array(total);
  const meters = new Float64Array(total);
  for (let v = 0; v < nodeCount; v++) {
    let i = start[v]!;
    for (const [w, arc] of lists[v] ?? []) {
      node[i] = w;
      seconds[i] = arc.seconds;
      meters[i] = arc.meters;
      i++;
    }
  }
  return { start, node, seconds, meters };
}
