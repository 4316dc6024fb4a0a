import { haversineMeters, type CityPack } from '@dispatch/routing';
import type { UnitView } from '@dispatch/server';

import { dutySpans } from '../scenario/shifts.ts';
import type { Scenario } from '../scenario/types.ts';
import { isAbort, type ReplayClock } from './clock.ts';

/** Scenario units matched to the server's, by call sign. */
export interface FleetMatch {
  /**
   * Server unit id -> its scenario unit's time on duty, as [start, end)
   * spans on the replay's clock (simulated seconds from the run's start).
   */
  duty: Map<number, [number, number][]>;
  /** Scenario call signs the server has no unit for: not replayed. */
  notOnServer: string[];
  /** Server call signs the scenario does not list: no tablet, never sent. */
  notInScenario: string[];
  /** Matched units whose capability or station differ from the scenario's. */
  differences: string[];
}

/** A station this far from the scenario's is reported as a difference. */
const SAME_STATION_METERS = 100;

/**
 * Matches the scenario's fleet to the server's units by call sign and
 * turns each matched unit's shifts ({@link dutySpans}, as the engine
 * staffs units) into spans on the replay's clock, whose second 0 is
 * `windowStart` seconds after midnight of the scenario's day 0 and which
 * runs at most `runSeconds`.
 */
export function matchFleet(
  scenario: Scenario,
  city: CityPack,
  serverUnits: readonly UnitView[],
  windowStart: number,
  runSeconds: number,
): FleetMatch {
  const byCallSign = new Map(serverUnits.map((u) => [u.callSign, u]));
  const days = Math.max(1, Math.ceil((windowStart + runSeconds) / 86_400));
  const match: FleetMatch = {
    duty: new Map(),
    notOnServer: [],
    notInScenario: [],
    differences: [],
  };
  const listed = new Set<string>();
  for (const spec of scenario.fleet.units) {
    listed.add(spec.callSign);
    const unit = byCallSign.get(spec.callSign);
    if (!unit) {
      match.notOnServer.push(spec.callSign);
      continue;
    }
    if (unit.capability !== spec.capability) {
      match.differences.push(
        `${spec.callSign} is ${unit.capability} on the server, ${spec.capability} in the scenario`,
      );
    }
    const station = city.stationList.find((s) => s.id === spec.station);
    if (
      station &&
      haversineMeters(
        station.location.lat,
        station.location.lon,
        unit.station.lat,
        unit.station.lon,
      ) > SAME_STATION_METERS
    ) {
      match.differences.push(
        `${spec.callSign} is based at ${unit.station.name ?? 'another station'} on the server, ${spec.station} in the scenario`,
      );
    }
    match.duty.set(
      unit.id,
      dutySpans(spec.shifts, days).map(([start, end]) => [
        start - windowStart,
        end - windowStart,
      ]),
    );
  }
  for (const unit of serverUnits) {
    if (!listed.has(unit.callSign)) match.notInScenario.push(unit.callSign);
  }
  return match;
}

/** Whether `spans` put the unit on duty at replay second `t`. */
export function onDutyAt(spans: readonly [number, number][], t: number) {
  return spans.some(([start, end]) => start <= t && t < end);
}

/** What a tablet does when its crew's shift begins or ends. */
export interface ShiftCrew {
  shiftStarts(): Promise<void>;
  shiftEnds(): Promise<void>;
}

/**
 * Runs the shift changes after the run's start on the replay's clock, in
 * order, until `until` (simulated seconds) or `signal` aborts. A change
 * waits for the one before it (a crew's status press is quick).
 */
export async function runShiftChanges(
  crews: ReadonlyMap<number, ShiftCrew>,
  duty: ReadonlyMap<number, [number, number][]>,
  clock: ReplayClock,
  until: number,
  signal: AbortSignal,
): Promise<void> {
  const changes: { at: number; crew: ShiftCrew; on: boolean }[] = [];
  for (const [unitId, crew] of crews) {
    for (const [start, end] of duty.get(unitId) ?? []) {
      if (start > 0 && start < until)
        changes.push({ at: start, crew, on: true });
      if (end > 0 && end < until) changes.push({ at: end, crew, on: false });
    }
  }
  changes.sort((a, b) => a.at - b.at);
  try {
    for (const change of changes) {
      await clock.until(change.at, signal);
      await (change.on ? change.crew.shiftStarts() : change.crew.shiftEnds());
    }
  } catch (err) {
    if (!isAbort(err)) throw err;
  }
}
