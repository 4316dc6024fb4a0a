import type { Shift } from './types.ts';

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/**
 * A unit's time on duty over a run of `days` days, as [start, end)
 * spans in seconds from midnight of day 0, in order. A shift that began
 * the evening before day 0 is on from 0; shifts that touch or overlap
 * are one span (no hand-over). Shifts starting after the last day are
 * not included: a run goes on past it only to finish the jobs in hand.
 * `undefined` shifts: around the clock, one span from 0 without end.
 * The engine and the live replay both staff units by it.
 */
export function dutySpans(
  shifts: readonly Shift[] | undefined,
  days: number,
): [number, number][] {
  if (!shifts) return [[0, Infinity]];
  const spans: [number, number][] = [];
  for (let day = -1; day <= Math.ceil(days); day++) {
    for (const shift of shifts) {
      const start = day * 86_400 + minutesOf(shift.start) * 60;
      let length = (minutesOf(shift.end) - minutesOf(shift.start)) * 60;
      if (length <= 0) length += 86_400;
      if (start + length > 0 && start < days * 86_400) {
        spans.push([Math.max(0, start), start + length]);
      }
    }
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}
