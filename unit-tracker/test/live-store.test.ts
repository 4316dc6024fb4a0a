import crypto from 'node:crypto';

import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ArrivalDetector, DEFAULT_ARRIVAL_RULES } from '../src/arrival.ts';
import type { LivePosition } from '../src/fix.ts';
import {
  FallbackLiveStore,
  MemoryLiveStore,
  RedisDwellStore,
  RedisLiveStore,
  RedisThrottle,
  type LiveStore,
} from '../src/live-store.ts';

const url = process.env.REDIS_URL;
let redis: RedisClientType | undefined;
// Keys of this run only: other test servers may share the Redis database.
const prefix = `test:${crypto.randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  if (!url) return;
  redis = createClient({ url }) as RedisClientType;
  await redis.connect();
});
afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(keys);
  await redis.quit();
});

const position = (unitId: number, lat: number): LivePosition => ({
  unitId,
  lat,
  lon: -51.2,
  at: '2026-01-01T12:00:00.000Z',
  receivedAt: '2026-01-01T12:00:00.100Z',
  speedMps: 8.5,
  headingDeg: 90,
  accuracyMeters: 5,
  source: 'osmand',
});

const stores: [string, () => LiveStore][] = [
  ['memory', () => new MemoryLiveStore()],
];
if (url) {
  stores.push(['redis', () => new RedisLiveStore(redis!, prefix)]);
}

describe.each(stores)('live state in %s', (_kind, make) => {
  it('keeps the latest position of each unit', async () => {
    const store = make();
    await store.set(position(1, -30.01));
    await store.set(position(2, -30.02));
    await store.set(position(1, -30.03));
    expect(await store.get(1)).toEqual(position(1, -30.03));
    expect(await store.get(3)).toBeUndefined();
    const all = await store.all();
    expect([...all.keys()].sort()).toEqual([1, 2]);
    expect(all.get(2)).toEqual(position(2, -30.02));
  });

  it('never moves a unit back to an older fix (another process may have stored a newer one)', async () => {
    const store = make();
    const newer = { ...position(4, -30.04), at: '2026-01-01T12:00:05.000Z' };
    const older = { ...position(4, -30.09), at: '2026-01-01T12:00:01.000Z' };
    expect(await store.set(newer)).toBe(true);
    expect(await store.set(older)).toBe(false);
    expect(await store.get(4)).toEqual(newer);
    const later = { ...newer, lat: -30.05, at: '2026-01-01T12:00:06.000Z' };
    expect(await store.set(later)).toBe(true);
    expect((await store.all()).get(4)).toEqual(later);
  });
});

describe.skipIf(!url)('live state in Redis', () => {
  it('times one arrival dwell for a unit whose fixes reach two processes', async () => {
    const rules = { ...DEFAULT_ARRIVAL_RULES, dwellSeconds: 15 };
    const shared = () => new RedisDwellStore(redis!, { prefix });
    const processes = [
      new ArrivalDetector(rules, shared()),
      new ArrivalDetector(rules, shared()),
    ];
    const scene = { lat: -30.03, lon: -51.2 };
    const target = { arrives: 'on_scene' as const, places: [scene] };
    const t0 = Date.parse('2026-03-01T12:00:00Z');
    const fix = (seconds: number) => ({
      lat: scene.lat,
      lon: scene.lon,
      at: new Date(t0 + seconds * 1000),
      speedMps: 0,
    });
    const answers = [];
    // Fixes every 5 s, alternating processes: each sees only 10 s apart.
    for (const [i, seconds] of [
      [0, 0],
      [1, 5],
      [0, 10],
      [1, 15],
    ] as const) {
      answers.push(await processes[i]!.observe(21, fix(seconds), target));
    }
    expect(answers).toEqual([
      undefined,
      undefined,
      undefined,
      { phase: 'on_scene', at: fix(0).at },
    ]);
    // Arrived: the dwell is over for both.
    expect(await processes[0]!.observe(21, fix(20), target)).toBeUndefined();
  });

  it('gives a throttled key to one caller per period', async () => {
    const throttle = new RedisThrottle(redis!, prefix);
    const takes = await Promise.all(
      [1, 2, 3, 4].map(() => throttle.take('eta:1', 300)),
    );
    expect(takes.filter(Boolean)).toHaveLength(1);
    expect(await throttle.take('eta:2', 300)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await throttle.take('eta:1', 300)).toBe(true);
  });

  it('keeps positions in memory while Redis does not answer, and the newer of both after', async () => {
    let ready = true;
    const failures: unknown[] = [];
    const store = new FallbackLiveStore(
      new RedisLiveStore(redis!, `${prefix}fallback:`),
      () => ready,
      (err) => failures.push(err),
    );
    const first = { ...position(9, -30.01), at: '2026-01-01T12:00:00.000Z' };
    await store.set(first);
    ready = false;
    const during = { ...position(9, -30.02), at: '2026-01-01T12:00:09.000Z' };
    expect(await store.set(during)).toBe(true);
    expect(await store.get(9)).toEqual(during);
    ready = true;
    // Redis still holds the older one; reads take the newer.
    expect(await store.get(9)).toEqual(during);
    expect((await store.all()).get(9)).toEqual(during);
    expect(failures).toEqual([]);
  });

  it('answers who is near a point from its GEO set', async () => {
    const store = new RedisLiveStore(redis!, `${prefix}geo:`);
    await store.set({ ...position(7, -30.03), lon: -51.2 });
    await store.set({ ...position(8, -30.05), lon: -51.2 });
    expect(await store.near({ lat: -30.031, lon: -51.2 }, 500)).toEqual([7]);
    expect(await store.near({ lat: -30.035, lon: -51.2 }, 5000)).toEqual([
      7, 8,
    ]);
  });
});
