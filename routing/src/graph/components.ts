/**
 * Strongly connected components of a directed graph in CSR form (Tarjan's
 * algorithm, iterative so a long road does not overflow the call stack).
 * @returns each node's component id and each component's node count
 */
export function stronglyConnectedComponents(
  nodeCount: number,
  start: Uint32Array,
  target: Uint32Array,
): { component: Uint32Array; sizes: number[] } {
  const UNSEEN = 0xffffffff;
  const order = new Uint32Array(nodeCount).fill(UNSEEN);
  const low = new Uint32Array(nodeCount);
  const component = new Uint32Array(nodeCount).fill(UNSEEN);
  const onStack = new Uint8Array(nodeCount);
  const stack: number[] = [];
  const sizes: number[] = [];
  // The call stack of the recursive version: a node and its next edge.
  const callNode = new Uint32Array(nodeCount);
  const callEdge = new Uint32Array(nodeCount);
  let counter = 0;

  for (let root = 0; root < nodeCount; root++) {
    if (order[root] !== UNSEEN) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = start[root] as number;
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (depth >= 0) {
      const u = callNode[depth] as number;
      const edge = callEdge[depth] as number;
      if (edge < (start[u + 1] as number)) {
        callEdge[depth] = edge + 1;
        const v = target[edge] as number;
        if (order[v] === UNSEEN) {
          order[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
          depth++;
          callNode[depth] = v;
          callEdge[depth] = start[v] as number;
        } else if (onStack[v]) {
          low[u] = Math.min(low[u] as number, order[v] as number);
        }
        continue;
      }
      if (low[u] === order[u]) {
        const id = sizes.length;
        let size = 0;
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component[w] = id;
          size++;
        } while (w !== u);
        sizes.push(size);
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth] as number;
        low[parent] = Math.min(low[parent] as number, low[u] as number);
      }
    }
  }
  return { component, sizes };
}
