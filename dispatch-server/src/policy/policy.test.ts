import { describe, expect, it } from 'vitest';

import {
  checkTransition,
  currentPhase,
  DEFAULT_RESPONSE_PLAN,
  incidentIntervals,
  percentile,
  rankCandidates,
  unitOrigin,
  type Candidate,
} from './index.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));

describe('phase rules', () => {
  it('keeps the furthest phase any unit reached, and ends at closed or cancelled', () => {
    expect(currentPhase([])).toBe('received');
    expect(
      currentPhase([
        { phase: 'received' },
        { phase: 'dispatched' },
        { phase: 'on_scene' },
        { phase: 'en_route' },
      ]),
    ).toBe('on_scene');
    expect(currentPhase([{ phase: 'received' }, { phase: 'cancelled' }])).toBe(
      'cancelled',
    );
  });

  it('lets a crew move forward, never back, and never dispatch itself', () => {
    expect(checkTransition('dispatched', 'en_route', 'crew')).toBeUndefined();
    expect(checkTransition('dispatched', 'on_scene', 'crew')).toBeUndefined();
    expect(checkTransition('on_scene', 'en_route', 'crew')).toBe(
      'transition_invalid',
    );
    expect(checkTransition('available', 'dispatched', 'dispatcher')).toBe(
      'use_assignment',
    );
    expect(checkTransition('available', 'on_scene', 'crew')).toBe(
      'not_assigned',
    );
    expect(checkTransition('available', 'available', 'crew')).toBe(
      'transition_invalid',
    );
  });

  it('frees a unit after the scene, or earlier only by a dispatcher', () => {
    expect(checkTransition('on_scene', 'available', 'crew')).toBeUndefined();
    expect(checkTransition('at_hospital', 'available', 'crew')).toBeUndefined();
    expect(checkTransition('en_route', 'available', 'crew')).toBe(
      'transition_invalid',
    );
    expect(
      checkTransition('en_route', 'available', 'dispatcher'),
    ).toBeUndefined();
    expect(checkTransition('en_route', 'out_of_service', 'dispatcher')).toBe(
      'transition_invalid',
    );
    expect(
      checkTransition('available', 'out_of_service', 'crew'),
    ).toBeUndefined();
  });
});

describe('intervals', () => {
  it('measures each interval from the first unit to reach each phase', () => {
    const intervals = incidentIntervals([
      { phase: 'received', at: at(0) },
      { phase: 'dispatched', at: at(40) },
      { phase: 'dispatched', at: at(50) },
      { phase: 'en_route', at: at(95) },
      { phase: 'en_route', at: at(70) },
      { phase: 'on_scene', at: at(190) },
    ]);
    expect(intervals).toEqual({
      callProcessing: 40,
      turnout: 30,
      travel: 120,
      response: 190,
    });
  });

  it('leaves an interval null until both ends are known, never negative', () => {
    const intervals = incidentIntervals([
      { phase: 'received', at: at(0) },
      { phase: 'dispatched', at: at(30) },
      { phase: 'en_route', at: at(20) },
    ]);
    expect(intervals.turnout).toBeNull();
    expect(intervals.travel).toBeNull();
    expect(intervals.response).toBeNull();
  });

  it('interpolates percentiles as percentile_cont does', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([10], 0.9)).toBe(10);
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBe(
      90,
    );
  });
});

describe('ranking', () => {
  const origin = { kind: 'station' as const, location: { lat: 0, lon: 0 } };
  const unit = (
    unitId: number,
    capability: 'ALS' | 'BLS',
    etaSeconds: number | null,
  ): Candidate => ({
    unitId,
    callSign: `U${unitId}`,
    capability,
    origin,
    leg:
      etaSeconds === null
        ? { reachable: false, reason: 'no_route' }
        : { reachable: true, etaSeconds, distanceMeters: etaSeconds * 10 },
  });
  const routing = { source: 'embedded' as const };

  it('ranks by drive time, not by unit order', () => {
    const ranked = rankCandidates(
      [unit(1, 'ALS', 300), unit(2, 'ALS', 90), unit(3, 'ALS', 200)],
      2,
      DEFAULT_RESPONSE_PLAN,
      routing,
    );
    expect(ranked.map((r) => [r.rank, r.unitId])).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
    ]);
    expect(ranked[0]?.reasons[0]).toMatch(/fastest/);
  });

  it('prefers ALS for priority 1 unless a BLS is more than 120 s sooner', () => {
    const close = rankCandidates(
      [unit(1, 'BLS', 100), unit(2, 'ALS', 200)],
      1,
      DEFAULT_RESPONSE_PLAN,
      routing,
    );
    expect(close.map((r) => r.unitId)).toEqual([2, 1]);
    expect(close[1]?.reasons.join(' ')).toMatch(/120 s/);
    const far = rankCandidates(
      [unit(1, 'BLS', 60), unit(2, 'ALS', 400)],
      1,
      DEFAULT_RESPONSE_PLAN,
      routing,
    );
    expect(far.map((r) => r.unitId)).toEqual([1, 2]);
  });

  it('puts unreachable units last with no drive time, and leaves out what the plan does not send', () => {
    const ranked = rankCandidates(
      [unit(1, 'ALS', null), unit(2, 'BLS', 500), unit(3, 'ALS', 100)],
      1,
      { ...DEFAULT_RESPONSE_PLAN, 1: { ALS: 0 } },
      routing,
    );
    expect(ranked.map((r) => r.unitId)).toEqual([3, 1]);
    expect(ranked[1]).toMatchObject({
      reachable: false,
      etaSeconds: null,
      distanceMeters: null,
    });
  });

  it('starts from a fresh GPS fix, else from the station', () => {
    const station = { lat: 1, lon: 1 };
    const fix = { location: { lat: 2, lon: 2 }, at: at(0) };
    expect(unitOrigin(station, fix, at(30), 60).kind).toBe('gps');
    const stale = unitOrigin(station, fix, at(61), 60);
    expect(stale).toEqual({ kind: 'station', location: station, fixAt: at(0) });
    expect(unitOrigin(station, undefined, at(0), 60).kind).toBe('station');
  });
});
