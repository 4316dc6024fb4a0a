import { describe, expect, it } from 'vitest';

import { PhastSearch } from '../src/embedded/phast.ts';
import { SearchWorkspace } from '../src/embedded/search.ts';
import { demoRouter } from './demo-graph.ts';

describe('contraction hierarchy on the Porto Alegre graph', () => {
  it('gives the same drive time to and from every node as plain Dijkstra', () => {
    const { graph } = demoRouter().router;
    const phast = new PhastSearch(graph);
    const dijkstra = new SearchWorkspace(
      graph.nodeCount,
      graph.arrays.fwdTarget.length,
    );
    let checked = 0;
    for (const node of [0, 101, 2024, 7777, graph.nodeCount - 1]) {
      for (const reverse of [true, false]) {
        const seed = { node, seconds: 0, meters: 0 };
        if (reverse) phast.toSeeds([seed]);
        else phast.fromSeeds([seed]);
        dijkstra.reset();
        dijkstra.seed(node, 0, 0);
        const seen = new Set<number>();
        dijkstra.run(graph, reverse, Infinity, {
          onSettle: (v) => {
            seen.add(v);
            return false;
          },
        });
        for (let v = 0; v < graph.nodeCount; v++) {
          const expected = seen.has(v) ? dijkstra.seconds[v]! : Infinity;
          const got = phast.seconds[v]!;
          if (Number.isFinite(expected)) {
            expect(Math.abs(got - expected)).toBeLessThan(1e-6);
            // Equal times may take different roads; lengths stay close.
            expect(
              Math.abs(phast.meters[v]! - dijkstra.meters[v]!),
            ).toBeLessThan(0.05 * dijkstra.meters[v]! + 1);
          } else {
            expect(got).toBe(Infinity);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(10 * graph.nodeCount);
  });
});
