/**
 * The maximum expected covering location problem (MEXCLP, Daskin 1983) on
 * a precomputed coverage matrix: place k ambulances on candidate sites so
 * that the expected population covered within the target is largest, when
 * each ambulance is busy (unable to respond) with probability q,
 * independently of the others. A demand point covered by y ambulances is
 * then served with probability 1 - q^y. With q = 0 this is the maximal
 * covering location problem (MCLP): population covered at least once.
 *
 * Solved by the greedy heuristic (add the ambulance of largest marginal
 * gain, k times), then a vertex-interchange (Teitz-Bart) improvement:
 * move one ambulance to another site while that raises the objective.
 * The objective is submodular in the placements, so the greedy start is
 * within 1 - 1/e of the optimum; the interchange closes most of the rest.
 */
import { PlanningError } from './errors.ts';

/** Who covers whom: the input of the solver, independent of geography. */
export interface CoverageInstance {
  /** Weight of each demand point (its population), non-negative. */
  weights: readonly number[];
  /**
   * For each candidate site, the indices of the demand points an ambulance
   * based there reaches within the target.
   */
  covers: readonly (readonly number[])[];
}

/** Options of {@link solveMexclp}. */
export interface SolveOptions {
  /** Ambulances to place, at least 1. */
  k: number;
  /** Probability q in [0, 1) that an ambulance is busy. 0 gives MCLP. */
  busyFraction: number;
  /** Most ambulances on one site; default 1 (distinct bases). */
  maxPerSite?: number;
  /**
   * Further layouts (one site index per ambulance) to improve by
   * interchange besides the greedy one, e.g. the current stations; the best
   * improved layout wins.
   */
  starts?: readonly (readonly number[])[];
}

/** A layout and its objective values. */
export interface Placement {
  /** One site index per ambulance, ascending. */
  sites: number[];
  /** Weight covered by at least one ambulance. */
  coveredWeight: number;
  /** Sum of weight x (1 - q^ambulances covering it). */
  expectedCoverage: number;
}

/** Answer of {@link solveMexclp}. */
export interface Solution {
  /** The greedy layout before any interchange. */
  greedy: Placement;
  /** The best layout found. */
  best: Placement;
  /** Interchange moves made on the way to `best`. */
  moves: number;
}

/** Relative slack under which two gains count as equal (float sums). */
const EPSILON = 1e-9;

/**
 * Places `options.k` ambulances to maximise expected coverage.
 * Deterministic: ties go to the lowest site index.
 * @throws PlanningError `PLAN_INVALID_ARGUMENT` for a bad k, q, maxPerSite
 *   or start layout, or when k exceeds the sites' capacity.
 */
export function solveMexclp(
  instance: CoverageInstance,
  options: SolveOptions,
): Solution {
  const q = options.busyFraction;
  const maxPerSite = options.maxPerSite ?? 1;
  checkOptions(instance, options.k, q, maxPerSite);
  const greedySites = greedy(instance, options.k, q, maxPerSite);
  const greedyPlacement = evaluate(instance, greedySites, q);
  let best: Placement | undefined;
  let moves = 0;
  for (const start of [greedySites, ...(options.starts ?? [])]) {
    checkLayout(instance, start, options.k, maxPerSite);
    const improved = interchange(instance, start, q, maxPerSite);
    const placement = evaluate(instance, improved.sites, q);
    if (
      best === undefined ||
      placement.expectedCoverage > best.expectedCoverage * (1 + EPSILON)
    ) {
      best = placement;
      moves = improved.moves;
    }
  }
  return { greedy: greedyPlacement, best: best!, moves };
}

/**
 * Objective values of a layout (one site index per ambulance; a site may
 * repeat).
 */
export function evaluate(
  instance: CoverageInstance,
  sites: readonly number[],
  busyFraction: number,
): Placement {
  const counts = coverCounts(instance, sites);
  let coveredWeight = 0;
  let expectedCoverage = 0;
  instance.weights.forEach((w, j) => {
    const y = counts[j] as number;
    if (y > 0) coveredWeight += w;
    expectedCoverage += w * (1 - busyFraction ** y);
  });
  return {
    sites: [...sites].sort((a, b) => a - b),
    coveredWeight,
    expectedCoverage,
  };
}

function greedy(
  instance: CoverageInstance,
  k: number,
  q: number,
  maxPerSite: number,
): number[] {
  const counts = new Int32Array(instance.weights.length);
  const perSite = new Int32Array(instance.covers.length);
  const sites: number[] = [];
  for (let n = 0; n < k; n++) {
    const site = bestSite(instance, counts, perSite, q, maxPerSite).site;
    place(instance, counts, perSite, site, +1);
    sites.push(site);
  }
  return sites;
}

/**
 * Teitz-Bart interchange: for each ambulance in turn, take it out and put
 * it back on the site of largest gain; repeat until a full pass moves
 * nothing. Every move strictly raises the objective, so it ends.
 */
function interchange(
  instance: CoverageInstance,
  start: readonly number[],
  q: number,
  maxPerSite: number,
): { sites: number[]; moves: number } {
  const counts = coverCounts(instance, start);
  const perSite = new Int32Array(instance.covers.length);
  for (const site of start) perSite[site]! += 1;
  const sites = [...start];
  let moves = 0;
  let moved = true;
  while (moved) {
    moved = false;
    for (let a = 0; a < sites.length; a++) {
      const from = sites[a] as number;
      place(instance, counts, perSite, from, -1);
      const stay = gainAt(instance, counts, from, q);
      const { site, gain } = bestSite(instance, counts, perSite, q, maxPerSite);
      const to = gain > stay + EPSILON * Math.max(1, stay) ? site : from;
      place(instance, counts, perSite, to, +1);
      if (to !== from) {
        sites[a] = to;
        moves += 1;
        moved = true;
      }
    }
  }
  return { sites, moves };
}

/** Marginal expected coverage of one more ambulance at `site`. */
function gainAt(
  instance: CoverageInstance,
  counts: Int32Array,
  site: number,
  q: number,
): number {
  let gain = 0;
  for (const j of instance.covers[site] as readonly number[]) {
    gain += (instance.weights[j] as number) * q ** (counts[j] as number);
  }
  return gain * (1 - q);
}

function bestSite(
  instance: CoverageInstance,
  counts: Int32Array,
  perSite: Int32Array,
  q: number,
  maxPerSite: number,
): { site: number; gain: number } {
  let site = -1;
  let gain = -Infinity;
  for (let i = 0; i < instance.covers.length; i++) {
    if ((perSite[i] as number) >= maxPerSite) continue;
    const g = gainAt(instance, counts, i, q);
    if (site < 0 || g > gain + EPSILON * Math.max(1, gain)) {
      site = i;
      gain = g;
    }
  }
  return { site, gain };
}

function place(
  instance: CoverageInstance,
  counts: Int32Array,
  perSite: Int32Array,
  site: number,
  delta: 1 | -1,
): void {
  perSite[site]! += delta;
  for (const j of instance.covers[site] as readonly number[]) {
    counts[j]! += delta;
  }
}

function coverCounts(
  instance: CoverageInstance,
  sites: readonly number[],
): Int32Array {
  const counts = new Int32Array(instance.weights.length);
  for (const site of sites) {
    for (const j of instance.covers[site] as readonly number[]) {
      counts[j]! += 1;
    }
  }
  return counts;
}

function checkOptions(
  instance: CoverageInstance,
  k: number,
  q: number,
  maxPerSite: number,
): void {
  if (!Number.isInteger(k) || k < 1) {
    throw invalid(`k: expected a whole number of ambulances >= 1, got ${k}`);
  }
  if (!Number.isFinite(q) || q < 0 || q >= 1) {
    throw invalid(`busy fraction: expected a number in [0, 1), got ${q}`);
  }
  if (!Number.isInteger(maxPerSite) || maxPerSite < 1) {
    throw invalid(
      `maxPerSite: expected a whole number >= 1, got ${maxPerSite}`,
    );
  }
  if (k > instance.covers.length * maxPerSite) {
    throw invalid(
      `k: ${k} ambulances do not fit on ${instance.covers.length} candidate sites at ${maxPerSite} per site`,
    );
  }
}

function checkLayout(
  instance: CoverageInstance,
  sites: readonly number[],
  k: number,
  maxPerSite: number,
): void {
  const perSite = new Map<number, number>();
  for (const site of sites) {
    if (!Number.isInteger(site) || site < 0 || site >= instance.covers.length) {
      throw invalid(`start layout: no candidate site ${site}`);
    }
    perSite.set(site, (perSite.get(site) ?? 0) + 1);
  }
  if (sites.length !== k || [...perSite.values()].some((n) => n > maxPerSite)) {
    throw invalid(
      `start layout: expected ${k} ambulances at most ${maxPerSite} per site`,
    );
  }
}

function invalid(message: string): PlanningError {
  return new PlanningError('PLAN_INVALID_ARGUMENT', message);
}
