/**
 * Street and crossing index of the demo city: build time, heap it keeps,
 * and search latency over typical dispatcher queries. Prints a table,
 * then one JSON line (the last line). Run with
 * `npx tsx routing/bench/places.ts`; it restarts itself with
 * `--expose-gc` so the retained heap is measured after collection.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadCityPack, requireExtract } from '../src/city-pack.ts';
import { buildPlaceIndex, type PlaceIndex } from '../src/places/place-index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', self],
    { stdio: 'inherit' },
  );
  process.exit(run.status ?? 1);
}

const QUERIES = [
  'av ipiranga',
  'ipiranga',
  'r andradas',
  'borges de medeiros',
  'joao pessoa',
  'ipiranga y azenha',
  'Av. Ipiranga com Av. Azenha',
  'borges de medeiros e andradas',
  'sao',
  'protasio alves & carlos gomes',
  'rua xyzzy',
];
const BUILDS = 5;
const ROUNDS = 200;

const pbf = fs.readFileSync(requireExtract(loadCityPack('porto-alegre')));
const buildMs: number[] = [];
let index: PlaceIndex | undefined;
let retainedBytes = 0;
for (let i = 0; i < BUILDS; i++) {
  index = undefined;
  gc!();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  index = buildPlaceIndex(pbf);
  buildMs.push(performance.now() - started);
  gc!();
  retainedBytes = process.memoryUsage().heapUsed - before;
}
const searchMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const query of QUERIES) {
    const started = performance.now();
    index!.search(query, 10);
    searchMs.push(performance.now() - started);
  }
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const round2 = (n: number) => Math.round(n * 100) / 100;
const result = {
  buildMsFirst: round2(buildMs[0]!),
  buildMsMedian: round2(pct(buildMs, 50)),
  retainedHeapMb: round2(retainedBytes / 1e6),
  searchP50Ms: round2(pct(searchMs, 50)),
  searchP99Ms: round2(pct(searchMs, 99)),
  ...index!.stats,
};
console.log(`place index       ${JSON.stringify(index!.stats)}`);
console.log(
  `build             first ${result.buildMsFirst} ms, median of ${BUILDS} ${result.buildMsMedian} ms (PBF parse included)`,
);
console.log(`retained heap     ${result.retainedHeapMb} MB after GC`);
console.log(
  `search            p50 ${result.searchP50Ms} ms, p99 ${result.searchP99Ms} ms over ${searchMs.length} queries`,
);
console.log(JSON.stringify(result));
