/** Where a unit's heading arrow goes: pure geometry, no Leaflet. */

/** How far the heading arrow reaches beyond the unit's circle, px. */
export const ARROW_PX = 7;
/** Slower than this, a GPS heading is noise: no arrow. */
export const MIN_HEADING_SPEED_MPS = 1;

/**
 * Whether a fix's heading is worth an arrow: a heading is given, the
 * position is live, and the unit moves (a parked GPS's heading wanders).
 */
export function headingShown(
  fix: { headingDeg?: number | null; speedMps?: number | null } | null,
  stale: boolean,
): boolean {
  if (!fix || stale) return false;
  const heading = fix.headingDeg;
  if (heading === null || heading === undefined || !Number.isFinite(heading)) {
    return false;
  }
  const speed = fix.speedMps;
  return (
    speed === null || speed === undefined || speed >= MIN_HEADING_SPEED_MPS
  );
}

/**
 * The arrow's three corners in screen pixels (y grows downwards): the tip
 * {@link ARROW_PX} beyond the circle along the heading, the base inside
 * the circle's rim.
 * @param headingDeg degrees clockwise from north, as GPS reports it
 */
export function arrowPoints(
  x: number,
  y: number,
  radius: number,
  headingDeg: number,
): [number, number][] {
  const a = (headingDeg * Math.PI) / 180;
  const dx = Math.sin(a);
  const dy = -Math.cos(a);
  const tip = radius + ARROW_PX;
  const base = radius - 2;
  const half = 4;
  return [
    [x + dx * tip, y + dy * tip],
    [x + dx * base - dy * half, y + dy * base + dx * half],
    [x + dx * base + dy * half, y + dy * base - dx * half],
  ];
}
