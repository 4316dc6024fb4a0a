import { describe, expect, it } from 'vitest';

import type { IncidentView } from '../shared/types.ts';
import {
  byHour,
  formatPercent,
  histogram,
  hourInZone,
  percentile,
  reportable,
  responseTimes,
  withinTarget,
} from './stats.ts';

/** A minimal incident received at `receivedAt` with a response of `response` s. */
function incident(
  receivedAt: string,
  response: number | null,
  extra: Partial<IncidentView> = {},
): IncidentView {
  return {
    id: 1,
    location: { lat: -30, lon: -51 },
    priority: 1,
    complaint: null,
    address: null,
    callerPhone: null,
    receivedAt,
    phase: response === null ? 'received' : 'closed',
    open: response === null,
    unitIds: [],
    needsUnit: response === null,
    intervals: {
      callProcessing: null,
      turnout: null,
      travel: null,
      response,
    },
    targetSeconds: 180,
    withinTarget: response === null ? null : response <= 180,
    timeline: [],
    ...extra,
  };
}

describe('percentile', () => {
  it('interpolates linearly between order statistics, as the server does', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([10], 0.9)).toBe(10);
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBe(
      90,
    );
    expect(percentile([100, 200], 0.9)).toBeCloseTo(190);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('histogram', () => {
  it('puts each value in its 30 s bin, [from, to)', () => {
    const h = histogram([0, 29.9, 30, 95, 1199.9]);
    expect(h.bins).toHaveLength(40);
    expect(h.bins[0]).toEqual({ from: 0, to: 30, count: 2 });
    expect(h.bins[1]).toEqual({ from: 30, to: 60, count: 1 });
    expect(h.bins[3]?.count).toBe(1);
    expect(h.bins[39]).toEqual({ from: 1170, to: 1200, count: 1 });
    expect(h.overflow).toBe(0);
    expect(h.peak).toBe(2);
  });

  it('counts 20 min and over as overflow and ignores nonsense', () => {
    const h = histogram([1200, 5000, -1, Number.NaN, Infinity]);
    expect(h.overflow).toBe(2);
    expect(h.bins.every((b) => b.count === 0)).toBe(true);
    expect(h.peak).toBe(2);
  });

  it('scales to at least 1 when empty, and takes other bin sizes', () => {
    expect(histogram([]).peak).toBe(1);
    const h = histogram([59, 61], 60, 150);
    expect(h.bins.map((b) => [b.from, b.to, b.count])).toEqual([
      [0, 60, 1],
      [60, 120, 1],
      [120, 150, 0],
    ]);
  });
});

describe('hours in a time zone', () => {
  it('reads the wall clock of the zone, not of this machine', () => {
    const at = new Date('2026-03-10T02:30:00Z');
    expect(hourInZone(at, 'UTC')).toBe(2);
    expect(hourInZone(at, 'America/Sao_Paulo')).toBe(23);
    expect(hourInZone(at, 'Asia/Kolkata')).toBe(8);
    expect(
      hourInZone(new Date('2026-03-10T03:00:00Z'), 'America/Sao_Paulo'),
    ).toBe(0);
  });

  it('groups incidents into 24 rows with count, percentiles and share within target', () => {
    const rows = byHour(
      [
        incident('2026-03-10T02:10:00Z', 100),
        incident('2026-03-10T02:50:00Z', 200),
        incident('2026-03-10T02:55:00Z', null),
        incident('2026-03-10T15:00:00Z', 170),
      ],
      'America/Sao_Paulo',
      180,
    );
    expect(rows).toHaveLength(24);
    expect(rows.map((r) => r.hour)).toEqual([...Array(24).keys()]);
    expect(rows[23]).toEqual({
      hour: 23,
      count: 3,
      measured: 2,
      p50: 150,
      p90: 190,
      withinTargetRatio: 0.5,
    });
    expect(rows[12]).toMatchObject({
      count: 1,
      p50: 170,
      withinTargetRatio: 1,
    });
    expect(rows[0]).toEqual({
      hour: 0,
      count: 0,
      measured: 0,
      p50: null,
      p90: null,
      withinTargetRatio: null,
    });
  });

  it('rounds percentiles to a tenth of a second like the server', () => {
    const rows = byHour(
      [
        incident('2026-03-10T12:00:00Z', 100.04),
        incident('2026-03-10T12:01:00Z', 100.12),
      ],
      'UTC',
      180,
    );
    expect(rows[12]?.p50).toBe(100.1);
  });
});

describe('what a report counts', () => {
  it('leaves out cancelled incidents and other priorities', () => {
    const kept = incident('2026-03-10T12:00:00Z', 100);
    const cancelled = incident('2026-03-10T12:00:00Z', null, {
      phase: 'cancelled',
    });
    const p3 = incident('2026-03-10T12:00:00Z', 300, { priority: 3 });
    expect(reportable([kept, cancelled, p3], null)).toEqual([kept, p3]);
    expect(reportable([kept, cancelled, p3], 3)).toEqual([p3]);
    expect(responseTimes([kept, cancelled, p3])).toEqual([100, 300]);
  });

  it('counts a response at exactly the target as within it', () => {
    expect(withinTarget([180, 181], 180)).toBe(0.5);
    expect(withinTarget([], 180)).toBeNull();
  });

  it('formats shares as whole percentages', () => {
    expect(formatPercent(0.8333)).toBe('83%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe('–');
  });
});
