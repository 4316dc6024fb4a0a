import type { TrackedFix } from './fix.ts';

/** The database calls the writer makes: one parameterised statement. */
export interface TrackDatabase {
  query(text: string, params: readonly unknown[]): Promise<unknown>;
}

/** What the writer logs. */
export interface TrackLogger {
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

/**
 * Writes accepted fixes to the `unit_track` table in batches, so ingest
 * never waits on a row-by-row insert: one multi-row INSERT every
 * `flushMs`, or sooner when `batchSize` fixes wait. When the database is
 * unreachable the fixes stay queued and go in once it is back; at
 * `maxQueued` the writer says it is {@link TrackWriter.full} and the
 * tracker refuses fixes until it drains, so nothing acknowledged is
 * dropped for lack of room.
 *
 * {@link TrackWriter.add} resolves once the fixes are stored, so the
 * tracker acknowledges a fix only when a crash can no longer lose it;
 * {@link TrackWriter.whenStored} lets a resent fix that is still queued
 * wait for the same write.
 */
/** Fixes added together, acknowledged together once all are stored. */
interface Group {
  remaining: number;
  done: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

/** A queued fix and the group waiting for it. */
interface Pending {
  fix: TrackedFix;
  group: Group;
}

/**
 * A fix the database refused for good (not an outage): it will never be
 * stored, so whoever waits for it is told.
 */
export class TrackRefusedError extends Error {
  override name = 'TrackRefusedError';
}

const pendingKey = (unitId: number, at: Date) => `${unitId}@${at.getTime()}`;

export class TrackWriter {
  readonly #db: TrackDatabase;
  readonly #log: TrackLogger;
  readonly #flushMs: number;
  readonly #batchSize: number;
  readonly #maxQueued: number;
  readonly #isTransient: (err: unknown) => boolean;
  #queue: Pending[] = [];
  /** Queued or in-flight fixes by (unit, time): what a resend waits on. */
  readonly #pending = new Map<string, Group>();
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #written = 0;
  #dropped = 0;
  #failing = false;

  constructor(options: {
    db: TrackDatabase;
    log: TrackLogger;
    flushMs?: number;
    /** Rows per INSERT; smaller keeps an in-process database's stalls short. */
    batchSize?: number;
    /** Past this many waiting fixes the writer is {@link full}. */
    maxQueued?: number;
    /**
     * Whether a failed insert may succeed later (the database is down).
     * Other failures drop the batch, logged, so one bad batch cannot
     * hold up the queue forever. Default: every failure is transient.
     */
    isTransient?: (err: unknown) => boolean;
  }) {
    this.#db = options.db;
    this.#log = options.log;
    this.#flushMs = options.flushMs ?? 200;
    this.#batchSize = options.batchSize ?? 2000;
    this.#maxQueued = options.maxQueued ?? 200_000;
    this.#isTransient = options.isTransient ?? (() => true);
  }

  /** Fixes stored, dropped (refused by the database) and waiting. */
  get stats() {
    return {
      written: this.#written,
      dropped: this.#dropped,
      queued: this.#queue.length + this.#inFlight,
    };
  }

  /**
   * Whether the backlog has reached its limit: the tracker then refuses
   * new fixes (the sender retries) instead of acknowledging fixes this
   * writer could not keep.
   */
  get full(): boolean {
    return this.#queue.length + this.#inFlight >= this.#maxQueued;
  }

  /**
   * Queues fixes for the next batch.
   * @returns resolves when all of them are stored; rejects with
   *   {@link TrackRefusedError} when the database refused them for good
   *   (it waits through an outage: bound the wait where it matters)
   */
  add(fixes: readonly TrackedFix[]): Promise<void> {
    const group = newGroup(fixes.length);
    for (const fix of fixes) {
      this.#queue.push({ fix, group });
      this.#pending.set(pendingKey(fix.unitId, fix.at), group);
    }
    if (this.#queue.length >= this.#batchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
    return group.done;
  }

  /**
   * The write a fix of `unitId` at `at` is waiting for, when it is queued
   * or in flight here; undefined when it is stored (or never came here).
   */
  whenStored(unitId: number, at: Date): Promise<void> | undefined {
    return this.#pending.get(pendingKey(unitId, at))?.done;
  }

  /** Writes everything queued now; resolves when it is stored or failed. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
      if (this.#queue.length > 0) {
        this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
      }
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      // Out of the queue while in flight, back at its front on a retry:
      // what is added meanwhile queues behind it, in order.
      const batch = this.#queue.splice(0, this.#batchSize);
      this.#inFlight = batch.length;
      try {
        await this.#insert(batch.map((p) => p.fix));
        this.#written += batch.length;
        this.#settle(batch);
        if (this.#failing) {
          this.#failing = false;
          this.#log.warn(
            { queued: this.#queue.length },
            'track writes resumed',
          );
        }
      } catch (err) {
        if (!this.#isTransient(err)) {
          this.#dropped += batch.length;
          this.#log.error(
            { err, dropped: batch.length },
            'track batch refused by the database; dropped',
          );
          this.#settle(batch, new TrackRefusedError('refused by the database'));
          continue;
        }
        this.#queue = batch.concat(this.#queue);
        // Once per outage, not once per retry.
        if (!this.#failing) {
          this.#failing = true;
          this.#log.warn(
            { err, queued: this.#queue.length },
            'track batch not written; retrying',
          );
        }
        return;
      } finally {
        this.#inFlight = 0;
      }
    }
  }

  /** Tells the groups of a batch it is stored (or refused for good). */
  #settle(batch: readonly Pending[], refused?: Error): void {
    for (const { fix, group } of batch) {
      const key = pendingKey(fix.unitId, fix.at);
      if (this.#pending.get(key) === group) this.#pending.delete(key);
      if (refused) {
        group.remaining = -1;
        group.reject(refused);
      } else if (--group.remaining === 0) group.resolve();
    }
  }

  async #insert(batch: readonly TrackedFix[]): Promise<void> {
    // One statement cannot hit the same (unit, time) twice: keep the first.
    const seen = new Set<string>();
    batch = batch.filter((fix) => {
      const key = `${fix.unitId}@${fix.at.getTime()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const column = <T>(pick: (fix: TrackedFix) => T) => batch.map(pick);
    // The measurements go into `real` columns, which refuse a value they
    // cannot hold (6e-323, 1e300): rounded to single precision here, as
    // the column would store them, so one fix with an odd value cannot
    // make the database refuse a whole batch of every unit's fixes.
    const real = (pick: (fix: TrackedFix) => number | null | undefined) =>
      batch.map((fix) => {
        const value = pick(fix);
        return value === null || value === undefined
          ? null
          : Math.fround(value);
      });
    await this.#db.query(
      `INSERT INTO unit_track (unit_id, at, received_at, location, speed_mps,
         heading_deg, accuracy_meters, altitude_meters, battery_percent,
         source)
       SELECT u, a, r, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
              s, h, acc, alt, b, src
         FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[],
                     $4::float8[], $5::float8[], $6::real[], $7::real[],
                     $8::real[], $9::real[], $10::real[], $11::text[])
           AS t(u, a, r, lon, lat, s, h, acc, alt, b, src)
       ON CONFLICT (unit_id, at) DO NOTHING`,
      [
        column((f) => f.unitId),
        column((f) => f.at.toISOString()),
        column((f) => f.receivedAt.toISOString()),
        column((f) => f.lon),
        column((f) => f.lat),
        real((f) => f.speedMps),
        real((f) => f.headingDeg),
        real((f) => f.accuracyMeters),
        real((f) => f.altitudeMeters),
        real((f) => f.batteryPercent),
        column((f) => f.source),
      ],
    );
  }
}

function newGroup(size: number): Group {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A refusal nobody waits for is logged by the writer, not unhandled.
  done.catch(() => {});
  const group = { remaining: size, done, resolve, reject };
  if (size === 0) resolve();
  return group;
}
