import { describe, expect, it } from 'vitest';

import { elapsedSeconds, incidentClock, timerLevel } from './timers.ts';

describe('timerLevel', () => {
  it('stays ok below two thirds of the target', () => {
    expect(timerLevel(0, 180)).toBe('ok');
    expect(timerLevel(119.9, 180)).toBe('ok');
  });

  it('turns amber at two thirds of the target and holds to the target', () => {
    expect(timerLevel(120, 180)).toBe('warning');
    expect(timerLevel(180, 180)).toBe('warning');
  });

  it('turns red once past the target', () => {
    expect(timerLevel(180.5, 180)).toBe('late');
    expect(timerLevel(600, 180)).toBe('late');
  });

  it('follows a different target', () => {
    expect(timerLevel(59, 90)).toBe('ok');
    expect(timerLevel(60, 90)).toBe('warning');
    expect(timerLevel(91, 90)).toBe('late');
  });
});

describe('incident clock', () => {
  const receivedAt = '2026-01-01T12:00:00.000Z';
  const t0 = Date.parse(receivedAt);

  it('counts by the server clock, not the device clock', () => {
    // The device runs 5 s behind the server.
    expect(elapsedSeconds(receivedAt, t0 + 10_000, 5_000)).toBe(15);
  });

  it('never shows negative time for a call stamped ahead of the device', () => {
    expect(elapsedSeconds(receivedAt, t0 - 3_000, 0)).toBe(0);
  });

  it('runs until on scene, then shows the response time, stopped', () => {
    const open = {
      receivedAt,
      targetSeconds: 180,
      intervals: {
        callProcessing: 20,
        turnout: null,
        travel: null,
        response: null,
      },
    };
    expect(incidentClock(open, t0 + 130_000, 0)).toEqual({
      seconds: 130,
      level: 'warning',
      stopped: false,
    });
    const onScene = {
      ...open,
      intervals: { ...open.intervals, response: 200 },
    };
    expect(incidentClock(onScene, t0 + 900_000, 0)).toEqual({
      seconds: 200,
      level: 'late',
      stopped: true,
    });
  });
});
