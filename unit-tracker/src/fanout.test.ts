import { describe, expect, it } from 'vitest';

import { PositionFanout } from './fanout.ts';
import type { LivePosition } from './fix.ts';

const position = (unitId: number, second: number): LivePosition => ({
  unitId,
  lat: -30 - second / 1e4,
  lon: -51.2,
  at: new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString(),
  receivedAt: new Date().toISOString(),
  speedMps: null,
  headingDeg: null,
  accuracyMeters: null,
  source: 'tablet',
});

describe('console fan-out', () => {
  it('merges a burst into one batch with the newest fix of each unit', async () => {
    const batches: LivePosition[][] = [];
    const fanout = new PositionFanout(20, (batch) => batches.push(batch));
    for (let s = 0; s < 10; s++) {
      fanout.push(position(1, s));
      fanout.push(position(2, s));
    }
    // An older fix arriving late does not replace the newer one.
    fanout.push(position(1, 3));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((p) => [p.unitId, p.at])).toEqual([
      [1, position(1, 9).at],
      [2, position(2, 9).at],
    ]);
    fanout.close();
  });

  it('sends nothing when nothing moved', async () => {
    const batches: LivePosition[][] = [];
    const fanout = new PositionFanout(10, (batch) => batches.push(batch));
    fanout.flush();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(batches).toEqual([]);
  });
});
