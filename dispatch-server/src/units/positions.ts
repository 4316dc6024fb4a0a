import type { LivePosition } from '@dispatch/unit-tracker';

import type { UnitView } from './views.ts';

/** Where units' latest positions come from: the unit tracker's state. */
export interface PositionSource {
  all(): Promise<Map<number, LivePosition>>;
  get(unitId: number): Promise<LivePosition | undefined>;
}

/**
 * Units with their latest position and stale flag from the live state.
 * @param freshSeconds a fix older than this makes the unit stale
 */
export async function withPositions(
  units: UnitView[],
  source: PositionSource,
  freshSeconds: number,
  now = Date.now(),
): Promise<UnitView[]> {
  if (units.length === 0) return units;
  const positions =
    units.length === 1
      ? new Map(
          await source
            .get((units[0] as UnitView).id)
            .then((p) => (p ? [[p.unitId, p] as const] : [])),
        )
      : await source.all();
  return units.map((unit) => {
    const position = positions.get(unit.id);
    if (!position) return { ...unit, lastPosition: null, stale: true };
    return {
      ...unit,
      lastPosition: {
        lat: position.lat,
        lon: position.lon,
        at: position.at,
        speedMps: position.speedMps,
        headingDeg: position.headingDeg,
        accuracyMeters: position.accuracyMeters,
      },
      stale: now - Date.parse(position.at) > freshSeconds * 1000,
    };
  });
}

/** One unit with its position. */
export async function withPosition(
  unit: UnitView,
  source: PositionSource,
  freshSeconds: number,
): Promise<UnitView> {
  return (await withPositions([unit], source, freshSeconds))[0] as UnitView;
}
