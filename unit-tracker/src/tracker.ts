import type { LatLon, Router } from '@dispatch/routing';

import {
  ArrivalDetector,
  DEFAULT_ARRIVAL_RULES,
  type DwellStore,
  type ArrivalRules,
  type ArrivalTarget,
} from './arrival.ts';
import { PositionFanout } from './fanout.ts';
import {
  DEFAULT_FILTER_LIMITS,
  judgeFix,
  type FilterLimits,
  type FixHistory,
  type RejectReason,
} from './filter.ts';
import {
  toLivePosition,
  type Fix,
  type FixSource,
  type LivePosition,
  type TrackedFix,
} from './fix.ts';
import type { LiveStore, SharedThrottle } from './live-store.ts';
import type { TrackLogger, TrackWriter } from './track-writer.ts';

/** The outcome of one fix, in the order sent. */
export type FixResult =
  { accepted: true; live: boolean } | { accepted: false; reason: RejectReason };

/** What the tracker needs to know of a unit's assignment. */
export interface UnitAssignment {
  status: 'dispatched' | 'en_route' | 'on_scene' | 'transporting';
  incidentId: number;
  incidentLocation: LatLon;
}

/** A drive time to the incident, recomputed as the unit moves. */
export interface EtaUpdate {
  unitId: number;
  incidentId: number;
  etaSeconds: number | null;
  distanceMeters: number | null;
  source: string;
  /** Device time of the fix it was computed from. */
  at: string;
}

/** Settings of the {@link Tracker}. */
export interface TrackerOptions {
  store: LiveStore;
  writer: TrackWriter;
  router: Router;
  log: TrackLogger & { info(context: object, message: string): void };
  limits: Pick<FilterLimits, 'serviceArea'> & Partial<FilterLimits>;
  /** Emergency hospitals: where transporting units arrive. */
  hospitals: readonly LatLon[];
  arrival?: Partial<ArrivalRules>;
  /** Seconds without a fix after which a unit is stale (60). */
  staleSeconds?: number;
  /** Console batch period in ms (50). */
  fanoutMs?: number;
  /** Least seconds between two ETA updates of one unit (5). */
  etaEverySeconds?: number;
  /**
   * Shared by the server processes (Redis): one ETA update per unit and
   * period whichever processes take its fixes. Without it, per process.
   */
  throttle?: SharedThrottle;
  /** Where arrival dwells are timed (Redis: shared); memory by default. */
  dwell?: DwellStore;
  /**
   * Longest wait for the track write before {@link Tracker.ingest} gives
   * up with {@link TrackNotStoredError} (5000 ms): fixes are acknowledged
   * only once stored.
   */
  storeWaitMs?: number;
  on: {
    /** A batch of new positions for the consoles. */
    positions(batch: LivePosition[]): void;
    eta(update: EtaUpdate): void;
    /** GPS says the unit reached its scene or a hospital. */
    arrival(unitId: number, phase: ArrivalTarget['arrives'], at: Date): void;
    /** Units that just went without a fix for `staleSeconds`. */
    stale(unitIds: number[]): void;
  };
}

// Fast path only: a fix older than these is caught by the track's unique
// (unit, time) key instead, and answered as accepted.
const RECENT_TIMES = 64;

/**
 * Thrown by {@link Tracker.ingest} while the track writer's backlog is at
 * its limit (the database is down or slower than ingest): nothing of the
 * call was taken, and the sender should retry later.
 */
export class TrackBacklogFullError extends Error {
  override name = 'TrackBacklogFullError';
  readonly code = 'TRACK_BACKLOG_FULL';

  constructor(queued: number) {
    super(`${queued} fixes wait to be stored; resend later`);
  }
}

/**
 * Thrown by {@link Tracker.ingest} when the fixes were judged and queued
 * but not stored within the acknowledgement wait (the database is down or
 * slow): they are not acknowledged, so the sender keeps and resends them;
 * a resent fix is stored once (and its answer waits for the same write).
 */
export class TrackNotStoredError extends Error {
  override name = 'TrackNotStoredError';
  readonly code = 'TRACK_NOT_STORED';

  constructor(waitedMs: number) {
    super(`fixes not stored within ${waitedMs} ms; resend later`);
  }
}

/** Whether an ingest failure is the track's back-pressure (retry later). */
export function isTrackBackPressure(err: unknown): boolean {
  return (
    err instanceof TrackBacklogFullError || err instanceof TrackNotStoredError
  );
}

/**
 * Several server processes may take fixes of one unit (a balancer without
 * per-unit stickiness, a process dying and its tablets reconnecting
 * elsewhere), and they agree: the last position comes from the shared
 * live state before each batch (jump check, "older fixes do not move the
 * unit back") and is written only when newer; the ETA throttle
 * (`throttle`) and the arrival dwell (`dwell`) are kept in Redis;
 * assignments follow status changes of every process (`unit:status:peer`
 * in the dispatch server); the stale sweep checks the shared state; the
 * track's unique (unit, time) key keeps rows single. Only the fast
 * duplicate check is per process: an older fix resent to another process
 * is answered accepted, not live, and stored once by that key.
 *
 * The one ingest pipeline: every fix, from a tablet socket, an HTTP batch
 * or the OsmAnd protocol, is judged by the filter, stored in the track,
 * moves the unit in the live state when it is the newest, goes to the
 * consoles in merged batches, feeds ETA updates and arrival detection.
 * Fixes of one unit are handled one batch at a time, in device-time order.
 */
export class Tracker {
  readonly #options: TrackerOptions;
  readonly #limits: FilterLimits;
  readonly #staleMs: number;
  readonly #etaEveryMs: number;
  readonly #history = new Map<number, FixHistory & { times: number[] }>();
  readonly #chains = new Map<number, Promise<unknown>>();
  readonly #assignments = new Map<number, UnitAssignment>();
  readonly #lastEta = new Map<number, number>();
  readonly #lastSeen = new Map<number, number>();
  readonly #stale = new Set<number>();
  readonly #arrivals: ArrivalDetector;
  readonly #fanout: PositionFanout;
  readonly #sweep: NodeJS.Timeout;
  #sweeping = false;

  constructor(options: TrackerOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_FILTER_LIMITS, ...options.limits };
    this.#staleMs = (options.staleSeconds ?? 60) * 1000;
    this.#etaEveryMs = (options.etaEverySeconds ?? 5) * 1000;
    this.#arrivals = new ArrivalDetector(
      { ...DEFAULT_ARRIVAL_RULES, ...options.arrival },
      options.dwell,
    );
    this.#fanout = new PositionFanout(
      options.fanoutMs ?? 50,
      options.on.positions,
    );
    this.#sweep = setInterval(() => void this.#markStale(), 5000);
    this.#sweep.unref();
  }

  /** Track fixes written, dropped (queue full) and waiting. */
  get trackStats() {
    return this.#options.writer.stats;
  }

  /** The live state store (Redis or memory). */
  get store(): LiveStore {
    return this.#options.store;
  }

  /**
   * Ingests fixes of one unit; resolves once they are judged, the live
   * state is updated and every accepted fix is stored in the track (the
   * write is batched with other units' fixes): an answer is an
   * acknowledgement a crash cannot undo. The consoles see a position as
   * soon as it is judged, without waiting for the write.
   * @returns one result per fix, in the order given
   * @throws TrackBacklogFullError while the track cannot keep up
   * @throws TrackNotStoredError when the write took longer than
   *   `storeWaitMs`
   */
  async ingest(
    unitId: number,
    fixes: readonly Fix[],
    source: FixSource,
  ): Promise<FixResult[]> {
    const previous = this.#chains.get(unitId) ?? Promise.resolve();
    const next = previous.then(
      () => this.#ingest(unitId, fixes, source),
      () => this.#ingest(unitId, fixes, source),
    );
    this.#chains.set(unitId, next);
    // Handles both outcomes: a rejection here (a full backlog) belongs to
    // the caller, and must not also surface as an unhandled one.
    const forget = () => {
      if (this.#chains.get(unitId) === next) this.#chains.delete(unitId);
    };
    next.then(forget, forget);
    // The unit's next batch is judged while this one's write is awaited:
    // the chain orders judging, not storage.
    const { results, stored } = await next;
    await this.#awaitStored(stored);
    return results;
  }

  async #awaitStored(stored: readonly Promise<void>[]): Promise<void> {
    if (stored.length === 0) return;
    const waitMs = this.#options.storeWaitMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TrackNotStoredError(waitMs)), waitMs);
    });
    try {
      await Promise.race([Promise.all(stored), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tells the tracker what a unit is doing (from status changes). */
  setAssignment(unitId: number, assignment: UnitAssignment | undefined): void {
    const before = this.#assignments.get(unitId);
    if (assignment) this.#assignments.set(unitId, assignment);
    else this.#assignments.delete(unitId);
    if (before?.status !== assignment?.status) {
      this.#arrivals
        .reset(unitId)
        .catch((err: unknown) =>
          this.#options.log.warn({ unitId, err }, 'arrival dwell not reset'),
        );
      this.#lastEta.delete(unitId);
    }
  }

  /** Whether a position is older than the stale limit at `now`. */
  isStale(position: Pick<LivePosition, 'at'>, now = Date.now()): boolean {
    return now - Date.parse(position.at) > this.#staleMs;
  }

  /** Writes what is queued and stops the timers. */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#fanout.close();
    await Promise.allSettled([...this.#chains.values()]);
    await this.#options.writer.flush();
  }

  async #ingest(
    unitId: number,
    fixes: readonly Fix[],
    source: FixSource,
  ): Promise<{ results: FixResult[]; stored: Promise<void>[] }> {
    if (this.#options.writer.full) {
      throw new TrackBacklogFullError(this.#options.writer.stats.queued);
    }
    const history = await this.#historyOf(unitId);
    const now = new Date();
    // A replayed queue may arrive out of order: judge oldest first.
    const order = fixes
      .map((fix, index) => ({ fix, index }))
      .sort((a, b) => a.fix.at.getTime() - b.fix.at.getTime());
    const results: FixResult[] = new Array(fixes.length);
    const tracked: TrackedFix[] = [];
    let newest: TrackedFix | undefined;
    const live: TrackedFix[] = [];
    // Writes this answer waits for: its own, and those of resent fixes
    // still queued from an earlier, unacknowledged call.
    const stored: Promise<void>[] = [];
    for (const { fix, index } of order) {
      const verdict = judgeFix(fix, history, this.#limits, now);
      if (!verdict.accept) {
        if (verdict.reason === 'duplicate') {
          const earlier = this.#options.writer.whenStored(unitId, fix.at);
          if (earlier) stored.push(earlier);
        }
        this.#options.log.info(
          { unitId, source, reason: verdict.reason, detail: verdict.detail },
          'fix rejected',
        );
        results[index] = { accepted: false, reason: verdict.reason };
        continue;
      }
      const entry: TrackedFix = { ...fix, unitId, source, receivedAt: now };
      tracked.push(entry);
      remember(history, fix.at.getTime());
      if (verdict.live) {
        history.last = { lat: fix.lat, lon: fix.lon, at: fix.at };
        newest = entry;
        live.push(entry);
      }
      results[index] = { accepted: true, live: verdict.live };
    }
    if (tracked.length > 0) stored.push(this.#options.writer.add(tracked));
    // Every live fix counts for arrival, in device-time order: a replayed
    // queue may hold a whole dwell at the scene.
    for (const entry of live) await this.#detectArrival(unitId, entry);
    if (newest) {
      const position = toLivePosition(newest);
      // False when another process stored a later fix meanwhile: that one
      // is the unit's position, and went to the consoles from there.
      if (await this.#options.store.set(position)) {
        this.#lastSeen.set(unitId, newest.at.getTime());
        this.#stale.delete(unitId);
        this.#fanout.push(position);
        this.#follow(unitId, newest);
      }
    }
    return { results, stored };
  }

  async #historyOf(unitId: number) {
    let history = this.#history.get(unitId);
    const shared = this.#options.store.kind === 'redis';
    if (history && !shared) return history;
    // First fix since start, or a store other processes write too:
    // continue from the shared live state when it is newer than ours.
    const stored = await this.#options.store.get(unitId);
    if (!history) {
      history = { last: undefined, recentTimes: new Set(), times: [] };
      this.#history.set(unitId, history);
    }
    if (
      stored &&
      !(Date.parse(stored.at) <= (history.last?.at.getTime() ?? -Infinity))
    ) {
      history.last = {
        lat: stored.lat,
        lon: stored.lon,
        at: new Date(stored.at),
      };
      remember(history, Date.parse(stored.at));
    }
    return history;
  }

  async #detectArrival(unitId: number, fix: TrackedFix) {
    const assignment = this.#assignments.get(unitId);
    const target: ArrivalTarget | undefined =
      assignment?.status === 'en_route'
        ? { arrives: 'on_scene', places: [assignment.incidentLocation] }
        : assignment?.status === 'transporting'
          ? { arrives: 'at_hospital', places: this.#options.hospitals }
          : undefined;
    // Nothing to arrive at: no dwell can be running, since every status
    // change resets it (setAssignment), so the store is not asked.
    if (!target) return;
    const arrived = await this.#arrivals.observe(unitId, fix, target);
    if (arrived) this.#options.on.arrival(unitId, arrived.phase, arrived.at);
  }

  /** ETA updates for a unit on its way, from its newest fix. */
  #follow(unitId: number, fix: TrackedFix) {
    const assignment = this.#assignments.get(unitId);
    if (
      assignment &&
      (assignment.status === 'dispatched' || assignment.status === 'en_route')
    ) {
      const last = this.#lastEta.get(unitId);
      const t = fix.receivedAt.getTime();
      if (last === undefined || t - last >= this.#etaEveryMs) {
        this.#lastEta.set(unitId, t);
        void this.#claimEta(unitId).then((mine) => {
          if (mine) return this.#eta(unitId, assignment, fix);
        });
      }
    }
  }

  /**
   * Whether this process computes the unit's next ETA: the shared
   * throttle, when there is one, gives it to one process per period.
   */
  async #claimEta(unitId: number): Promise<boolean> {
    const throttle = this.#options.throttle;
    if (!throttle) return true;
    // A throttle that cannot answer (Redis down) leaves it to this one.
    return throttle.take(`eta:${unitId}`, this.#etaEveryMs).catch(() => true);
  }

  async #eta(unitId: number, assignment: UnitAssignment, fix: TrackedFix) {
    try {
      const result = await this.#options.router.oneToMany(
        [fix],
        assignment.incidentLocation,
      );
      const leg = result.legs[0];
      this.#options.on.eta({
        unitId,
        incidentId: assignment.incidentId,
        etaSeconds: leg?.reachable ? leg.etaSeconds : null,
        distanceMeters: leg?.reachable ? leg.distanceMeters : null,
        source: result.source,
        at: fix.at.toISOString(),
      });
    } catch (err) {
      this.#options.log.warn({ unitId, err }, 'eta update failed');
    }
  }

  async #markStale() {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      await this.#sweepStale();
    } finally {
      this.#sweeping = false;
    }
  }

  async #sweepStale() {
    const now = Date.now();
    const fresh: number[] = [];
    for (const [unitId, at] of this.#lastSeen) {
      if (now - at <= this.#staleMs || this.#stale.has(unitId)) continue;
      // Another process may be taking this unit's fixes now: the shared
      // live state has the last word.
      const shared = await this.#options.store
        .get(unitId)
        .catch(() => undefined);
      const sharedAt = shared ? Date.parse(shared.at) : at;
      if (now - sharedAt <= this.#staleMs) {
        this.#lastSeen.set(unitId, sharedAt);
        continue;
      }
      this.#stale.add(unitId);
      fresh.push(unitId);
    }
    if (fresh.length > 0) this.#options.on.stale(fresh);
  }
}

function remember(history: FixHistory & { times: number[] }, time: number) {
  (history.recentTimes as Set<number>).add(time);
  history.times.push(time);
  if (history.times.length > RECENT_TIMES) {
    (history.recentTimes as Set<number>).delete(history.times.shift()!);
  }
}
