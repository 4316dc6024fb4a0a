import { describe, expect, it } from 'vitest';

import { formatClock, formatKm, formatMmSs, formatNumber } from './format.ts';
import { formatLatLon, parseLatLon } from './geo.ts';

describe('formatMmSs', () => {
  it('pads minutes and seconds', () => {
    expect(formatMmSs(0)).toBe('00:00');
    expect(formatMmSs(7)).toBe('00:07');
    expect(formatMmSs(185)).toBe('03:05');
  });

  it('drops fractions instead of rounding up to the next second', () => {
    expect(formatMmSs(59.99)).toBe('00:59');
  });

  it('keeps counting minutes past an hour', () => {
    expect(formatMmSs(4503)).toBe('75:03');
  });

  it('shows a missing ETA as dashes, never as zero', () => {
    expect(formatMmSs(null)).toBe('--:--');
    expect(formatMmSs(undefined)).toBe('--:--');
    expect(formatMmSs(Number.NaN)).toBe('--:--');
  });

  it('signs negative values', () => {
    expect(formatMmSs(-65)).toBe('-01:05');
  });
});

describe('formatKm', () => {
  it('shows one decimal of a kilometre', () => {
    expect(formatKm(2449)).toBe('2.4 km');
    expect(formatKm(0)).toBe('0.0 km');
    expect(formatKm(null)).toBe('–');
  });

  it("uses the language's decimal sign and grouping", () => {
    expect(formatKm(2449, 'es-AR')).toBe('2,4 km');
    expect(formatNumber(412345, 'en-US')).toBe('412,345');
    expect(formatNumber(412345, 'es-AR')).toBe('412.345');
  });
});

describe('formatClock', () => {
  it("shows the city's wall clock, not the device's", () => {
    const at = new Date('2026-01-01T15:04:05Z');
    expect(formatClock(at, 'America/Sao_Paulo')).toBe('12:04:05');
    expect(formatClock(at, 'UTC')).toBe('15:04:05');
  });

  it('is 24 h in both languages, midnight as 00', () => {
    const midnight = new Date('2026-01-01T03:00:07Z');
    expect(formatClock(midnight, 'America/Sao_Paulo', 'en-US')).toBe(
      '00:00:07',
    );
    expect(formatClock(midnight, 'America/Sao_Paulo', 'es-AR')).toBe(
      '00:00:07',
    );
  });
});

describe('parseLatLon', () => {
  it('reads lat,lon with or without spaces', () => {
    expect(parseLatLon('-30.0277,-51.2287')).toEqual({
      lat: -30.0277,
      lon: -51.2287,
    });
    expect(parseLatLon('  -30.0277 , -51.2287 ')).toEqual({
      lat: -30.0277,
      lon: -51.2287,
    });
    expect(parseLatLon('-30.0277 -51.2287')).toEqual({
      lat: -30.0277,
      lon: -51.2287,
    });
  });

  it('refuses text, a single number and out-of-range degrees', () => {
    expect(parseLatLon('')).toBeNull();
    expect(parseLatLon('abc, def')).toBeNull();
    expect(parseLatLon('-30.0277')).toBeNull();
    expect(parseLatLon('91, 10')).toBeNull();
    expect(parseLatLon('10, 181')).toBeNull();
  });

  it('writes a point back with 5 decimals', () => {
    expect(formatLatLon({ lat: -30.027712, lon: -51.2287 })).toBe(
      '-30.02771, -51.22870',
    );
  });
});
