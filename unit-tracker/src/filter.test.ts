import { describe, expect, it } from 'vitest';

import { DEFAULT_FILTER_LIMITS, judgeFix, type FixHistory } from './filter.ts';

const limits = {
  ...DEFAULT_FILTER_LIMITS,
  serviceArea: [-51.2664, -30.1133, -51.1322, -29.9876] as const,
};
const now = new Date('2026-03-01T12:00:00Z');
const at = (s: number) => new Date(now.getTime() + s * 1000);
const empty: FixHistory = { last: undefined, recentTimes: new Set() };
const fix = (over: object = {}) => ({
  lat: -30.03,
  lon: -51.2,
  at: at(-5),
  ...over,
});

describe('fix filter', () => {
  it('accepts a plain fix inside the service area', () => {
    expect(judgeFix(fix(), empty, limits, now)).toEqual({
      accept: true,
      live: true,
    });
  });

  it.each([
    [{ lat: Number.NaN }, 'invalid_coordinates'],
    [{ lat: 91 }, 'invalid_coordinates'],
    [{ at: new Date(Number.NaN) }, 'invalid_coordinates'],
    [{ lat: 0, lon: 0 }, 'null_island'],
    [{ lat: -34.6, lon: -58.4 }, 'outside_service_area'],
    [{ at: at(61) }, 'in_future'],
    [{ accuracyMeters: 150 }, 'poor_accuracy'],
  ])('refuses %o as %s', (over, reason) => {
    expect(judgeFix(fix(over), empty, limits, now)).toMatchObject({
      accept: false,
      reason,
    });
  });

  it('tolerates a device clock a little ahead', () => {
    expect(judgeFix(fix({ at: at(30) }), empty, limits, now).accept).toBe(true);
  });

  it('refuses a second fix with the same device time', () => {
    const history = { last: fix(), recentTimes: new Set([at(-5).getTime()]) };
    expect(judgeFix(fix(), history, limits, now)).toMatchObject({
      reason: 'duplicate',
    });
  });

  it('refuses a jump faster than the limit, accepts a fast drive', () => {
    const last = { lat: -30.03, lon: -51.2, at: at(-10) };
    const history = { last, recentTimes: new Set<number>() };
    // About 1.1 km in 5 s: 222 m/s.
    expect(
      judgeFix(fix({ lat: -30.02, at: at(-5) }), history, limits, now),
    ).toMatchObject({ accept: false, reason: 'implausible_jump' });
    // About 111 m in 5 s: 80 km/h.
    expect(
      judgeFix(fix({ lat: -30.029, at: at(-5) }), history, limits, now),
    ).toEqual({ accept: true, live: true });
  });

  it('keeps an older fix for the track without moving the unit back', () => {
    const last = { lat: -30.03, lon: -51.2, at: at(-5) };
    const history = { last, recentTimes: new Set([last.at.getTime()]) };
    expect(
      judgeFix(fix({ lat: -30.0301, at: at(-20) }), history, limits, now),
    ).toEqual({ accept: true, live: false });
  });
});
