import { describe, expect, it } from 'vitest';

import type { TrackedFix } from './fix.ts';
import { TrackWriter, type TrackDatabase } from './track-writer.ts';

/**
 * A stand-in for the database's one INSERT statement: records the unit
 * ids and times of each batch, and can be made to fail. The real table is
 * exercised by the dispatch server's tracking tests.
 */
class ScriptedDatabase implements TrackDatabase {
  batches: number[][] = [];
  failWith: Error | undefined;
  #release: (() => void) | undefined;
  hold = false;

  async query(_text: string, params: readonly unknown[]) {
    if (this.hold) {
      await new Promise<void>((resolve) => (this.#release = resolve));
    }
    if (this.failWith) throw this.failWith;
    const times = params[1] as string[];
    this.batches.push(times.map((t) => Date.parse(t) / 1000));
  }

  release() {
    this.hold = false;
    this.#release?.();
  }
}

const silent = { warn: () => {}, error: () => {} };
const fix = (second: number): TrackedFix => ({
  unitId: 1,
  lat: -30,
  lon: -51.2,
  at: new Date(second * 1000),
  receivedAt: new Date(),
  source: 'tablet',
});
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i);

describe('track writer', () => {
  it('writes in batches and keeps order while a batch is in flight', async () => {
    const db = new ScriptedDatabase();
    const writer = new TrackWriter({ db, log: silent, batchSize: 5 });
    db.hold = true;
    writer.add(range(0, 5).map(fix));
    writer.add(range(5, 13).map(fix));
    expect(writer.stats.queued).toBe(13);
    db.release();
    await writer.flush();
    expect(db.batches.flat()).toEqual(range(0, 13));
    expect(db.batches[0]).toEqual(range(0, 5));
    expect(writer.stats).toEqual({ written: 13, dropped: 0, queued: 0 });
  });

  it('keeps fixes through an outage and says when it is full', async () => {
    const db = new ScriptedDatabase();
    const writer = new TrackWriter({
      db,
      log: silent,
      batchSize: 4,
      maxQueued: 10,
      flushMs: 5,
    });
    db.failWith = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    writer.add(range(0, 6).map(fix));
    await writer.flush();
    expect(writer.full).toBe(false);
    writer.add(range(6, 10).map(fix));
    expect(writer.full).toBe(true);
    db.failWith = undefined;
    // The writer retries by itself every flushMs.
    for (let i = 0; i < 100 && writer.stats.written < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(db.batches.flat()).toEqual(range(0, 10));
    expect(writer.full).toBe(false);
  });

  it('drops, and counts, a batch the database refuses for good', async () => {
    const db = new ScriptedDatabase();
    const writer = new TrackWriter({
      db,
      log: silent,
      batchSize: 3,
      isTransient: () => false,
    });
    db.failWith = new Error('value out of range');
    writer.add(range(0, 3).map(fix));
    await writer.flush();
    expect(writer.stats).toEqual({ written: 0, dropped: 3, queued: 0 });
  });
});
