import { describe, expect, it } from 'vitest';

import { instant } from './validate.ts';

const now = new Date('2026-06-01T12:00:00Z');

describe('instants', () => {
  it.each([
    ['2026-01-01T00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00+03:00', '2025-12-31T21:00:00.000Z'],
    ['2026-01-01T00:00:30.5-03:00', '2026-01-01T03:00:30.500Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
  ])('reads %s', (text, iso) => {
    expect(instant(text, 'at', now).toISOString()).toBe(iso);
  });

  it.each([
    '2026-02-30T10:00:00Z',
    '2025-02-29T10:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:60Z',
    '2026-01-01T10:00:00',
    '2026-01-01',
  ])('refuses %s', (text) => {
    expect(() => instant(text, 'at', now)).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP' }),
    );
  });
});
