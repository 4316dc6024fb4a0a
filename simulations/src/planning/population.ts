import fs from 'node:fs';
import path from 'node:path';

import type { CityPack, LatLon } from '@dispatch/routing';

import { PlanningError } from './errors.ts';

/** One cell of a city's population grid (an H3 cell in the bundled packs). */
export interface PopulationCell {
  /** The cell id as the file gives it (an H3 index for Porto Alegre). */
  id: string;
  /** The cell's centroid, as the file gives it. */
  location: LatLon;
  /** Residents of the cell. */
  population: number;
}

/**
 * Reads the population grid of a city pack (`population` in `city.json`:
 * a CSV with at least `id,lon,lat,population`). The centroids come from
 * the file, so no H3 library is needed.
 * @throws PlanningError `PLAN_CITY_INCOMPLETE` when the pack has no grid,
 *   `PLAN_POPULATION_INVALID` naming the file and line of a bad row.
 */
export function loadPopulationCells(city: CityPack): PopulationCell[] {
  if (city.population === undefined) {
    throw new PlanningError(
      'PLAN_CITY_INCOMPLETE',
      `city ${city.id} has no population grid ("population" in city.json)`,
    );
  }
  const file = path.resolve(city.dir, city.population);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PlanningError('PLAN_POPULATION_INVALID', `cannot read ${file}`, {
      cause: err,
    });
  }
  return parsePopulationCsv(text, file);
}

/**
 * Parses a population CSV (comma-separated, a header row naming `id`,
 * `lon`, `lat` and `population` in any order, no quoted fields).
 * @param source named in error messages
 */
export function parsePopulationCsv(
  text: string,
  source: string,
): PopulationCell[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new PlanningError(
        'PLAN_POPULATION_INVALID',
        `${source}: no "${name}" column (header: ${header.join(',')})`,
      );
    }
    return index;
  };
  const idAt = column('id');
  const lonAt = column('lon');
  const latAt = column('lat');
  const populationAt = column('population');
  return lines.slice(1).map((line, i) => {
    const fields = line.split(',');
    const lon = Number(fields[lonAt]);
    const lat = Number(fields[latAt]);
    const population = Number(fields[populationAt]);
    const id = fields[idAt]?.trim() ?? '';
    if (
      id === '' ||
      !(Math.abs(lat) <= 90) ||
      !(Math.abs(lon) <= 180) ||
      !Number.isFinite(population) ||
      population < 0
    ) {
      throw new PlanningError(
        'PLAN_POPULATION_INVALID',
        `${source} line ${i + 2}: expected an id, lon, lat and a population >= 0`,
      );
    }
    return { id, location: { lat, lon }, population };
  });
}
