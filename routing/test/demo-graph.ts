import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { loadCityPack, requireExtract } from '../src/city-pack.ts';
import { EmbeddedRouter } from '../src/embedded/embedded-router.ts';
import { loadRoadGraph, type LoadedGraph } from '../src/graph/cache.ts';

let shared: { loaded: LoadedGraph; router: EmbeddedRouter } | undefined;

/**
 * The demo city's real graph, built once per test file into a private
 * cache folder (so tests never depend on a developer's cache).
 */
export function demoRouter(): {
  loaded: LoadedGraph;
  router: EmbeddedRouter;
  cacheDir: string;
} {
  const cacheDir = path.join(os.tmpdir(), `routing-test-${process.pid}`);
  if (!shared) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const loaded = loadRoadGraph(requireExtract(loadCityPack('porto-alegre')), {
      cacheDir,
    });
    shared = { loaded, router: new EmbeddedRouter(loaded.graph) };
  }
  return { ...shared, cacheDir };
}
