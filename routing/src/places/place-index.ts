import type { OsmElement } from 'tiny-osmpbf';

import { pbfReader } from '../osm-pbf.ts';
import { haversineMeters } from '../geo.ts';
import type { LatLon } from '../router.ts';
import { crossingSplits, nameTokens, STOPWORDS } from './normalize.ts';

/** A street of the extract: one stretch of a name, in one part of town. */
export interface StreetPlace {
  kind: 'street';
  /** As the extract spells it, e.g. "Avenida Ipiranga". */
  name: string;
  /** A point on the street near the middle of its extent. */
  location: LatLon;
  /** [minLon, minLat, maxLon, maxLat] of the street's ways. */
  bbox: [number, number, number, number];
  lengthMeters: number;
  /**
   * When the name recurs elsewhere in town: the longest streets crossing
   * this stretch (up to {@link NEAR_NAMES}), which tell the stretches
   * apart ("Rua B, near Avenida A"). Absent for a name found once, or a
   * stretch no other street crosses.
   */
  near?: string[];
}

/** Where two differently named streets share a node. */
export interface CrossingPlace {
  kind: 'crossing';
  /** "Rua A & Rua B", the streets in the order the query named them. */
  name: string;
  streets: [string, string];
  /** The shared node (the one nearest the middle of a wide junction). */
  location: LatLon;
}

/** One answer of {@link PlaceIndex.search}. */
export type Place = StreetPlace | CrossingPlace;

/**
 * Highway values that are not streets an ambulance is sent to: paths,
 * steps and cycleways share names with the street beside them, and
 * roads under construction or proposed do not exist yet.
 */
const NOT_STREETS = new Set([
  'footway',
  'cycleway',
  'path',
  'steps',
  'bridleway',
  'corridor',
  'construction',
  'proposed',
  'abandoned',
  'razed',
  'platform',
  'bus_stop',
  'rest_area',
  'elevator',
  'services',
]);

/** Ways of one name further apart than this are separate streets. */
const SAME_STREET_GAP_METERS = 200;
/** Shared nodes of one pair of streets closer than this: one crossing. */
const SAME_CROSSING_METERS = 150;
/** Candidate names per side of a crossing query. */
const CROSSING_CANDIDATES = 30;
/** Cross streets named to tell apart stretches of a recurring name. */
const NEAR_NAMES = 2;

interface NameEntry {
  /** The spelling shown. */
  name: string;
  tokens: string[];
}

interface StreetEntry {
  nameId: number;
  place: StreetPlace;
}

interface CrossingEntry {
  a: number;
  b: number;
  location: LatLon;
}

/** Figures of a built index, for logs and the benchmark. */
export interface PlaceIndexStats {
  names: number;
  streets: number;
  crossings: number;
}

/**
 * Street and crossing search over the named highways of an OSM extract,
 * with no online geocoder: names are matched word by word, each query
 * word a prefix of a word of the name, after {@link nameTokens}
 * (case, accents, abbreviations). Read-only once built.
 */
export class PlaceIndex {
  readonly #names: NameEntry[];
  readonly #streets: StreetEntry[];
  readonly #crossings: CrossingEntry[];
  readonly #crossingsByName: Map<number, number[]>;

  constructor(
    names: NameEntry[],
    streets: StreetEntry[],
    crossings: CrossingEntry[],
  ) {
    this.#names = names;
    this.#streets = streets;
    this.#crossings = crossings;
    this.#crossingsByName = crossingsByName(crossings);
    nameCrossStreets(names, streets, crossings, this.#crossingsByName);
  }

  get stats(): PlaceIndexStats {
    return {
      names: this.#names.length,
      streets: this.#streets.length,
      crossings: this.#crossings.length,
    };
  }

  /**
   * Streets whose name matches `query`, best first; when the query joins
   * two streets ("A & B", "A y B", "A and B", "A com B"), their crossings
   * first. "A &" lists the crossings of A. Empty when nothing matches
   * (a query with no letter or digit matches nothing).
   * @param limit most places returned
   */
  search(query: string, limit = 10): Place[] {
    const crossings: { score: number; place: CrossingPlace }[] = [];
    const seen = new Set<number>();
    for (const [left, right] of crossingSplits(query)) {
      for (const found of this.#crossingsOf(left, right)) {
        if (seen.has(found.index)) continue;
        seen.add(found.index);
        crossings.push(found);
      }
    }
    crossings.sort(
      (x, y) => x.score - y.score || x.place.name.localeCompare(y.place.name),
    );
    const streets = this.#matchStreets(nameTokens(query));
    return [...crossings.map((c) => c.place), ...streets].slice(0, limit);
  }

  #matchStreets(tokens: string[]): StreetPlace[] {
    if (tokens.length === 0) return [];
    const scores = this.#nameScores(tokens);
    const matched: { score: number; place: StreetPlace }[] = [];
    for (const street of this.#streets) {
      const score = scores.get(street.nameId);
      if (score !== undefined) matched.push({ score, place: street.place });
    }
    matched.sort(
      (x, y) =>
        x.score - y.score ||
        y.place.lengthMeters - x.place.lengthMeters ||
        x.place.name.localeCompare(y.place.name),
    );
    return matched.map((m) => m.place);
  }

  /** Score (lower is closer) of every name matching `tokens`. */
  #nameScores(tokens: string[]): Map<number, number> {
    const required = tokens.filter((token) => !STOPWORDS.has(token));
    const words = required.length > 0 ? required : tokens;
    const scores = new Map<number, number>();
    this.#names.forEach((entry, id) => {
      const score = matchScore(words, entry.tokens);
      if (score !== null) scores.set(id, score);
    });
    return scores;
  }

  *#crossingsOf(
    left: string,
    right: string,
  ): Generator<{ index: number; score: number; place: CrossingPlace }> {
    const leftTokens = nameTokens(left);
    if (leftTokens.length === 0) return;
    const rightTokens = nameTokens(right);
    const leftScores = best(this.#nameScores(leftTokens));
    const rightScores =
      rightTokens.length > 0 ? this.#nameScores(rightTokens) : null;
    for (const [nameId, leftScore] of leftScores) {
      for (const index of this.#crossingsByName.get(nameId) ?? []) {
        const crossing = this.#crossings[index] as CrossingEntry;
        const other = crossing.a === nameId ? crossing.b : crossing.a;
        const rightScore = rightScores ? rightScores.get(other) : 0;
        if (rightScore === undefined) continue;
        const first = (this.#names[nameId] as NameEntry).name;
        const second = (this.#names[other] as NameEntry).name;
        yield {
          index,
          score: leftScore + rightScore,
          place: {
            kind: 'crossing',
            name: `${first} & ${second}`,
            streets: [first, second],
            location: crossing.location,
          },
        };
      }
    }
  }
}

/** The {@link CROSSING_CANDIDATES} best-scoring names. */
function best(scores: Map<number, number>): [number, number][] {
  return [...scores].sort((x, y) => x[1] - y[1]).slice(0, CROSSING_CANDIDATES);
}

/**
 * How well a name's words match a query's: null when some query word is
 * not a prefix of a distinct word of the name; else a score, lower being
 * closer: 2 per word matched only as a prefix, 1 per meaningful word of
 * the name left unmatched, 1 when the words come in another order.
 */
export function matchScore(query: string[], name: string[]): number | null {
  const used = new Array<boolean>(name.length).fill(false);
  let score = 0;
  let last = -1;
  let ordered = true;
  for (const word of query) {
    let at = name.findIndex((w, i) => !used[i] && w === word);
    if (at < 0) {
      at = name.findIndex((w, i) => !used[i] && w.startsWith(word));
      if (at < 0) return null;
      score += 2;
    }
    used[at] = true;
    if (at < last) ordered = false;
    last = at;
  }
  name.forEach((w, i) => {
    if (!used[i] && !STOPWORDS.has(w)) score += 1;
  });
  return ordered ? score : score + 1;
}

/**
 * Builds the place index of an OpenStreetMap PBF extract.
 * @throws RoutingError `ROUTING_GRAPH_INVALID` for an unreadable file
 */
export function buildPlaceIndex(pbf: Uint8Array): PlaceIndex {
  return buildPlaceIndexFromOsm(pbfReader(pbf));
}

interface NamedWay {
  nameId: number;
  /** Indexes into the node coordinate arrays, refs missing from the extract left out. */
  nodes: number[];
  bbox: [number, number, number, number];
}

/**
 * Builds the place index from OSM elements, nodes before the ways that
 * use them (a PBF file's order). Tests feed small hand-made maps.
 */
export function buildPlaceIndexFromOsm(
  read: (handler: (element: OsmElement) => void) => void,
): PlaceIndex {
  const nodeIndex = new Map<number, number>();
  const lats: number[] = [];
  const lons: number[] = [];
  const names: NameEntry[] = [];
  const nameIds = new Map<string, number>();
  const ways: NamedWay[] = [];
  read((element) => {
    if (element.type === 'node') {
      nodeIndex.set(element.id, lats.length);
      lats.push(element.lat);
      lons.push(element.lon);
      return;
    }
    if (element.type !== 'way') return;
    const highway = element.tags?.highway;
    const name = element.tags?.name?.trim();
    if (!highway || !name || NOT_STREETS.has(highway)) return;
    const tokens = nameTokens(name);
    if (tokens.length === 0) return;
    // Spellings that differ only in case or accents are one street.
    const key = tokens.join(' ');
    let nameId = nameIds.get(key);
    if (nameId === undefined) {
      nameId = names.length;
      nameIds.set(key, nameId);
      names.push({ name, tokens });
    }
    const nodes: number[] = [];
    const bbox: NamedWay['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const ref of element.nodes) {
      const i = nodeIndex.get(ref);
      if (i === undefined) continue;
      nodes.push(i);
      bbox[0] = Math.min(bbox[0], lons[i] as number);
      bbox[1] = Math.min(bbox[1], lats[i] as number);
      bbox[2] = Math.max(bbox[2], lons[i] as number);
      bbox[3] = Math.max(bbox[3], lats[i] as number);
    }
    if (nodes.length > 0) ways.push({ nameId, nodes, bbox });
  });

  const point = (i: number): LatLon => ({
    lat: lats[i] as number,
    lon: lons[i] as number,
  });
  const streets = buildStreets(names, ways, point);
  const crossings = buildCrossings(ways, point);
  return new PlaceIndex(names, streets, crossings);
}

/**
 * Ways grouped by name, then by place: a name can recur across town
 * (Porto Alegre has ~600 more streets than names). Such stretches are
 * told apart by their cross streets ({@link nameCrossStreets}); the
 * neighbourhood would be the usual label, but the bundled extract has
 * roads only, no `place=suburb` nodes or admin boundaries.
 */
function buildStreets(
  names: NameEntry[],
  ways: NamedWay[],
  point: (i: number) => LatLon,
): StreetEntry[] {
  const byName = new Map<number, NamedWay[]>();
  for (const way of ways) {
    const list = byName.get(way.nameId);
    if (list) list.push(way);
    else byName.set(way.nameId, [way]);
  }
  const streets: StreetEntry[] = [];
  for (const [nameId, list] of byName) {
    for (const group of groupByGap(list)) {
      streets.push({
        nameId,
        place: streetPlace((names[nameId] as NameEntry).name, group, point),
      });
    }
  }
  return streets;
}

/** Ways whose boxes come within {@link SAME_STREET_GAP_METERS}, joined. */
function groupByGap(ways: NamedWay[]): NamedWay[][] {
  const parent = ways.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const lat = ways[0]!.bbox[1];
  const dLat = SAME_STREET_GAP_METERS / 111_320;
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  for (let i = 0; i < ways.length; i++) {
    const a = ways[i]!.bbox;
    for (let j = i + 1; j < ways.length; j++) {
      const b = ways[j]!.bbox;
      if (
        a[0] - dLon <= b[2] &&
        b[0] - dLon <= a[2] &&
        a[1] - dLat <= b[3] &&
        b[1] - dLat <= a[3]
      ) {
        parent[root(i)] = root(j);
      }
    }
  }
  const groups = new Map<number, NamedWay[]>();
  ways.forEach((way, i) => {
    const r = root(i);
    const group = groups.get(r);
    if (group) group.push(way);
    else groups.set(r, [way]);
  });
  return [...groups.values()];
}

function streetPlace(
  name: string,
  ways: NamedWay[],
  point: (i: number) => LatLon,
): StreetPlace {
  const bbox: StreetPlace['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  let lengthMeters = 0;
  for (const way of ways) {
    bbox[0] = Math.min(bbox[0], way.bbox[0]);
    bbox[1] = Math.min(bbox[1], way.bbox[1]);
    bbox[2] = Math.max(bbox[2], way.bbox[2]);
    bbox[3] = Math.max(bbox[3], way.bbox[3]);
    for (let k = 1; k < way.nodes.length; k++) {
      const p = point(way.nodes[k - 1]!);
      const q = point(way.nodes[k]!);
      lengthMeters += haversineMeters(p.lat, p.lon, q.lat, q.lon);
    }
  }
  // TODO: no house numbers: the extract's `addr:housenumber` nodes and
  // buildings are not indexed, so a long avenue (Avenida Ipiranga is
  // ~20 km) resolves to a point near its middle and the dispatcher still
  // clicks the spot; a crossing is exact. Indexing addresses would fix it.
  // A vertex of the street itself, never a point beside a curved one.
  const middle = { lat: (bbox[1] + bbox[3]) / 2, lon: (bbox[0] + bbox[2]) / 2 };
  const location = nearest(
    ways.flatMap((way) => way.nodes.map(point)),
    middle,
  );
  return { kind: 'street', name, location, bbox, lengthMeters };
}

/** The indexes of the crossings of each name. */
function crossingsByName(crossings: CrossingEntry[]): Map<number, number[]> {
  const byName = new Map<number, number[]>();
  crossings.forEach((crossing, i) => {
    for (const id of [crossing.a, crossing.b]) {
      const list = byName.get(id);
      if (list) list.push(i);
      else byName.set(id, [i]);
    }
  });
  return byName;
}

/**
 * Sets {@link StreetPlace.near} on each stretch of a name that recurs:
 * the names crossing it inside its box, longest first (by the length of
 * all their stretches, so a city-wide avenue comes before a lane).
 */
function nameCrossStreets(
  names: NameEntry[],
  streets: StreetEntry[],
  crossings: CrossingEntry[],
  byName: Map<number, number[]>,
): void {
  const stretches = new Map<number, number>();
  const lengthOf = new Map<number, number>();
  for (const { nameId, place } of streets) {
    stretches.set(nameId, (stretches.get(nameId) ?? 0) + 1);
    lengthOf.set(nameId, (lengthOf.get(nameId) ?? 0) + place.lengthMeters);
  }
  for (const { nameId, place } of streets) {
    if ((stretches.get(nameId) ?? 0) < 2) continue;
    const [minLon, minLat, maxLon, maxLat] = place.bbox;
    const others = new Set<number>();
    for (const index of byName.get(nameId) ?? []) {
      const crossing = crossings[index] as CrossingEntry;
      const { lat, lon } = crossing.location;
      if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) {
        continue;
      }
      others.add(crossing.a === nameId ? crossing.b : crossing.a);
    }
    if (others.size === 0) continue;
    place.near = [...others]
      .sort(
        (x, y) =>
          (lengthOf.get(y) ?? 0) - (lengthOf.get(x) ?? 0) ||
          (names[x] as NameEntry).name.localeCompare(
            (names[y] as NameEntry).name,
          ),
      )
      .slice(0, NEAR_NAMES)
      .map((id) => (names[id] as NameEntry).name);
  }
}

/** Nodes shared by differently named ways, one per pair and junction. */
function buildCrossings(
  ways: NamedWay[],
  point: (i: number) => LatLon,
): CrossingEntry[] {
  const namesAt = new Map<number, number[]>();
  for (const way of ways) {
    for (const node of way.nodes) {
      const list = namesAt.get(node);
      if (!list) namesAt.set(node, [way.nameId]);
      else if (!list.includes(way.nameId)) list.push(way.nameId);
    }
  }
  // Per pair of names, the shared nodes grouped into junctions: a dual
  // carriageway meets a street at two nodes a few metres apart.
  const byPair = new Map<string, { a: number; b: number; nodes: LatLon[][] }>();
  for (const [node, ids] of namesAt) {
    if (ids.length < 2) continue;
    const at = point(node);
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = Math.min(ids[i]!, ids[j]!);
        const b = Math.max(ids[i]!, ids[j]!);
        const key = `${a}:${b}`;
        let pair = byPair.get(key);
        if (!pair) byPair.set(key, (pair = { a, b, nodes: [] }));
        const junction = pair.nodes.find((group) => {
          const seed = group[0]!;
          return (
            haversineMeters(seed.lat, seed.lon, at.lat, at.lon) <=
            SAME_CROSSING_METERS
          );
        });
        if (junction) junction.push(at);
        else pair.nodes.push([at]);
      }
    }
  }
  const crossings: CrossingEntry[] = [];
  for (const { a, b, nodes } of byPair.values()) {
    for (const group of nodes) {
      const mean = {
        lat: group.reduce((s, p) => s + p.lat, 0) / group.length,
        lon: group.reduce((s, p) => s + p.lon, 0) / group.length,
      };
      crossings.push({ a, b, location: nearest(group, mean) });
    }
  }
  return crossings;
}

function nearest(points: LatLon[], to: LatLon): LatLon {
  let best = points[0]!;
  let bestMeters = Infinity;
  for (const p of points) {
    const meters = haversineMeters(p.lat, p.lon, to.lat, to.lon);
    if (meters < bestMeters) {
      best = p;
      bestMeters = meters;
    }
  }
  return { lat: best.lat, lon: best.lon };
}
