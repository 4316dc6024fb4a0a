import { describe, expect, it } from 'vitest';

import { ArrivalDetector, DEFAULT_ARRIVAL_RULES } from './arrival.ts';

const scene = { lat: -30.03, lon: -51.2 };
const target = { arrives: 'on_scene' as const, places: [scene] };
const t0 = Date.parse('2026-03-01T12:00:00Z');
const fix = (seconds: number, over: object = {}) => ({
  lat: scene.lat + 0.0002,
  lon: scene.lon,
  at: new Date(t0 + seconds * 1000),
  speedMps: 0.5,
  ...over,
});

describe('arrival from GPS', () => {
  it('arrives after dwelling slow near the scene for the configured time', async () => {
    const detector = new ArrivalDetector(DEFAULT_ARRIVAL_RULES);
    expect(await detector.observe(1, fix(0), target)).toBeUndefined();
    expect(await detector.observe(1, fix(10), target)).toBeUndefined();
    // Arrived when it stopped, not when the dwell completed.
    expect(await detector.observe(1, fix(15), target)).toEqual({
      phase: 'on_scene',
      at: fix(0).at,
    });
  });

  it('does not arrive when driving past at speed or stopping far away', async () => {
    const detector = new ArrivalDetector(DEFAULT_ARRIVAL_RULES);
    for (let s = 0; s <= 60; s += 5) {
      expect(
        await detector.observe(1, fix(s, { speedMps: 12 }), target),
      ).toBeUndefined();
      expect(
        await detector.observe(2, fix(s, { lat: scene.lat + 0.002 }), target),
      ).toBeUndefined();
    }
  });

  it('starts the dwell again after the unit moves off', async () => {
    const detector = new ArrivalDetector(DEFAULT_ARRIVAL_RULES);
    await detector.observe(1, fix(0), target);
    await detector.observe(1, fix(10, { speedMps: 8 }), target);
    expect(await detector.observe(1, fix(16), target)).toBeUndefined();
    expect(await detector.observe(1, fix(31), target)).toEqual({
      phase: 'on_scene',
      at: fix(16).at,
    });
  });

  it('detects a hospital among several within its wider radius', async () => {
    const detector = new ArrivalDetector(DEFAULT_ARRIVAL_RULES);
    const hospitals = {
      arrives: 'at_hospital' as const,
      places: [
        { lat: -30.1, lon: -51.25 },
        { lat: -30.0308, lon: -51.2 },
      ],
    };
    await detector.observe(1, fix(0), hospitals);
    expect((await detector.observe(1, fix(20), hospitals))?.phase).toBe(
      'at_hospital',
    );
  });
});
