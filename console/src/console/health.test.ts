import { describe, expect, it } from 'vitest';

import { failingParts, type Health } from './health.ts';

const ok: Health = {
  status: 'ok',
  storage: { kind: 'postgres', ok: true },
  live: { kind: 'redis', ok: true },
  tracker: { written: 0, dropped: 0, queued: 0, osmandPort: null },
  routing: {
    source: 'osrm+embedded',
    osrm: true,
    ok: true,
    failures: 0,
    coolingDown: false,
  },
};

describe('the degraded-state badge', () => {
  it('names nothing while every dependency answers', () => {
    expect(failingParts(ok)).toEqual([]);
  });

  it('names the database first, then the live link, then routing', () => {
    expect(
      failingParts({
        ...ok,
        status: 'degraded',
        routing: { ...ok.routing, ok: false, failures: 3 },
        live: { kind: 'redis', ok: false },
        storage: { kind: 'postgres', ok: false },
      }),
    ).toEqual(['storage', 'live', 'routing']);
  });
});
