import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FeatureCollection, Point } from 'geojson';

import { RoutingError } from './errors.ts';
import { isValidLatLon } from './geo.ts';
import type { LatLon } from './router.ts';

/** The repository's bundled city packs. */
export const BUNDLED_CITIES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'data',
);

/** The city that starts when none is configured. */
export const DEFAULT_CITY = 'porto-alegre';

/** `city.json`: what a city pack holds, file names relative to its folder. */
export interface CityManifest {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** IANA zone in which the console shows times, e.g. America/Sao_Paulo. */
  timeZone: string;
  /** BCP 47 tag of the city's language, e.g. es-AR. */
  locale: string;
  center: LatLon;
  /** [minLon, minLat, maxLon, maxLat]: where calls and fixes are accepted. */
  serviceArea: [number, number, number, number];
  /** OSM PBF extract of the road network; absent until one is added. */
  extract?: string;
  /** GeoJSON points with `id` and `name`: ambulance bases. */
  stations?: string;
  /** GeoJSON points with `id`, `name` and `emergency` (boolean). */
  hospitals?: string;
  /** CSV of population by cell: `id,lon,lat,population,...`. */
  population?: string;
}

/** A place of a city pack: a station or a hospital. */
export interface CityPlace {
  id: string;
  name: string;
  location: LatLon;
  /** Hospitals only: whether it takes emergency ambulances. */
  emergency?: boolean;
  /** Free text: where the data came from, whether it is illustrative. */
  note?: string;
}

/** A loaded city pack, with absolute paths. */
export interface CityPack extends CityManifest {
  dir: string;
  /** Absolute path of the extract; undefined when the pack has none. */
  extractPath: string | undefined;
  stationList: CityPlace[];
  hospitalList: CityPlace[];
}

/**
 * Loads a city pack: `nameOrDir` is a bundled city's id (a folder of
 * `data/`) or a path to any folder holding a `city.json`. Without one,
 * `CITY` from the environment, else the demo city.
 * @throws RoutingError `ROUTING_GRAPH_INVALID` naming the file at fault.
 */
export function loadCityPack(
  nameOrDir: string = process.env.CITY ?? DEFAULT_CITY,
): CityPack {
  const dir =
    nameOrDir.includes('/') || nameOrDir.includes(path.sep)
      ? path.resolve(nameOrDir)
      : path.join(BUNDLED_CITIES_DIR, nameOrDir);
  const manifestPath = path.join(dir, 'city.json');
  const manifest = readJson(manifestPath) as CityManifest;
  const problem = manifestProblem(manifest);
  if (problem) {
    throw new RoutingError(
      'ROUTING_GRAPH_INVALID',
      `${manifestPath}: ${problem}`,
    );
  }
  const file = (name: string | undefined) =>
    name === undefined ? undefined : path.resolve(dir, name);
  return {
    ...manifest,
    dir,
    extractPath: file(manifest.extract),
    stationList: manifest.stations ? readPlaces(file(manifest.stations)!) : [],
    hospitalList: manifest.hospitals
      ? readPlaces(file(manifest.hospitals)!)
      : [],
  };
}

/** The city pack's extract path, or a clear error when it has none. */
export function requireExtract(city: CityPack): string {
  if (city.extractPath === undefined) {
    throw new RoutingError(
      'ROUTING_GRAPH_INVALID',
      `city ${city.id} has no road network yet: see ${path.join(city.dir, 'README.md')}`,
    );
  }
  return city.extractPath;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RoutingError('ROUTING_GRAPH_INVALID', `cannot read ${file}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RoutingError('ROUTING_GRAPH_INVALID', `${file} is not JSON`, {
      cause: err,
    });
  }
}

function manifestProblem(m: CityManifest): string | undefined {
  if (typeof m !== 'object' || m === null) return 'expected an object';
  for (const key of ['id', 'name', 'country', 'timeZone', 'locale'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') {
      return `${key}: expected a non-empty string`;
    }
  }
  if (!isValidLatLon(m.center)) return 'center: expected { lat, lon }';
  const area = m.serviceArea;
  if (
    !Array.isArray(area) ||
    area.length !== 4 ||
    !isValidLatLon({ lon: area[0], lat: area[1] }) ||
    !isValidLatLon({ lon: area[2], lat: area[3] }) ||
    area[0] >= area[2] ||
    area[1] >= area[3]
  ) {
    return 'serviceArea: expected [minLon, minLat, maxLon, maxLat]';
  }
  return undefined;
}

function readPlaces(file: string): CityPlace[] {
  const collection = readJson(file) as FeatureCollection<Point>;
  if (collection?.type !== 'FeatureCollection') {
    throw new RoutingError(
      'ROUTING_GRAPH_INVALID',
      `${file}: expected a GeoJSON FeatureCollection`,
    );
  }
  return collection.features.map((feature, i) => {
    const [lon, lat] = feature.geometry?.coordinates ?? [];
    const props = feature.properties ?? {};
    const location = { lat, lon } as LatLon;
    if (
      !isValidLatLon(location) ||
      typeof props.id !== 'string' ||
      typeof props.name !== 'string'
    ) {
      throw new RoutingError(
        'ROUTING_GRAPH_INVALID',
        `${file}: feature ${i} needs a point and string "id" and "name"`,
      );
    }
    const place: CityPlace = { id: props.id, name: props.name, location };
    if (typeof props.emergency === 'boolean') place.emergency = props.emergency;
    if (typeof props.note === 'string') place.note = props.note;
    return place;
  });
}
