import { describe, expect, it } from 'vitest';

import { ARROW_PX, arrowPoints, headingShown } from './heading.ts';

const round = (points: [number, number][]) =>
  points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]);

describe('unit heading arrow', () => {
  it('points up the screen for north and right for east', () => {
    const [northTip] = arrowPoints(100, 100, 7, 0);
    expect(round([northTip!])).toEqual([[100, 100 - 7 - ARROW_PX]]);
    const [eastTip] = arrowPoints(100, 100, 7, 90);
    expect(round([eastTip!])).toEqual([[100 + 7 + ARROW_PX, 100]]);
    const [southWestTip] = arrowPoints(0, 0, 7, 225);
    expect(southWestTip![0]).toBeLessThan(0);
    expect(southWestTip![1]).toBeGreaterThan(0);
  });

  it('keeps the base across the heading, symmetric about it', () => {
    const [, left, right] = arrowPoints(0, 0, 7, 0);
    expect(left![1]).toBeCloseTo(right![1]);
    expect(left![0]).toBeCloseTo(-right![0]);
  });

  it('shows a heading only for a live, moving fix that has one', () => {
    expect(headingShown({ headingDeg: 90, speedMps: 12 }, false)).toBe(true);
    expect(headingShown({ headingDeg: 90, speedMps: null }, false)).toBe(true);
    expect(headingShown({ headingDeg: 90, speedMps: 0.3 }, false)).toBe(false);
    expect(headingShown({ headingDeg: 90, speedMps: 12 }, true)).toBe(false);
    expect(headingShown({ headingDeg: null, speedMps: 12 }, false)).toBe(false);
    expect(headingShown(null, false)).toBe(false);
  });
});
