/**
 * One simulation run from a scenario: load the city, build the places and
 * their drive times, generate the calls, run the event loop.
 */
import { loadCityPack, type CityPack } from '@dispatch/routing';

import { loadHexgrid, type Hexgrid } from './city/hexgrid.ts';
import { generateCalls, type SimCall } from './demand.ts';
import { simulate, type SimOutput } from './engine/simulate.ts';
import { ScenarioError } from './scenario/errors.ts';
import type { Scenario } from './scenario/types.ts';
import { CellLocator, placesOf, type Places } from './travel/places.ts';
import {
  noTravel,
  roadTravel,
  type TravelModel,
} from './travel/travel-model.ts';

/** The city side of a run, reusable across scenarios of one city. */
export interface CityContext {
  city: CityPack;
  grid: Hexgrid;
  places: Places;
  travel: TravelModel;
  /** Cells on the network: reachable to and from every station. */
  usable: Uint8Array;
  /** Population of the cells off the network (their calls are driven to the nearest cell on it). */
  unusablePopulation: number;
  /** Seconds spent on the drive-time matrix (0 without roads). */
  matrixSeconds: number;
}

/**
 * Loads a city for `scenario`: its hexgrid, stations, hospitals and (for
 * `travel.model: road`) the drive times between them.
 * @throws ScenarioError for an unknown city, or one with no road network
 *   when the scenario drives on roads.
 */
export function prepareCity(scenario: Scenario): CityContext {
  let city: CityPack;
  try {
    city = loadCityPack(scenario.city);
  } catch (err) {
    throw new ScenarioError('city', (err as Error).message, { cause: err });
  }
  const grid = loadHexgrid(city);
  const places = placesOf(grid, city.stationList, city.hospitalList);
  let travel: TravelModel = noTravel();
  let matrixSeconds = 0;
  if (scenario.travel.model === 'road') {
    try {
      const road = roadTravel(
        city,
        places,
        scenario.travel.emergencySpeedFactor,
      );
      matrixSeconds = road.buildSeconds;
      travel = road;
    } catch (err) {
      throw new ScenarioError('city', (err as Error).message, { cause: err });
    }
  }
  const usable = new Uint8Array(places.cellCount);
  let unusablePopulation = 0;
  for (let cell = 0; cell < places.cellCount; cell++) {
    let ok = true;
    for (let s = 0; s < places.stations.length && ok; s++) {
      const station = places.stationOffset + s;
      ok =
        Number.isFinite(travel.seconds(station, cell)) &&
        Number.isFinite(travel.seconds(cell, station));
    }
    usable[cell] = ok ? 1 : 0;
    if (!ok) unusablePopulation += grid.cells[cell]!.population;
  }
  return {
    city,
    grid,
    places,
    travel,
    usable,
    unusablePopulation,
    matrixSeconds,
  };
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  days: number;
  seed: number | string;
  /** A prepared city (same city and travel model), to skip loading it again. */
  cityContext?: CityContext;
}

export interface RunResult extends SimOutput {
  scenario: Scenario;
  context: CityContext;
  calls: SimCall[];
  days: number;
  seed: number | string;
  /** Wall seconds of the event loop alone. */
  loopSeconds: number;
}

/**
 * Runs `scenario` for `days` with `seed` over the calls of
 * {@link generateCalls}.
 * @throws ScenarioError when a unit's station is not in the city, or a
 *   transport is possible but the city has no emergency hospital.
 */
export function runScenario(
  scenario: Scenario,
  options: RunOptions,
): RunResult {
  const context = options.cityContext ?? prepareCity(scenario);
  const calls = generateCalls(scenario, {
    days: options.days,
    seed: options.seed,
    hexgrid: context.grid,
  });
  return simulateCalls(scenario, calls, { ...options, cityContext: context });
}

/**
 * Runs `scenario` over a given list of calls (in time order, cells of the
 * city's hexgrid): the generated ones, or a hand-made or imported list.
 * `days` bounds the shifts; the run goes on until every call is done.
 * @throws ScenarioError as {@link runScenario}.
 */
export function simulateCalls(
  scenario: Scenario,
  calls: SimCall[],
  options: RunOptions,
): RunResult {
  const context = options.cityContext ?? prepareCity(scenario);
  const { city, places } = context;
  const stationIndex = new Map(city.stationList.map((s, i) => [s.id, i]));
  const unitStations = scenario.fleet.units.map((unit, i) => {
    const index = stationIndex.get(unit.station);
    if (index === undefined) {
      throw new ScenarioError(
        `fleet.units[${i}].station`,
        `no station "${unit.station}" in city ${city.id} (stations: ${[...stationIndex.keys()].join(', ')})`,
      );
    }
    return index;
  });
  const emergencyHospitals = city.hospitalList
    .map((h, i) => (h.emergency ? i : -1))
    .filter((i) => i >= 0);
  const p = scenario.times.transportProbability;
  if (emergencyHospitals.length === 0 && (p[1] > 0 || p[2] > 0 || p[3] > 0)) {
    throw new ScenarioError(
      'times.transportProbability',
      `city ${city.id} has no emergency hospital to transport to; set the probabilities to 0`,
    );
  }
  const locator = new CellLocator(
    places,
    (cell) => context.usable[cell] === 1,
    context.grid.spacingMeters,
  );
  const travelCell = Int32Array.from({ length: places.cellCount }, (_, cell) =>
    context.usable[cell] === 1
      ? cell
      : locator.nearest(places.lat[cell]!, places.lon[cell]!),
  );
  const started = performance.now();
  const output = simulate({
    travelCell,
    scenario,
    calls,
    places,
    travel: context.travel,
    locator,
    unitStations,
    emergencyHospitals,
    days: options.days,
    seed: options.seed,
  });
  return {
    ...output,
    scenario,
    context,
    calls,
    days: options.days,
    seed: options.seed,
    loopSeconds: (performance.now() - started) / 1000,
  };
}
