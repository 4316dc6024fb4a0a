import type { OsmElement } from 'tiny-osmpbf';
import { describe, expect, it } from 'vitest';

import { buildRoadGraphFromOsm } from '../graph/build.ts';
import { EmbeddedRouter } from './embedded-router.ts';

/**
 * A hand-made grid near the equator, about 111 m per 0.001 degree:
 *
 *   1 ---- 2 ---- 3        5 ---- 6   (5-6: an island, no link)
 *   |             |
 *   4 ----------- +
 *
 * 1-2-3 is residential; 1-4-3 is a longer residential detour.
 */
function network(
  extraWays: OsmElement[] = [],
  extraNodeTags = {},
): OsmElement[] {
  const node = (
    id: number,
    lat: number,
    lon: number,
    tags?: Record<string, string>,
  ): OsmElement => ({
    type: 'node',
    id,
    lat,
    lon,
    ...(tags && { tags }),
  });
  return [
    node(1, 0, 0),
    node(2, 0, 0.002, extraNodeTags),
    node(3, 0, 0.004),
    node(4, -0.002, 0),
    node(7, -0.002, 0.004),
    node(5, 0.01, 0.01),
    node(6, 0.01, 0.012),
    { type: 'way', id: 10, nodes: [1, 2, 3], tags: { highway: 'residential' } },
    {
      type: 'way',
      id: 11,
      nodes: [1, 4, 7, 3],
      tags: { highway: 'residential' },
    },
    { type: 'way', id: 12, nodes: [5, 6], tags: { highway: 'residential' } },
    ...extraWays,
  ];
}

function routerOf(elements: OsmElement[]): EmbeddedRouter {
  const graph = buildRoadGraphFromOsm((handler) => elements.forEach(handler), {
    minComponentNodes: 1,
  });
  return new EmbeddedRouter(graph, { maxSnapMeters: 200 });
}

const west = { lat: 0.0001, lon: 0.0005 };
const east = { lat: 0.0001, lon: 0.0035 };

describe('embedded router on a hand-made network', () => {
  it('takes the direct street, at residential speed', async () => {
    const route = await routerOf(network()).route(west, east);
    expect(route!.distanceMeters).toBeCloseTo(333.6, 0);
    expect(route!.etaSeconds).toBeCloseTo(333.6 / (25 / 3.6), 0);
  });

  it('charges the 2 s of a traffic signal along its segment', async () => {
    const plain = await routerOf(network()).route(west, east);
    const signal = await routerOf(
      network([], { highway: 'traffic_signals' }),
    ).route(west, east);
    // The penalty is spread over the segment 1-2-3 that holds the signal;
    // the route drives 3/4 of it (from 1/8 to 7/8).
    expect(signal!.etaSeconds - plain!.etaSeconds).toBeCloseTo(1.5, 6);
    expect(signal!.distanceMeters).toBeCloseTo(plain!.distanceMeters, 6);
  });

  it('detours around a bollard in the direct street', async () => {
    const router = routerOf(network([], { barrier: 'bollard' }));
    const route = await router.route(west, east);
    // 1-4-7-3 plus the two stubs along 1-2 and 2-3: about 111 m longer
    // on each side than the direct street.
    expect(route!.distanceMeters).toBeGreaterThan(700);
  });

  it('does not drive a private shortcut', async () => {
    const shortcut = (access: string): OsmElement => ({
      type: 'way',
      id: 13,
      nodes: [4, 2],
      tags: { highway: 'residential', access },
    });
    const from = { lat: -0.0021, lon: 0.0001 };
    const to = { lat: 0.0001, lon: 0.002 };
    const open = await routerOf(network([shortcut('yes')])).oneToMany(
      [from],
      to,
    );
    const closed = await routerOf(network([shortcut('private')])).oneToMany(
      [from],
      to,
    );
    const none = await routerOf(network()).oneToMany([from], to);
    expect(closed.legs[0]).toEqual(none.legs[0]);
    // The same shortcut open to all is faster: the test can tell.
    const eta = (r: typeof open) =>
      (r.legs[0] as { etaSeconds: number }).etaSeconds;
    expect(eta(open)).toBeLessThan(eta(none) - 10);
  });

  it('answers no_route between parts of the network that do not connect', async () => {
    const router = routerOf(network());
    const island = { lat: 0.0101, lon: 0.011 };
    const result = await router.oneToMany([island, west], east);
    expect(result.legs[0]).toEqual({ reachable: false, reason: 'no_route' });
    expect(result.legs[1]!.reachable).toBe(true);
    expect(await router.route(island, east)).toBeUndefined();
  });

  it('respects a one-way street and drives around it the other way', async () => {
    const oneway: OsmElement = {
      type: 'way',
      id: 10,
      nodes: [1, 2, 3],
      tags: { highway: 'residential', oneway: 'yes' },
    };
    const elements = network().map((e) =>
      e.type === 'way' && e.id === 10 ? oneway : e,
    );
    const router = routerOf(elements);
    const along = await router.route(west, east);
    const against = await router.route(east, west);
    expect(along!.distanceMeters).toBeCloseTo(333.6, 0);
    expect(against!.distanceMeters).toBeGreaterThan(800);
  });
});
