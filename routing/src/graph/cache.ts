import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import Flatbush from 'flatbush';

import { RoutingError } from '../errors.ts';
import { CAR_PROFILE_VERSION } from '../profile/car.ts';
import { buildRoadGraph, type BuildOptions } from './build.ts';
import {
  ROAD_GRAPH_ARRAY_NAMES,
  RoadGraph,
  type RoadGraphArrays,
  type RoadGraphMeta,
} from './road-graph.ts';

/** Bump when the file layout below changes. */
const FORMAT = 'dispatch-road-graph-3';
const MAGIC = 0x31475244; // "DRG1" little-endian

const ARRAY_TYPES = {
  Float64Array,
  Uint32Array,
} as const;

interface Header {
  format: string;
  key: string;
  meta: RoadGraphMeta;
  arrays: {
    name: string;
    type: keyof typeof ARRAY_TYPES;
    offset: number;
    length: number;
  }[];
  index: { offset: number; byteLength: number };
}

/** How the graph was obtained, for logs and the benchmark. */
export interface LoadedGraph {
  graph: RoadGraph;
  /** `cache` when read from disk, `build` when compiled from the PBF. */
  origin: 'cache' | 'build';
  cacheFile: string;
  durationMs: number;
  /** Why the compiled graph could not be written; the next start rebuilds. */
  cacheWriteError?: Error;
}

/**
 * The cache key of an extract under the current profile: the SHA-256 of the
 * PBF bytes, the profile version, the build options and the file format.
 * Any change to one of them gives a new file instead of a stale graph.
 */
export function graphCacheKey(
  pbf: Uint8Array,
  options: BuildOptions = {},
): string {
  return createHash('sha256')
    .update(pbf)
    .update(`\0${CAR_PROFILE_VERSION}\0${FORMAT}\0`)
    .update(
      JSON.stringify({ minComponentNodes: options.minComponentNodes ?? 1000 }),
    )
    .digest('hex');
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Serializes a graph to one buffer: magic, header length, header, arrays. */
export function serializeRoadGraph(graph: RoadGraph, key: string): Buffer {
  const entries: Header['arrays'] = [];
  let offset = 0;
  for (const name of ROAD_GRAPH_ARRAY_NAMES) {
    const array = graph.arrays[name];
    entries.push({
      name,
      type: array instanceof Float64Array ? 'Float64Array' : 'Uint32Array',
      offset,
      length: array.length,
    });
    offset = align8(offset + array.byteLength);
  }
  const indexData = graph.snapIndex.data;
  const header: Header = {
    format: FORMAT,
    key,
    meta: graph.meta,
    arrays: entries,
    index: { offset, byteLength: indexData.byteLength },
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const bodyStart = align8(8 + headerBytes.length);
  const out = Buffer.alloc(bodyStart + align8(offset + indexData.byteLength));
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(headerBytes.length, 4);
  headerBytes.copy(out, 8);
  for (const entry of entries) {
    const array = graph.arrays[entry.name as keyof RoadGraphArrays];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(
      out,
      bodyStart + entry.offset,
    );
  }
  Buffer.from(indexData as ArrayBuffer).copy(out, bodyStart + offset);
  return out;
}

/**
 * Reads a graph written by {@link serializeRoadGraph}. The arrays are views
 * on the file's bytes: nothing is parsed or copied.
 * @returns undefined when the bytes are not a graph of this format and key
 */
export function deserializeRoadGraph(
  file: Buffer,
  expectedKey: string,
): RoadGraph | undefined {
  if (file.length < 8 || file.readUInt32LE(0) !== MAGIC) return undefined;
  const headerLength = file.readUInt32LE(4);
  if (8 + headerLength > file.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', 8, 8 + headerLength)) as Header;
  } catch {
    return undefined;
  }
  if (header.format !== FORMAT || header.key !== expectedKey) return undefined;
  // Typed-array views need 8-byte alignment; copy once if the file's buffer
  // does not give it.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const base = bytes.byteOffset + align8(8 + headerLength);
  if (
    base - bytes.byteOffset + header.index.offset + header.index.byteLength >
    bytes.length
  ) {
    return undefined;
  }
  const buffer = bytes.buffer as ArrayBuffer;
  const arrays = {} as Record<string, Float64Array | Uint32Array>;
  for (const entry of header.arrays) {
    const Type = ARRAY_TYPES[entry.type];
    arrays[entry.name] = new Type(buffer, base + entry.offset, entry.length);
  }
  const index = Flatbush.from(buffer, base + header.index.offset);
  return new RoadGraph(
    arrays as unknown as RoadGraphArrays,
    header.meta,
    index,
  );
}

/** Options of {@link loadRoadGraph}. */
export interface LoadOptions extends BuildOptions {
  /** Folder of compiled graphs. Default: `.cache/routing` in the cwd. */
  cacheDir?: string;
}

/**
 * Loads the graph of an OSM extract from the on-disk cache, or builds it
 * and writes the cache (atomically: a crash never leaves half a file that
 * a later start would read).
 * @throws RoutingError `ROUTING_GRAPH_INVALID` when the extract cannot be
 *   read or holds no roads.
 */
export function loadRoadGraph(
  pbfPath: string,
  options: LoadOptions = {},
): LoadedGraph {
  const started = performance.now();
  let pbf: Buffer;
  try {
    pbf = fs.readFileSync(pbfPath);
  } catch (err) {
    throw new RoutingError(
      'ROUTING_GRAPH_INVALID',
      `cannot read the OSM extract ${pbfPath}`,
      { cause: err },
    );
  }
  const key = graphCacheKey(pbf, options);
  const cacheDir = options.cacheDir ?? path.resolve('.cache', 'routing');
  const cacheFile = path.join(cacheDir, `${key.slice(0, 32)}.graph`);
  if (fs.existsSync(cacheFile)) {
    const graph = deserializeRoadGraph(fs.readFileSync(cacheFile), key);
    if (graph) {
      return {
        graph,
        origin: 'cache',
        cacheFile,
        durationMs: performance.now() - started,
      };
    }
  }
  const graph = buildRoadGraph(pbf, options);
  let cacheWriteError: Error | undefined;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, serializeRoadGraph(graph, key));
    fs.renameSync(tmp, cacheFile);
  } catch (err) {
    // A read-only disk costs the next start a rebuild, nothing more; the
    // caller logs it.
    cacheWriteError = err as Error;
  }
  return {
    graph,
    origin: 'build',
    cacheFile,
    durationMs: performance.now() - started,
    ...(cacheWriteError ? { cacheWriteError } : {}),
  };
}
