import fs from 'node:fs';

import tinyOsmPbf from 'tiny-osmpbf';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadCityPack, requireExtract } from '../src/city-pack.ts';
import { EmbeddedRouter } from '../src/embedded/embedded-router.ts';
import { partialGeometry } from '../src/embedded/snap.ts';
import { RoutingError } from '../src/errors.ts';
import { haversineMeters } from '../src/geo.ts';
import { loadRoadGraph } from '../src/graph/cache.ts';
import type { LatLon, ReachableLeg } from '../src/router.ts';
import { demoRouter } from './demo-graph.ts';

let router: EmbeddedRouter;
beforeAll(() => {
  router = demoRouter().router;
});

/** A point on segment `seg` at `fraction`, by the segment's geometry. */
function pointOn(seg: number, fraction: number): LatLon {
  const coords = partialGeometry(router.graph, seg, 0, fraction);
  const [lon, lat] = coords[coords.length - 1]!;
  return { lat: lat!, lon: lon! };
}

/** The longest snappable segment matching a condition. */
function longestSegment(test: (seg: number) => boolean): number {
  const { snapSeg, segLengthMeters } = router.graph.arrays;
  let best = -1;
  for (const seg of new Set(snapSeg)) {
    if (!test(seg)) continue;
    if (best < 0 || segLengthMeters[seg]! > segLengthMeters[best]!) best = seg;
  }
  return best;
}

const eta = (leg: unknown) => (leg as ReachableLeg).etaSeconds;

describe('embedded router on the Porto Alegre extract', () => {
  it('drives a one-way street along its direction and around it against', async () => {
    const a = router.graph.arrays;
    const seg = longestSegment(
      (s) =>
        Number.isFinite(a.segForwardSeconds[s]!) &&
        !Number.isFinite(a.segBackwardSeconds[s]!) &&
        a.segLengthMeters[s]! > 150,
    );
    expect(seg).toBeGreaterThanOrEqual(0);
    const p = pointOn(seg, 0.25);
    const q = pointOn(seg, 0.75);
    const along = await router.route(p, q);
    const against = await router.route(q, p);
    expect(along!.etaSeconds).toBeCloseTo(0.5 * a.segForwardSeconds[seg]!, 3);
    expect(along!.distanceMeters).toBeCloseTo(0.5 * a.segLengthMeters[seg]!, 3);
    expect(against!.distanceMeters).toBeGreaterThan(a.segLengthMeters[seg]!);
    expect(against!.etaSeconds).toBeGreaterThan(along!.etaSeconds);
  });

  it('never puts a private or closed road into the graph', () => {
    const pbf = fs.readFileSync(requireExtract(loadCityPack('porto-alegre')));
    const coords = new Map<number, string>();
    const closedPairs = new Set<string>();
    tinyOsmPbf(pbf, (e) => {
      if (e.type === 'node') coords.set(e.id, `${e.lon},${e.lat}`);
      else if (
        e.type === 'way' &&
        e.tags?.highway &&
        ['private', 'no'].includes(e.tags.access ?? '') &&
        !e.tags.motor_vehicle &&
        !e.tags.motorcar &&
        !e.tags.emergency
      ) {
        for (let i = 0; i + 1 < e.nodes.length; i++) {
          closedPairs.add(
            `${coords.get(e.nodes[i]!)};${coords.get(e.nodes[i + 1]!)}`,
          );
        }
      }
    });
    expect(closedPairs.size).toBeGreaterThan(500);
    const { segGeomStart, geomCoords } = router.graph.arrays;
    let shared = 0;
    for (let seg = 0; seg < router.graph.segmentCount; seg++) {
      for (let p = segGeomStart[seg]!; p + 1 < segGeomStart[seg + 1]!; p++) {
        const key = `${geomCoords[2 * p]},${geomCoords[2 * p + 1]};${geomCoords[2 * p + 2]},${geomCoords[2 * p + 3]}`;
        if (closedPairs.has(key)) shared++;
      }
    }
    expect(shared).toBe(0);
  });

  it('snaps a call mid-block onto the street, not to the nearest corner', async () => {
    const a = router.graph.arrays;
    const seg = longestSegment(
      (s) => a.segName[s]! > 0 && a.segLengthMeters[s]! > 300,
    );
    const mid = pointOn(seg, 0.5);
    // 15 m north of the street's middle.
    const call = { lat: mid.lat + 15 / 111_195, lon: mid.lon };
    const snap = await router.snap(call);
    expect(snap!.name).toBe(router.graph.meta.names[a.segName[seg]!]);
    expect(snap!.offsetMeters).toBeLessThanOrEqual(15.5);
    expect(
      haversineMeters(snap!.location.lat, snap!.location.lon, mid.lat, mid.lon),
    ).toBeLessThan(30);
    const nodeDistance = Math.min(
      haversineMeters(
        call.lat,
        call.lon,
        a.nodeLat[a.segA[seg]!]!,
        a.nodeLon[a.segA[seg]!]!,
      ),
      haversineMeters(
        call.lat,
        call.lon,
        a.nodeLat[a.segB[seg]!]!,
        a.nodeLon[a.segB[seg]!]!,
      ),
    );
    expect(nodeDistance).toBeGreaterThan(100);
  });

  it('gives one-to-many times equal to routes, and no detour beats the direct drive', async () => {
    const { snapSeg } = router.graph.arrays;
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const pick = () =>
      pointOn(snapSeg[Math.floor(random() * snapSeg.length)]!, random());
    const origins = Array.from({ length: 30 }, pick);
    const destination = pick();
    const via = pick();
    const direct = await router.oneToMany(origins, destination);
    const toVia = await router.oneToMany(origins, via);
    const viaToDestination = await router.route(via, destination);
    for (let i = 0; i < origins.length; i++) {
      const leg = direct.legs[i]!;
      const route = await router.route(origins[i]!, destination);
      expect(leg.reachable).toBe(route !== undefined);
      if (!leg.reachable || !route) continue;
      expect(eta(leg)).toBeCloseTo(route.etaSeconds, 6);
      expect(leg.etaSeconds).toBeGreaterThan(0);
      if (toVia.legs[i]!.reachable && viaToDestination) {
        expect(eta(leg)).toBeLessThanOrEqual(
          eta(toVia.legs[i]) + viaToDestination.etaSeconds + 1e-6,
        );
      }
    }
  });

  it('route geometry starts and ends at the snapped points', async () => {
    const route = await router.route(
      { lat: -30.0346, lon: -51.2177 },
      { lat: -30.0653, lon: -51.1513 },
    );
    const coords = route!.geometry.coordinates;
    expect(coords[0]).toEqual([
      route!.snappedOrigin.location.lon,
      route!.snappedOrigin.location.lat,
    ]);
    const last = coords[coords.length - 1]!;
    expect(last[0]).toBeCloseTo(route!.snappedDestination.location.lon, 9);
    expect(last[1]).toBeCloseTo(route!.snappedDestination.location.lat, 9);
    let length = 0;
    for (let i = 1; i < coords.length; i++) {
      length += haversineMeters(
        coords[i - 1]![1]!,
        coords[i - 1]![0]!,
        coords[i]![1]!,
        coords[i]![0]!,
      );
    }
    expect(length).toBeCloseTo(route!.distanceMeters, -1);
  });

  it('says off_network and beyond_limit explicitly, never zero', async () => {
    const lake = { lat: -30.06, lon: -51.26 }; // the Guaíba, kilometers from a road
    const centre = { lat: -30.0346, lon: -51.2177 };
    const far = { lat: -30.0653, lon: -51.1513 };
    const result = await router.oneToMany([lake, far, centre], centre, {
      maxSeconds: 60,
    });
    expect(result.legs[0]).toEqual({ reachable: false, reason: 'off_network' });
    expect(result.legs[1]).toEqual({
      reachable: false,
      reason: 'beyond_limit',
    });
    expect(result.legs[2]).toMatchObject({ reachable: true, etaSeconds: 0 });
    await expect(router.oneToMany([centre], lake)).rejects.toMatchObject({
      code: 'ROUTING_POINT_OFF_NETWORK',
    });
    await expect(router.route(lake, centre)).rejects.toBeInstanceOf(
      RoutingError,
    );
    expect(await router.snap(lake)).toBeUndefined();
  });

  it('rejects bad coordinates and options with stable codes', async () => {
    const ok = { lat: -30.0346, lon: -51.2177 };
    const cases: [() => Promise<unknown>, string][] = [
      [() => router.oneToMany([], ok), 'ROUTING_NO_ORIGINS'],
      [() => router.oneToMany(undefined as never, ok), 'ROUTING_NO_ORIGINS'],
      [
        () => router.oneToMany([{ lat: NaN, lon: 0 }], ok),
        'ROUTING_INVALID_COORDINATE',
      ],
      [
        () => router.oneToMany([ok], { lat: 91, lon: 0 }),
        'ROUTING_INVALID_COORDINATE',
      ],
      [
        () => router.oneToMany([ok], { lat: 0, lon: 181 }),
        'ROUTING_INVALID_COORDINATE',
      ],
      [
        () => router.oneToMany([ok], { lat: '1', lon: 2 } as never),
        'ROUTING_INVALID_COORDINATE',
      ],
      [
        () => router.oneToMany([ok], ok, { maxSeconds: -1 }),
        'ROUTING_INVALID_OPTION',
      ],
      [() => router.route(ok, null as never), 'ROUTING_INVALID_COORDINATE'],
      [
        () => router.snap({ lat: Infinity, lon: 0 }),
        'ROUTING_INVALID_COORDINATE',
      ],
      [
        () => router.travelTimes([ok], { maxSeconds: Infinity }),
        'ROUTING_INVALID_OPTION',
      ],
    ];
    for (const [call, code] of cases) {
      await expect(call()).rejects.toMatchObject({ code });
    }
  });

  it('maps drive times to every road within 3 minutes, consistent with one-to-many', async () => {
    const stations = loadCityPack('porto-alegre').stationList.map(
      (s) => s.location,
    );
    const field = await router.travelTimes(stations, { maxSeconds: 180 });
    const two = field.reachable(120);
    const three = field.reachable();
    expect(three.withinSeconds).toBe(180);
    expect(three.lengthMeters).toBeGreaterThan(two.lengthMeters);
    expect(three.lines.length).toBeGreaterThan(100);
    const probe = { lat: -30.0346, lon: -51.2177 };
    const fromAll = await router.oneToMany(stations, probe);
    const best = Math.min(
      ...fromAll.legs.map((l) => (l.reachable ? l.etaSeconds : Infinity)),
    );
    const seconds = field.secondsTo(probe);
    if (best <= 180) expect(seconds).toBeCloseTo(best, 6);
    else expect(seconds).toBeUndefined();
    expect(field.secondsTo(stations[0]!)).toBeCloseTo(0, 6);
  });
});

describe('road graph cache', () => {
  it('loads the compiled graph from disk with identical answers', async () => {
    const { cacheDir } = demoRouter();
    const extract = requireExtract(loadCityPack('porto-alegre'));
    const again = loadRoadGraph(extract, { cacheDir });
    expect(again.origin).toBe('cache');
    const cached = new EmbeddedRouter(again.graph);
    const origins = [
      { lat: -30.0653, lon: -51.1513 },
      { lat: -30.0, lon: -51.18 },
    ];
    const destination = { lat: -30.0346, lon: -51.2177 };
    expect(await cached.oneToMany(origins, destination)).toEqual(
      await router.oneToMany(origins, destination),
    );
  });

  it('rebuilds when the cache file is damaged', () => {
    const { cacheDir, loaded } = demoRouter();
    const extract = requireExtract(loadCityPack('porto-alegre'));
    fs.writeFileSync(loaded.cacheFile, 'not a graph');
    const rebuilt = loadRoadGraph(extract, { cacheDir });
    expect(rebuilt.origin).toBe('build');
    expect(rebuilt.graph.segmentCount).toBe(loaded.graph.segmentCount);
    expect(loadRoadGraph(extract, { cacheDir }).origin).toBe('cache');
  });

  it('refuses a file that is not an OSM extract', () => {
    const junk = `${demoRouter().cacheDir}/junk.pbf`;
    fs.writeFileSync(junk, 'this is not protobuf');
    expect(() =>
      loadRoadGraph(junk, { cacheDir: demoRouter().cacheDir }),
    ).toThrow(RoutingError);
  });
});
