/**
 * The discrete-event loop. Calls come in from the generated list, every
 * other happening (dispatch decision, arrival on scene, end of scene,
 * hospital, handover, shift changes) is an event in one
 * priority queue ordered by time and then by scheduling order. Nothing
 * here reads a clock, the network or a browser API: the same inputs give
 * the same outcomes.
 */
import type { Priority } from '@dispatch/server/policy';

import type { SimCall } from '../demand.ts';
import { sampler } from '../distributions.ts';
import { EventQueue } from '../event-queue.ts';
import { randomStream } from '../random.ts';
import type { Scenario } from '../scenario/types.ts';
import { dutySpans } from '../scenario/shifts.ts';
import type { CellLocator, Places } from '../travel/places.ts';
import { withTraffic, type TravelModel } from '../travel/travel-model.ts';
import { chooseUnit, type ChooseContext, type FreeUnit } from './choose.ts';
import { planMoveUps } from './move-up.ts';
import type { CallOutcome, SimUnit } from './state.ts';

/** Everything a run needs, prepared (see `prepareRun`). */
export interface SimInput {
  scenario: Scenario;
  calls: readonly SimCall[];
  places: Places;
  travel: TravelModel;
  locator: CellLocator;
  /**
   * The cell each cell's calls are driven to: itself, or for a cell off
   * the road network (an island, a park) the nearest cell on it.
   */
  travelCell: Int32Array;
  /** Station index of each unit of `scenario.fleet.units`. */
  unitStations: number[];
  /** Hospital indexes that take emergency ambulances. */
  emergencyHospitals: number[];
  days: number;
  seed: number | string;
}

export interface SimOutput {
  outcomes: CallOutcome[];
  units: SimUnit[];
  /** Seconds at which the last event ran. */
  endSeconds: number;
  events: number;
}

type SimEvent =
  | { kind: 'decide'; call: number }
  | { kind: 'onScene'; unit: number }
  | { kind: 'leaveScene'; unit: number }
  | { kind: 'atHospital'; unit: number }
  | { kind: 'handoverDone'; unit: number }
  | { kind: 'shiftStart'; unit: number }
  | { kind: 'shiftEnd'; unit: number };

/** Runs the scenario over its calls. */
export function simulate(input: SimInput): SimOutput {
  // Decisions (ranking, hospital, move-up posts) use `travel`'s
  // free-flow times, as the live router gives; the drives themselves
  // take the hour's traffic (`drive`, below).
  const { scenario, calls, places, travel, locator } = input;
  const { times, policy } = scenario;
  const seed = input.seed;
  const drawProcessing = sampler(
    times.callProcessing,
    randomStream(seed, 'call-processing'),
  );
  const drawTurnout = sampler(times.turnout, randomStream(seed, 'turnout'));
  const drawOnScene = sampler(times.onScene, randomStream(seed, 'on-scene'));
  const drawHandover = sampler(times.handover, randomStream(seed, 'handover'));
  const transportStream = randomStream(seed, 'transport');
  const choose: ChooseContext = {
    policy: policy.dispatch,
    plan: policy.responsePlan,
    travel,
    places,
    straightLineSpeedMps: policy.straightLineSpeedMps,
  };
  const queue = new EventQueue<SimEvent>();
  const units: SimUnit[] = scenario.fleet.units.map((spec, index) => {
    const home = input.unitStations[index]!;
    const place = places.stationOffset + home;
    return {
      index,
      callSign: spec.callSign,
      capability: spec.capability,
      home,
      post: home,
      status: 'out_of_service',
      onShift: false,
      offAfterJob: false,
      fromPlace: place,
      toPlace: place,
      departAt: 0,
      arriveAt: 0,
      callIndex: -1,
      busySince: 0,
      busySeconds: 0,
      shiftSince: 0,
      shiftSeconds: 0,
      calls: 0,
    };
  });
  scheduleShifts(scenario, input.days, queue);

  // Draws for every call up front, in call order: a call gets the same
  // times whatever the fleet or policy (common random numbers).
  const outcomes: CallOutcome[] = calls.map((call) => ({
    call,
    decideAt: call.atSeconds + drawProcessing(),
    allBusy: false,
    lost: false,
    dispatchedAt: null,
    enRouteAt: null,
    onSceneAt: null,
    unit: -1,
    origin: null,
    travelMeters: null,
    transported: false,
    hospital: -1,
    atHospitalAt: null,
    clearedAt: null,
    turnoutDraw: drawTurnout(),
    onSceneDraw: drawOnScene(),
    handoverDraw: drawHandover(),
    transportDraw:
      transportStream.next() < times.transportProbability[call.priority],
  }));
  // Calls waiting for a unit, by priority then time of decision.
  const waiting: number[] = [];

  let now = 0;
  const drive = withTraffic(travel, scenario.travel.hourFactors, () => now);
  let events = 0;

  /**
   * Where a free unit is now, as a matrix place.
   * TODO(simulations): a unit on the move is placed on the straight line
   * between its trip's ends, then on the nearest cell, not along its road
   * route; where roads bend round the lake or the hills its ETA can be
   * off by a cell or two. Fix: keep each trip's route and walk it.
   */
  const whereIs = (u: SimUnit): FreeUnit => {
    let place = u.toPlace;
    let moving = false;
    let lat = places.lat[place]!;
    let lon = places.lon[place]!;
    if (now < u.arriveAt) {
      moving = true;
      const f =
        u.arriveAt > u.departAt
          ? (now - u.departAt) / (u.arriveAt - u.departAt)
          : 1;
      lat = places.lat[u.fromPlace]! * (1 - f) + lat * f;
      lon = places.lon[u.fromPlace]! * (1 - f) + lon * f;
      const cell = locator.nearest(lat, lon);
      place = cell >= 0 ? cell : u.toPlace;
    }
    return {
      unit: u.index,
      callSign: u.callSign,
      capability: u.capability,
      place,
      lat,
      lon,
      moving,
      post: u.post,
    };
  };

  const freeUnits = (): FreeUnit[] => {
    const free: FreeUnit[] = [];
    for (const u of units) if (u.status === 'available') free.push(whereIs(u));
    return free;
  };

  /**
   * Starts a drive of a free unit to its post (or stays if there). No
   * arrival event: where a unit is follows from its trip's times.
   */
  const driveToPost = (u: SimUnit, from: number) => {
    const to = places.stationOffset + u.post;
    u.fromPlace = from;
    u.toPlace = to;
    u.departAt = now;
    const seconds = from === to ? 0 : drive.seconds(from, to);
    u.arriveAt = now + (Number.isFinite(seconds) ? seconds : 0);
  };

  // TODO(simulations): one unit per call. Responses of several units (an
  // ALS joining a BLS at a cardiac arrest) are not simulated; it matters
  // for priority-1 coverage. Fix: a response plan with unit counts.
  const assign = (callIndex: number, free: FreeUnit) => {
    const u = units[free.unit]!;
    const o = outcomes[callIndex]!;
    const cell = input.travelCell[o.call.cellIndex]!;
    // A crew on the move is already in the vehicle: no turnout.
    const turnout = free.moving ? 0 : o.turnoutDraw;
    // The hour of the decision: a turnout seldom crosses into another.
    const driveSeconds =
      drive.seconds(free.place, cell) / travel.emergencySpeedFactor;
    o.dispatchedAt = now;
    o.enRouteAt = now + turnout;
    o.onSceneAt = now + turnout + driveSeconds;
    o.unit = u.index;
    o.origin = free.moving ? 'moving' : 'station';
    o.travelMeters = travel.meters(free.place, cell);
    u.status = 'dispatched';
    u.callIndex = callIndex;
    u.busySince = now;
    u.calls++;
    u.fromPlace = free.place;
    u.toPlace = cell;
    u.departAt = o.enRouteAt;
    u.arriveAt = o.onSceneAt;
    queue.push(o.onSceneAt, { kind: 'onScene', unit: u.index });
  };

  const moveUp = () => {
    if (!policy.moveUp) return;
    for (const move of planMoveUps(units, places, travel, (u) => whereIs(u))) {
      const u = units[move.unit]!;
      u.post = move.station;
      driveToPost(u, move.fromPlace);
    }
  };

  const eligible = (callIndex: number, u: SimUnit) =>
    policy.responsePlan[outcomes[callIndex]!.call.priority][u.capability] !==
    undefined;

  /** A unit just became free at `place`: the first waiting call it can take, else its post. */
  const release = (u: SimUnit, place: number) => {
    u.status = 'available';
    u.fromPlace = place;
    u.toPlace = place;
    u.departAt = now;
    u.arriveAt = now;
    const k = waiting.findIndex((c) => eligible(c, u));
    if (k >= 0) {
      const [callIndex] = waiting.splice(k, 1);
      // Freed at a scene or hospital, the crew is in the vehicle.
      const atStation =
        place >= places.stationOffset && place < places.hospitalOffset;
      assign(callIndex!, { ...whereIs(u), moving: !atStation });
      moveUp();
      return;
    }
    driveToPost(u, place);
    moveUp();
  };

  const clear = (u: SimUnit, place: number) => {
    const o = outcomes[u.callIndex]!;
    o.clearedAt = now;
    u.busySeconds += now - u.busySince;
    u.callIndex = -1;
    if (u.offAfterJob) {
      u.offAfterJob = false;
      u.status = 'out_of_service';
      u.shiftSeconds += now - u.shiftSince;
      u.onShift = false;
      return;
    }
    u.post = u.home;
    release(u, place);
  };

  const decide = (callIndex: number) => {
    const o = outcomes[callIndex]!;
    const { call } = o;
    const free = freeUnits();
    const chosen = chooseUnit(
      choose,
      free,
      input.travelCell[call.cellIndex]!,
      call.lat,
      call.lon,
      call.priority as Priority,
    );
    if (!chosen) {
      o.allBusy = true;
      if (policy.whenAllBusy === 'lost') {
        o.lost = true;
        return;
      }
      insertWaiting(callIndex);
      return;
    }
    assign(callIndex, chosen);
    moveUp();
  };

  const insertWaiting = (callIndex: number) => {
    const o = outcomes[callIndex]!;
    const before = (other: number) => {
      const p = outcomes[other]!;
      return (
        p.call.priority < o.call.priority ||
        (p.call.priority === o.call.priority && p.decideAt <= o.decideAt)
      );
    };
    let k = waiting.length;
    while (k > 0 && !before(waiting[k - 1]!)) k--;
    waiting.splice(k, 0, callIndex);
  };

  // Decisions are events too: call processing can reorder them.
  for (let i = 0; i < outcomes.length; i++) {
    queue.push(outcomes[i]!.decideAt, { kind: 'decide', call: i });
  }

  for (;;) {
    const next = queue.pop();
    if (!next) break;
    now = next.atSeconds;
    events++;
    const e = next.item;
    switch (e.kind) {
      case 'decide':
        decide(e.call);
        break;
      case 'onScene': {
        const u = units[e.unit]!;
        const o = outcomes[u.callIndex]!;
        u.status = 'on_scene';
        queue.push(now + o.onSceneDraw, { kind: 'leaveScene', unit: u.index });
        break;
      }
      case 'leaveScene': {
        const u = units[e.unit]!;
        const o = outcomes[u.callIndex]!;
        const cell = input.travelCell[o.call.cellIndex]!;
        const hospital = o.transportDraw
          ? nearestHospital(input.emergencyHospitals, places, travel, cell)
          : -1;
        if (hospital < 0) {
          clear(u, cell);
          break;
        }
        const to = places.hospitalOffset + hospital;
        o.transported = true;
        o.hospital = hospital;
        u.status = 'transporting';
        u.fromPlace = cell;
        u.toPlace = to;
        u.departAt = now;
        u.arriveAt = now + drive.seconds(cell, to);
        queue.push(u.arriveAt, { kind: 'atHospital', unit: u.index });
        break;
      }
      case 'atHospital': {
        const u = units[e.unit]!;
        const o = outcomes[u.callIndex]!;
        o.atHospitalAt = now;
        u.status = 'at_hospital';
        queue.push(now + o.handoverDraw, {
          kind: 'handoverDone',
          unit: u.index,
        });
        break;
      }
      case 'handoverDone': {
        const u = units[e.unit]!;
        clear(u, u.toPlace);
        break;
      }
      case 'shiftStart': {
        const u = units[e.unit]!;
        if (u.offAfterJob) {
          // Still on the last shift's job when the next begins: stays on.
          u.offAfterJob = false;
          break;
        }
        if (u.onShift) break;
        u.onShift = true;
        u.shiftSince = now;
        u.post = u.home;
        release(u, places.stationOffset + u.home);
        break;
      }
      case 'shiftEnd': {
        const u = units[e.unit]!;
        if (!u.onShift) break;
        if (u.status === 'available') {
          u.status = 'out_of_service';
          u.onShift = false;
          u.shiftSeconds += now - u.shiftSince;
          moveUp();
        } else {
          u.offAfterJob = true;
        }
        break;
      }
    }
  }
  for (const callIndex of waiting) outcomes[callIndex]!.lost = true;
  for (const u of units) {
    if (u.onShift) u.shiftSeconds += now - u.shiftSince;
    if (u.callIndex >= 0) u.busySeconds += now - u.busySince;
  }
  return { outcomes, units, endSeconds: now, events };
}

/**
 * Nearest emergency hospital by car from `cell`, or -1.
 * TODO(simulations): no specialty (stroke, trauma) and no diversion when a
 * hospital is full; it matters when planning around a closing hospital.
 */
function nearestHospital(
  hospitals: readonly number[],
  places: Places,
  travel: TravelModel,
  cell: number,
): number {
  let best = -1;
  let bestSeconds = Infinity;
  for (const h of hospitals) {
    const s = travel.seconds(cell, places.hospitalOffset + h);
    if (s < bestSeconds) {
      bestSeconds = s;
      best = h;
    }
  }
  return best;
}

/**
 * Shift events for every day of the run ({@link dutySpans}).
 * A unit without shifts is on around the clock.
 */
function scheduleShifts(
  scenario: Scenario,
  days: number,
  queue: EventQueue<SimEvent>,
): void {
  scenario.fleet.units.forEach((spec, unit) => {
    if (!spec.shifts) {
      queue.push(0, { kind: 'shiftStart', unit });
      return;
    }
    for (const [start, end] of dutySpans(spec.shifts, days)) {
      queue.push(start, { kind: 'shiftStart', unit });
      queue.push(end, { kind: 'shiftEnd', unit });
    }
  });
}
