import type { Router } from '@dispatch/routing';
import { describe, expect, it } from 'vitest';

import type { LivePosition } from './fix.ts';
import { MemoryLiveStore } from './live-store.ts';
import {
  TrackBacklogFullError,
  TrackNotStoredError,
  Tracker,
} from './tracker.ts';
import { TrackWriter } from './track-writer.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

function trackerWith(
  db: { query(text: string, params: readonly unknown[]): Promise<unknown> },
  maxQueued: number,
) {
  const batches: LivePosition[][] = [];
  const tracker = new Tracker({
    store: new MemoryLiveStore(),
    writer: new TrackWriter({ db, log: silent, maxQueued, flushMs: 5 }),
    // Only asked for ETAs of assigned units; these tests assign none.
    router: {} as Router,
    log: silent,
    limits: { serviceArea: [-51.3, -30.2, -51.1, -29.9] },
    hospitals: [],
    fanoutMs: 5,
    storeWaitMs: 200,
    on: {
      positions: (batch) => batches.push(batch),
      eta: () => {},
      arrival: () => {},
      stale: () => {},
    },
  });
  return { tracker, batches };
}

const base = Date.now() - 60_000;
const fix = (second: number) => ({
  lat: -30.03 + second * 1e-5,
  lon: -51.2,
  at: new Date(base + second * 1000),
});

describe('tracker', () => {
  it('judges a replayed queue in device-time order and moves the unit to the newest', async () => {
    const { tracker, batches } = trackerWith(
      { query: async () => undefined },
      1000,
    );
    const results = await tracker.ingest(
      1,
      [fix(3), fix(1), fix(2), fix(2)],
      'tablet',
    );
    expect(results).toEqual([
      { accepted: true, live: true },
      { accepted: true, live: true },
      { accepted: true, live: true },
      { accepted: false, reason: 'duplicate' },
    ]);
    expect((await tracker.store.get(1))?.at).toBe(fix(3).at.toISOString());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches.flat().map((p) => p.at)).toEqual([fix(3).at.toISOString()]);
    await tracker.close();
  });

  it('answers only once the fixes are stored, while consoles see them at once', async () => {
    let release!: () => void;
    const written = new Promise<void>((resolve) => (release = resolve));
    const db = { query: () => written };
    const { tracker, batches } = trackerWith(db, 100);
    let answered = false;
    const answer = tracker.ingest(1, [fix(1)], 'tablet').then((results) => {
      answered = true;
      return results;
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(batches.flat().map((p) => p.unitId)).toEqual([1]);
    expect(answered).toBe(false);
    release();
    expect(await answer).toEqual([{ accepted: true, live: true }]);
    await tracker.close();
  });

  it('does not acknowledge fixes the database could not take in time; a resend is answered once the queued write is in', async () => {
    let down = true;
    let rows = 0;
    const db = {
      query: async (_text: string, params: readonly unknown[]) => {
        if (down) throw new Error('connect ECONNREFUSED');
        rows += (params[0] as unknown[]).length;
      },
    };
    const { tracker } = trackerWith(db, 100);
    await expect(
      tracker.ingest(1, [fix(1), fix(2), fix(3)], 'tablet'),
    ).rejects.toThrow(TrackNotStoredError);
    // Still queued, not stored: the resend waits for that same write.
    const resent = tracker.ingest(1, [fix(1), fix(2), fix(3)], 'tablet');
    setTimeout(() => (down = false), 50);
    expect((await resent).map((r) => r.accepted)).toEqual([
      false,
      false,
      false,
    ]);
    expect(rows).toBe(3);
    await tracker.close();
    expect(tracker.trackStats).toEqual({ written: 3, dropped: 0, queued: 0 });
  });

  it('refuses fixes while the track backlog is full, and takes them again once it drains', async () => {
    let down = true;
    const db = {
      query: async () => {
        if (down) throw new Error('connect ECONNREFUSED');
      },
    };
    const { tracker } = trackerWith(db, 3);
    await expect(
      tracker.ingest(1, [fix(1), fix(2), fix(3)], 'tablet'),
    ).rejects.toThrow(TrackNotStoredError);
    await expect(tracker.ingest(1, [fix(4)], 'tablet')).rejects.toThrow(
      TrackBacklogFullError,
    );
    // Nothing of the refused call was taken: the same fix is new later.
    down = false;
    for (let i = 0; i < 100 && tracker.trackStats.queued > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await tracker.ingest(1, [fix(4)], 'tablet')).toEqual([
      { accepted: true, live: true },
    ]);
    await tracker.close();
    expect(tracker.trackStats).toEqual({ written: 4, dropped: 0, queued: 0 });
  });
});
