import type { CityPack, LatLon, Router } from '@dispatch/routing';

import { coverageMatrix } from './coverage.ts';
import { PlanningError } from './errors.ts';
import { evaluate, solveMexclp, type Placement } from './mexclp.ts';
import type { PopulationCell } from './population.ts';

/** Options of {@link planStations}. */
export interface PlanOptions {
  /** Ambulances to place. */
  k: number;
  /** MEXCLP busy fraction q in [0, 1); default 0 (plain maximal covering). */
  busyFraction?: number;
  /** The response target; default 180 s. */
  targetSeconds?: number;
  /** Most ambulances per suggested base; default 1. */
  maxPerSite?: number;
}

/** A base of a layout, with how many of the k ambulances it holds. */
export interface PlannedBase {
  /** A station id of the city pack, or the population cell id. */
  id: string;
  name: string;
  /** On the road: the candidate snapped onto the network. */
  location: LatLon;
  ambulances: number;
  /** Kept when the base is one of the city's current stations. */
  currentStation: boolean;
}

/** The figures of one layout. */
export interface LayoutFigures {
  bases: PlannedBase[];
  /** Residents within the target of at least one ambulance. */
  coveredPopulation: number;
  /** `coveredPopulation` over the whole grid's population. */
  coveredRatio: number;
  /** Residents expected covered when each unit is busy with probability q. */
  expectedCoverage: number;
  expectedRatio: number;
}

/** Answer of {@link planStations}: current against suggested. */
export interface StationPlan {
  city: string;
  k: number;
  busyFraction: number;
  targetSeconds: number;
  population: {
    total: number;
    cells: number;
    /** Residents of cells whose centroid is off the road network. */
    offNetwork: number;
  };
  candidateSites: number;
  /**
   * The current stations, k ambulances spread over them in file order
   * (one each, then a second each, ...), as the demo fleet does.
   */
  current: LayoutFigures;
  /** The greedy layout before interchange, for reference. */
  greedy: LayoutFigures;
  suggested: LayoutFigures;
  /** suggested minus current. */
  gain: { coveredPopulation: number; expectedCoverage: number };
  interchangeMoves: number;
}

interface Candidate {
  id: string;
  name: string;
  location: LatLon;
  currentStation: boolean;
}

/**
 * Suggests where to base k ambulances to cover the most residents within
 * the target (MEXCLP, see `mexclp.ts`) and compares with the city's
 * current stations. Candidate sites are the current stations and every
 * population cell centroid, snapped onto the road; demand points are the
 * populated cells' centroids; coverage is by the router's drive times.
 * @param router the emergency router (what dispatch ranks units with)
 * @throws PlanningError `PLAN_INVALID_ARGUMENT` for bad options,
 *   `PLAN_CITY_INCOMPLETE` when the city has no stations
 */
export async function planStations(
  city: CityPack,
  cells: readonly PopulationCell[],
  router: Router,
  options: PlanOptions,
): Promise<StationPlan> {
  const busyFraction = options.busyFraction ?? 0;
  const targetSeconds = options.targetSeconds ?? 180;
  const maxPerSite = options.maxPerSite ?? 1;
  if (!(targetSeconds > 0) || !Number.isFinite(targetSeconds)) {
    throw new PlanningError(
      'PLAN_INVALID_ARGUMENT',
      `target: expected a positive number of seconds, got ${targetSeconds}`,
    );
  }
  if (city.stationList.length === 0) {
    throw new PlanningError(
      'PLAN_CITY_INCOMPLETE',
      `city ${city.id} has no stations to compare with`,
    );
  }
  const candidates = await snappedCandidates(city, cells, router);
  const demand = cells.filter((cell) => cell.population > 0);
  const matrix = await coverageMatrix(
    router,
    candidates.map((c) => c.location),
    demand.map((cell) => cell.location),
    targetSeconds,
  );
  const instance = {
    weights: demand.map((cell) => cell.population),
    covers: matrix.covers,
  };
  const currentSites = currentLayout(candidates, options.k);
  const fitsLimit = currentSites.every(
    (site) => currentSites.filter((s) => s === site).length <= maxPerSite,
  );
  const solution = solveMexclp(instance, {
    k: options.k,
    busyFraction,
    maxPerSite,
    starts:
      fitsLimit && currentSites.length === options.k ? [currentSites] : [],
  });
  const total = cells.reduce((sum, cell) => sum + cell.population, 0);
  const figures = (placement: Placement): LayoutFigures => ({
    bases: bases(candidates, placement.sites),
    coveredPopulation: Math.round(placement.coveredWeight),
    coveredRatio: ratio(placement.coveredWeight, total),
    expectedCoverage: Math.round(placement.expectedCoverage),
    expectedRatio: ratio(placement.expectedCoverage, total),
  });
  const current = figures(evaluate(instance, currentSites, busyFraction));
  const suggested = figures(solution.best);
  return {
    city: city.id,
    k: options.k,
    busyFraction,
    targetSeconds,
    population: {
      total,
      cells: cells.length,
      offNetwork: matrix.offNetwork.reduce(
        (sum, j) => sum + (demand[j] as PopulationCell).population,
        0,
      ),
    },
    candidateSites: candidates.length,
    current,
    greedy: figures(solution.greedy),
    suggested,
    gain: {
      coveredPopulation:
        suggested.coveredPopulation - current.coveredPopulation,
      expectedCoverage: suggested.expectedCoverage - current.expectedCoverage,
    },
    interchangeMoves: solution.moves,
  };
}

/** Stations first (so they are indices 0..n-1), then the cells on the road. */
async function snappedCandidates(
  city: CityPack,
  cells: readonly PopulationCell[],
  router: Router,
): Promise<Candidate[]> {
  const raw: Candidate[] = [
    ...city.stationList.map((s) => ({
      id: s.id,
      name: s.name,
      location: s.location,
      currentStation: true,
    })),
    ...cells.map((cell) => ({
      id: cell.id,
      name: `cell ${cell.id}`,
      location: cell.location,
      currentStation: false,
    })),
  ];
  const out: Candidate[] = [];
  for (const candidate of raw) {
    const snap = await router.snap(candidate.location);
    if (snap === undefined) {
      if (candidate.currentStation) {
        throw new PlanningError(
          'PLAN_CITY_INCOMPLETE',
          `station ${candidate.id} is off the road network`,
        );
      }
      continue;
    }
    out.push({ ...candidate, location: roundLocation(snap.location) });
  }
  return out;
}

function currentLayout(candidates: readonly Candidate[], k: number): number[] {
  const stations = candidates.filter((c) => c.currentStation).length;
  return Array.from({ length: k }, (_, n) => n % stations);
}

function bases(
  candidates: readonly Candidate[],
  sites: readonly number[],
): PlannedBase[] {
  const counts = new Map<number, number>();
  for (const site of sites) counts.set(site, (counts.get(site) ?? 0) + 1);
  return [...counts].map(([site, ambulances]) => {
    const c = candidates[site] as Candidate;
    return {
      id: c.id,
      name: c.name,
      location: c.location,
      ambulances,
      currentStation: c.currentStation,
    };
  });
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10000) / 10000;
}

function roundLocation(p: LatLon): LatLon {
  return {
    lat: Math.round(p.lat * 1e6) / 1e6,
    lon: Math.round(p.lon * 1e6) / 1e6,
  };
}
