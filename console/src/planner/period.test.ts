import { describe, expect, it } from 'vitest';

import {
  addDays,
  dayInZone,
  isDay,
  lastDays,
  periodInstants,
  startOfDay,
} from './period.ts';

describe('days in the city time zone', () => {
  it('reads the calendar day of the zone', () => {
    const at = new Date('2026-03-10T02:30:00Z');
    expect(dayInZone(at, 'UTC')).toBe('2026-03-10');
    expect(dayInZone(at, 'America/Sao_Paulo')).toBe('2026-03-09');
    expect(dayInZone(at, 'Pacific/Kiritimati')).toBe('2026-03-10');
  });

  it('moves by calendar days across months and years', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });

  it('checks days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
    expect(isDay('')).toBe(false);
  });

  it('finds local midnight as an instant', () => {
    expect(startOfDay('2026-03-10', 'UTC').toISOString()).toBe(
      '2026-03-10T00:00:00.000Z',
    );
    expect(startOfDay('2026-03-10', 'America/Sao_Paulo').toISOString()).toBe(
      '2026-03-10T03:00:00.000Z',
    );
    expect(startOfDay('2026-03-10', 'Asia/Kolkata').toISOString()).toBe(
      '2026-03-09T18:30:00.000Z',
    );
  });

  it('handles daylight saving changes, including a skipped midnight', () => {
    // New York: spring forward at 02:00, midnight still -05:00 before it.
    expect(startOfDay('2026-03-08', 'America/New_York').toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    expect(startOfDay('2026-03-09', 'America/New_York').toISOString()).toBe(
      '2026-03-09T04:00:00.000Z',
    );
    // São Paulo 2018: clocks went from 00:00 to 01:00 on 4 November.
    expect(startOfDay('2018-11-04', 'America/Sao_Paulo').toISOString()).toBe(
      '2018-11-04T03:00:00.000Z',
    );
    expect(startOfDay('2018-11-05', 'America/Sao_Paulo').toISOString()).toBe(
      '2018-11-05T02:00:00.000Z',
    );
  });
});

describe('periods', () => {
  it('defaults to the last 7 days, today included, on the city clock', () => {
    const now = new Date('2026-03-10T02:30:00Z');
    expect(lastDays(now, 'America/Sao_Paulo')).toEqual({
      from: '2026-03-03',
      to: '2026-03-09',
    });
    expect(lastDays(now, 'UTC')).toEqual({
      from: '2026-03-04',
      to: '2026-03-10',
    });
  });

  it('asks for [from 00:00, the day after to 00:00) in the zone', () => {
    expect(
      periodInstants(
        { from: '2026-03-03', to: '2026-03-09' },
        'America/Sao_Paulo',
      ),
    ).toEqual({
      from: '2026-03-03T03:00:00.000Z',
      to: '2026-03-10T03:00:00.000Z',
    });
  });

  it('refuses impossible or reversed periods', () => {
    expect(() =>
      periodInstants({ from: '2026-03-09', to: '2026-03-03' }, 'UTC'),
    ).toThrow(/before/);
    expect(() =>
      periodInstants({ from: '2026-02-30', to: '2026-03-03' }, 'UTC'),
    ).toThrow(/not a day/);
  });
});
