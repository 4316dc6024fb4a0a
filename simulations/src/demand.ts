/**
 * Simulated calls: a Poisson process whose rate follows the scenario's
 * calls per hour of day, scaled day by day by its calendar (weekday,
 * month, single dates), each call placed in a hexgrid cell drawn in
 * proportion to its population, at a random point inside the cell.
 */
import { loadCityPack } from '@dispatch/routing';
import type { Priority } from '@dispatch/server/policy';

import { loadHexgrid, type Hexgrid } from './city/hexgrid.ts';
import { randomStream } from './random.ts';
import { ScenarioError } from './scenario/errors.ts';
import type { DemandCalendar, Scenario } from './scenario/types.ts';

/** One simulated emergency call. */
export interface SimCall {
  /** 1, 2, 3... in order of arrival. */
  id: number;
  /** Seconds since the start of the run (local midnight of day 0). */
  atSeconds: number;
  lat: number;
  lon: number;
  /** H3 cell of the hexgrid the call falls in. */
  hexId: string;
  /** Index of that cell in the hexgrid's `cells`. */
  cellIndex: number;
  priority: Priority;
}

/** Options of {@link generateCalls}. */
export interface GenerateOptions {
  days: number;
  seed: number | string;
  /** The city's hexgrid, when the caller has it loaded already. */
  hexgrid?: Hexgrid;
}

/**
 * The calls of `days` days of the scenario's demand, in time order. The
 * same scenario demand, days and seed always give the same list; the
 * fleet, times and policy do not change it, so two scenarios compared
 * with one seed answer the same calls.
 * @throws ScenarioError when `days` is not a positive number or the city
 *   has no populated cell.
 */
export function generateCalls(
  scenario: Pick<Scenario, 'city' | 'demand'>,
  options: GenerateOptions,
): SimCall[] {
  const { days, seed } = options;
  if (!(typeof days === 'number' && days > 0 && Number.isFinite(days))) {
    throw new ScenarioError('days', `expected a positive number, got ${days}`);
  }
  const grid = options.hexgrid ?? loadHexgrid(loadCityPack(scenario.city));
  // Cumulative population for a binary search per call.
  const cumulative = new Float64Array(grid.cells.length);
  let total = 0;
  grid.cells.forEach((cell, i) => {
    total += cell.population;
    cumulative[i] = total;
  });
  if (!(total > 0)) {
    throw new ScenarioError('city', 'no populated cell to place calls in');
  }
  const mix = scenario.demand.priorityMix;
  const mixTotal = mix[1] + mix[2] + mix[3];
  const arrivals = randomStream(seed, 'call-arrivals');
  const places = randomStream(seed, 'call-places');
  const inside = randomStream(seed, 'call-offsets');
  const priorities = randomStream(seed, 'call-priorities');
  // Points within the inscribed circle of the hexagon stay in the cell.
  const radiusMeters = (grid.spacingMeters / 2) * 0.95;
  const calls: SimCall[] = [];
  const endSeconds = days * 86_400;
  const dayFactor = calendarFactors(scenario.demand.calendar);
  // Local clock hours: a daylight-saving change is not modelled (the day
  // it happens has 24 hours here, not 23 or 25).
  for (let hourStart = 0; hourStart < endSeconds; hourStart += 3600) {
    const hour = hourStart / 3600;
    const perHour =
      scenario.demand.callsPerHour[hour % 24]! *
      dayFactor(Math.floor(hour / 24));
    const hourEnd = Math.min(hourStart + 3600, endSeconds);
    if (perHour <= 0) continue;
    // Exponential gaps restarted at each hour: exact for a piecewise
    // constant rate, by memorylessness.
    let t = hourStart + arrivals.exponential(3600 / perHour);
    for (; t < hourEnd; t += arrivals.exponential(3600 / perHour)) {
      const cellIndex = pick(cumulative, places.next() * total);
      const cell = grid.cells[cellIndex]!;
      const r = radiusMeters * Math.sqrt(inside.next());
      const a = 2 * Math.PI * inside.next();
      const mPerDegLon = 111_320 * Math.cos((cell.lat * Math.PI) / 180);
      const u = priorities.next() * mixTotal;
      const priority: Priority = u < mix[1] ? 1 : u < mix[1] + mix[2] ? 2 : 3;
      calls.push({
        id: calls.length + 1,
        atSeconds: Math.round(t * 1000) / 1000,
        lat: round6(cell.lat + (r * Math.sin(a)) / 111_320),
        lon: round6(cell.lon + (r * Math.cos(a)) / mPerDegLon),
        hexId: cell.id,
        cellIndex,
        priority,
      });
    }
  }
  return calls;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The factor of each day of a run (day 0 is the calendar's start date):
 * weekday × month × that date's own factor. Without a calendar, 1.
 */
export function calendarFactors(
  calendar: DemandCalendar | undefined,
): (day: number) => number {
  if (!calendar) return () => 1;
  const [y, m, d] = calendar.startDate.split('-').map(Number) as [
    number,
    number,
    number,
  ];
  return (day) => {
    const date = new Date(Date.UTC(y, m - 1, d + day));
    const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
    const iso = date.toISOString().slice(0, 10);
    return (
      calendar.weekdayFactors[weekday]! *
      calendar.monthFactors[date.getUTCMonth()]! *
      (calendar.dateFactors[iso] ?? 1)
    );
  };
}

/** First index whose cumulative value exceeds `x`. */
function pick(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
