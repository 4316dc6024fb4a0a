/**
 * `npm run bench:routing`: graph build and cache load times, resident
 * memory, and query latencies of the embedded router on the demo city's
 * extract. Prints a table, then one JSON line (the last line) for tools.
 *
 * Query points are drawn with a fixed seed from the snappable roads, each
 * nudged off the road as a GPS fix or a geocoded address would be.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { EmbeddedRouter } from '../src/embedded/embedded-router.ts';
import { loadRoadGraph } from '../src/graph/cache.ts';
import { loadCityPack, requireExtract } from '../src/city-pack.ts';
import type { LatLon } from '../src/router.ts';

const QUERIES = Number(process.env.BENCH_QUERIES ?? 500);

function percentile(sorted: number[], p: number): number {
  const i = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, i)] as number;
}

function time(fn: () => void, runs: number): { p50Ms: number; p99Ms: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
  };
}

const city = loadCityPack();
const extractPath = requireExtract(city);

// The build runs in a child process that also writes the cache, so this
// process's resident memory is that of a server that loaded the graph,
// not of one that just parsed a PBF.
if (process.argv[2] === '--build-into') {
  const started = performance.now();
  const built = loadRoadGraph(extractPath, { cacheDir: process.argv[3] });
  if (built.origin !== 'build') throw new Error('expected a fresh build');
  console.log(
    JSON.stringify({ buildSeconds: (performance.now() - started) / 1000 }),
  );
  process.exit(0);
}

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'routing-bench-'));
const child = spawnSync(
  process.execPath,
  [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    '--build-into',
    cacheDir,
  ],
  { encoding: 'utf8' },
);
if (child.status !== 0) throw new Error(`graph build failed: ${child.stderr}`);
const { buildSeconds } = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
  buildSeconds: number;
};
const rssBeforeLoadMb = Math.round(process.memoryUsage().rss / 1e5) / 10;
const loaded = loadRoadGraph(extractPath, { cacheDir });
if (loaded.origin !== 'cache') throw new Error('expected a cache hit');
const cacheLoadMs = loaded.durationMs;
const router = new EmbeddedRouter(loaded.graph);

let seed = 20261203;
const random = () => {
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
};
const { snapSeg, segA, nodeLat, nodeLon } = loaded.graph.arrays;
const randomPoint = (): LatLon => {
  const seg = snapSeg[Math.floor(random() * snapSeg.length)] as number;
  const node = segA[seg] as number;
  return {
    lat: (nodeLat[node] as number) + (random() - 0.5) * 0.0006,
    lon: (nodeLon[node] as number) + (random() - 0.5) * 0.0006,
  };
};

const oneToMany: Record<string, { p50Ms: number; p99Ms: number }> = {};
for (const count of [10, 50, 100]) {
  const cases = Array.from({ length: QUERIES }, () => ({
    origins: Array.from({ length: count }, randomPoint),
    destination: randomPoint(),
  }));
  let i = 0;
  // Warm the JIT on the same shapes before measuring.
  for (const c of cases.slice(0, 50))
    router.oneToManySync(c.origins, c.destination);
  oneToMany[count] = time(() => {
    const c = cases[i++ % cases.length]!;
    router.oneToManySync(c.origins, c.destination);
  }, QUERIES);
}

const pairs = Array.from({ length: QUERIES }, () => [
  randomPoint(),
  randomPoint(),
]);
let j = 0;
for (const [a, b] of pairs.slice(0, 50)) router.routeSync(a!, b!);
const route = time(() => {
  const [a, b] = pairs[j++ % pairs.length]!;
  router.routeSync(a!, b!);
}, QUERIES);

const snap = time(() => router.snapEdge(randomPoint()), QUERIES);
const coverage = time(() => {
  void router
    .travelTimes(Array.from({ length: 20 }, randomPoint), { maxSeconds: 180 })
    .then((field) => field.reachable());
}, 20);

const rssMb = Math.round(process.memoryUsage().rss / 1e5) / 10;
fs.rmSync(cacheDir, { recursive: true, force: true });

const g = loaded.graph;
console.log(`city                 ${city.name} (${extractPath})`);
console.log(
  `graph                ${g.nodeCount} nodes, ${g.segmentCount} segments, ${(g.byteLength / 1e6).toFixed(1)} MB of arrays`,
);
console.log(`build                ${buildSeconds.toFixed(2)} s`);
console.log(`cache load           ${cacheLoadMs.toFixed(1)} ms`);
console.log(
  `resident memory      ${rssMb} MB (${rssBeforeLoadMb} MB before the graph was loaded: Node and tsx)`,
);
for (const [count, t] of Object.entries(oneToMany)) {
  console.log(
    `one-to-many ${count.padEnd(3)}      p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms`,
  );
}
console.log(
  `route + geometry     p50 ${route.p50Ms} ms, p99 ${route.p99Ms} ms`,
);
console.log(`snap                 p50 ${snap.p50Ms} ms, p99 ${snap.p99Ms} ms`);
console.log(
  `coverage (20 units)  p50 ${coverage.p50Ms} ms, p99 ${coverage.p99Ms} ms`,
);
console.log(
  JSON.stringify({
    buildSeconds: Math.round(buildSeconds * 1000) / 1000,
    cacheLoadMs: Math.round(cacheLoadMs * 10) / 10,
    rssMb,
    rssBeforeLoadMb,
    oneToMany,
    route,
  }),
);
