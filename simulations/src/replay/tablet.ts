import crypto from 'node:crypto';

import type { LatLon, Route, Router } from '@dispatch/routing';
import type {
  Assignment,
  TabletClientToServer,
  TabletFix,
  TabletServerToClient,
} from '@dispatch/server/contract';
import {
  isAssignedStatus,
  type Priority,
  type UnitStatus,
} from '@dispatch/server/policy';
import type { UnitView } from '@dispatch/server';
import type { Socket } from 'socket.io-client';

import type { RandomStream } from '../random.ts';
import { isAbort, type ReplayClock } from './clock.ts';
import { along, routePath } from './drive.ts';
import { recordError, type ReplayStats } from './stats.ts';

/** What every simulated tablet shares. */
export interface TabletContext {
  clock: ReplayClock;
  /** Routes for the legs the server does not send: hospital and home. */
  router: Router;
  hospitals: LatLon[];
  turnout: () => number;
  onScene: () => number;
  handover: () => number;
  transportProbability: Record<Priority, number>;
  transportDraws: RandomStream;
  /** Simulated seconds between fixes while moving. */
  gpsSeconds: number;
  stats: ReplayStats;
  log: (line: string) => void;
  /** The consoles watching, told of each fix sent. */
  consoles?: { fixSent(unitId: number, fixes: readonly TabletFix[]): void };
}

/** A drive: the line and its simulated duration. */
type Leg = Pick<Route, 'geometry' | 'etaSeconds'>;

export type TabletSocket = Socket<TabletServerToClient, TabletClientToServer>;

const ACK_TIMEOUT_MS = 10_000;
/** Fixes per `positions` batch, as a tablet's outbox would send them. */
const FIXES_PER_BATCH = 2;

/**
 * A crew tablet: takes its unit's assignments from the `/tablet` socket,
 * acknowledges, presses en route, drives the route sending GPS at the
 * accelerated clock, presses on scene, maybe transports to the nearest
 * emergency hospital, then goes available and drives back to its
 * station (still sending GPS, so it can be sent from where it is).
 * Its crew keeps the scenario's shifts: out of service when a shift
 * ends (after the job in hand, as in the engine), available when the
 * next begins.
 */
export class SimTablet {
  readonly unit: UnitView;
  /** Working an assignment (from the assignment to "available"). */
  busy = false;
  /** The unit's status on the server, as last seen or reported. */
  status: UnitStatus = 'available';
  /** The shift ended during a job: out of service once it is done. */
  private offAfterJob = false;
  private position: LatLon;
  private readonly socket: TabletSocket;
  private readonly ctx: TabletContext;
  private motion: AbortController | undefined;
  private job: Promise<void> = Promise.resolve();

  constructor(ctx: TabletContext, unit: UnitView, socket: TabletSocket) {
    this.ctx = ctx;
    this.unit = unit;
    this.socket = socket;
    this.position = unit.lastPosition ?? unit.station;
    socket.on('assignment', (assignment) => this.take(assignment));
    socket.on('unit:status', (view) => {
      this.status = view.status;
      this.offAfterCancel();
    });
    socket.on('assignment:cancelled', ({ incidentId }) => {
      this.say(`assignment to incident ${incidentId} cancelled`);
      this.motion?.abort();
    });
  }

  /**
   * Loads the snapshot; an assignment already there is worked too. Then
   * the crew is put on or off duty as its shift says (`onDuty`): a unit
   * left out of service by an earlier run comes back, a unit off shift
   * goes out of service (after its job, when it has one).
   */
  async start(onDuty = true): Promise<void> {
    const answer = await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('snapshot');
    if (!answer.ok) {
      throw new Error(`tablet ${this.unit.callSign}: ${answer.error.message}`);
    }
    this.status = answer.unit.status;
    if (answer.assignment) this.take(answer.assignment);
    // Not counted as shift changes of the run: the state it starts in.
    if (onDuty && this.status === 'out_of_service') {
      await this.shiftStarts(false);
    }
    if (!onDuty && this.status !== 'out_of_service') {
      await this.shiftEnds(false);
    }
  }

  /** The crew's shift begins: available, unless still on the last one's job. */
  async shiftStarts(counted = true): Promise<void> {
    if (this.offAfterJob) {
      this.offAfterJob = false;
      this.say('next shift begins during the job: stays on');
      return;
    }
    if (this.status !== 'out_of_service') return;
    if (await this.press('available')) {
      if (counted) this.ctx.stats.shiftsStarted += 1;
      this.say('shift begins: available');
    }
  }

  /** The crew's shift ends: out of service now, or after the job in hand. */
  async shiftEnds(counted = true): Promise<void> {
    if (this.busy || isAssignedStatus(this.status)) {
      this.offAfterJob = true;
      this.say('shift ends: out of service after this job');
      return;
    }
    await this.goOutOfService(undefined, counted);
  }

  /**
   * Reports out of service. A dispatcher may have assigned the unit in
   * the meantime (the press is then refused): it works that job first.
   * `job` is the signal of the job just finished, if any.
   */
  private async goOutOfService(
    job: AbortSignal | undefined,
    counted = true,
  ): Promise<boolean> {
    const answer = await this.report('out_of_service');
    if (answer.ok) {
      if (counted) this.ctx.stats.shiftsEnded += 1;
      this.say('off shift: out of service');
      return true;
    }
    const assignedSince = job ? this.motion?.signal !== job : this.busy;
    if (assignedSince) {
      this.offAfterJob = true;
      this.say('assigned as the shift ended: out of service after this job');
    } else {
      this.refused('out_of_service', answer);
    }
    return false;
  }

  /**
   * The job the shift's end waited for was cancelled (the server freed
   * the unit, the crew pressed nothing): out of service now.
   */
  private offAfterCancel(): void {
    if (!this.offAfterJob || this.busy || this.status !== 'available') return;
    this.offAfterJob = false;
    void this.goOutOfService(undefined).catch((err: Error) =>
      recordError(this.ctx.stats, `${this.unit.callSign}: ${err.message}`),
    );
  }

  /**
   * Stops moving, lets a batch of fixes in flight be answered, then
   * leaves the socket.
   */
  async stop(): Promise<void> {
    this.motion?.abort();
    await this.job;
    this.socket.disconnect();
  }

  private take(assignment: Assignment): void {
    this.motion?.abort();
    this.busy = true;
    const motion = new AbortController();
    this.motion = motion;
    // One job at a time: the next starts once the aborted one has unwound.
    this.job = this.job.then(() => this.work(assignment, motion.signal));
  }

  private async work(a: Assignment, signal: AbortSignal): Promise<void> {
    const { stats, clock } = this.ctx;
    const incidentId = a.incident.id;
    try {
      const ack = await this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('assignment:ack', {
          incidentId,
          at: new Date().toISOString(),
        });
      if (!ack.ok) recordError(stats, `ack ${incidentId}: ${ack.error.code}`);
      await clock.sleep(this.ctx.turnout(), signal);
      if (!(await this.press('en_route'))) return;
      const toScene = a.route ?? (await this.routeTo(a.incident.location));
      this.say(
        `en route to incident ${incidentId}` +
          (a.route
            ? `, ${(a.route.distanceMeters / 1000).toFixed(1)} km, eta ${Math.round(a.route.etaSeconds)} s`
            : ''),
      );
      if (toScene) await this.drive(toScene, signal);
      if (!(await this.press('on_scene'))) return;
      this.say(`on scene at incident ${incidentId}`);
      await clock.sleep(this.ctx.onScene(), signal);
      const transport =
        this.ctx.transportDraws.next() <
        this.ctx.transportProbability[a.incident.priority];
      const hospital = transport ? await this.nearestHospital() : undefined;
      if (hospital) {
        if (!(await this.press('transporting'))) return;
        stats.transports += 1;
        this.say(`transporting from incident ${incidentId}`);
        const toHospital = await this.routeTo(hospital);
        if (toHospital) await this.drive(toHospital, signal);
        if (!(await this.press('at_hospital'))) return;
        await clock.sleep(this.ctx.handover(), signal);
      }
      if (!(await this.press('available'))) return;
      this.say(`available after incident ${incidentId}`);
      if (this.offAfterJob) {
        this.offAfterJob = false;
        if (await this.goOutOfService(signal)) this.ctx.stats.offAfterJob += 1;
      }
    } catch (err) {
      if (!isAbort(err)) {
        recordError(stats, `${this.unit.callSign}: ${(err as Error).message}`);
      }
      return;
    } finally {
      if (this.motion?.signal === signal) this.busy = false;
      // A cancelled job ends without "available" from the crew.
      queueMicrotask(() => this.offAfterCancel());
    }
    await this.goHome(signal);
  }

  /** Drives back to the station while available; a new call stops it. */
  private async goHome(signal: AbortSignal): Promise<void> {
    try {
      const home = await this.routeTo(this.unit.station);
      if (home) await this.drive(home, signal);
    } catch (err) {
      if (!isAbort(err)) {
        recordError(
          this.ctx.stats,
          `${this.unit.callSign} home: ${(err as Error).message}`,
        );
      }
    }
  }

  /** Presses a status button; false (and counted) when refused. */
  private async press(status: UnitStatus): Promise<boolean> {
    const answer = await this.report(status);
    if (answer.ok) return true;
    this.refused(status, answer);
    return false;
  }

  /** Sends a status report; the status is kept when accepted. */
  private async report(status: UnitStatus) {
    this.ctx.stats.statusReports += 1;
    const answer = await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('status', {
        status,
        at: new Date().toISOString(),
        eventId: crypto.randomUUID(),
      });
    if (answer.ok) this.status = status;
    return answer;
  }

  private refused(
    status: UnitStatus,
    answer: { error: { code: string; message: string } },
  ): void {
    const { stats } = this.ctx;
    stats.statusRefused += 1;
    recordError(
      stats,
      `${this.unit.callSign} ${status}: ${answer.error.code} ${answer.error.message}`,
    );
  }

  /**
   * Moves along the route at its average speed on the accelerated
   * clock, a fix every `gpsSeconds` simulated seconds, sent in small
   * `positions` batches stamped with the real time (the server's clock).
   */
  private async drive(route: Leg, signal: AbortSignal): Promise<void> {
    const path = routePath(route.geometry.coordinates);
    if (path.lengthMeters < 1 || !(route.etaSeconds > 0)) return;
    const seconds = route.etaSeconds;
    // TODO: the unit follows the route's line at its average speed: the
    // route answer (Route, DriveRoute) carries one etaSeconds and no
    // per-segment durations, so a side street is driven as fast as an
    // avenue. Per-segment times from the router would make the console's
    // ETA updates and GPS arrival checks more realistic.
    const speedMps = path.lengthMeters / seconds;
    const step = this.ctx.gpsSeconds;
    let batch: TabletFix[] = [];
    for (let t = step; ; t += step) {
      const last = t >= seconds;
      await this.ctx.clock.sleep(Math.min(step, seconds - (t - step)), signal);
      const point = along(path, speedMps * Math.min(t, seconds));
      this.position = point;
      batch.push({
        lat: point.lat,
        lon: point.lon,
        at: new Date().toISOString(),
        speedMps: last ? 0 : Math.round(speedMps * 10) / 10,
        headingDeg: point.headingDeg,
        accuracyMeters: 5,
      });
      if (last || batch.length >= FIXES_PER_BATCH) {
        await this.send(batch);
        batch = [];
      }
      if (last) return;
    }
  }

  private async send(fixes: TabletFix[]): Promise<void> {
    const { stats } = this.ctx;
    stats.fixesSent += fixes.length;
    this.ctx.consoles?.fixSent(this.unit.id, fixes);
    const answer = await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('positions', fixes);
    if (!answer.ok) {
      recordError(
        stats,
        `${this.unit.callSign} positions: ${answer.error.code}`,
      );
      return;
    }
    for (const result of answer.results) {
      if (result.accepted) stats.fixesAccepted += 1;
      else {
        stats.fixesRefused[result.reason] =
          (stats.fixesRefused[result.reason] ?? 0) + 1;
      }
    }
  }

  private async routeTo(destination: LatLon): Promise<Leg | undefined> {
    return this.ctx.router.route(this.position, destination);
  }

  /** The emergency hospital of least drive time from here. */
  private async nearestHospital(): Promise<LatLon | undefined> {
    if (this.ctx.hospitals.length === 0) return undefined;
    const field = await this.ctx.router.travelTimes([this.position], {
      maxSeconds: 3600,
    });
    let best: LatLon | undefined;
    let bestSeconds = Infinity;
    for (const hospital of this.ctx.hospitals) {
      const seconds = field.secondsTo(hospital);
      if (seconds !== undefined && seconds < bestSeconds) {
        best = hospital;
        bestSeconds = seconds;
      }
    }
    return best;
  }

  private say(text: string): void {
    this.ctx.log(`${this.unit.callSign} ${text}`);
  }
}
