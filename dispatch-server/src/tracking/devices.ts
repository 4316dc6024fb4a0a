import type { DeviceDirectory } from '@dispatch/unit-tracker';

import type { DomainBus } from '../events.ts';
import type { Database } from '../storage/database.ts';

/**
 * Device ids (`trackerId`) to units, cached: the OsmAnd endpoint asks on
 * every report. New units come in through the bus; an unknown id is
 * looked up again at most every 30 s, so a flood of reports from an
 * unregistered phone does not turn into a flood of queries.
 */
export function createDeviceDirectory(
  db: Database,
  bus: DomainBus,
): DeviceDirectory {
  const known = new Map<string, number>();
  const unknownUntil = new Map<string, number>();
  bus.on('unit:created', (unit) => {
    if (unit.trackerId) known.set(unit.trackerId, unit.id);
  });
  return {
    async unitOf(deviceId) {
      const cached = known.get(deviceId);
      if (cached !== undefined) return cached;
      if ((unknownUntil.get(deviceId) ?? 0) > Date.now()) return undefined;
      const [row] = await db.query<{ id: number }>(
        'SELECT id FROM units WHERE tracker_id = $1',
        [deviceId],
      );
      if (row) {
        known.set(deviceId, row.id);
        return row.id;
      }
      if (unknownUntil.size > 10_000) unknownUntil.clear();
      unknownUntil.set(deviceId, Date.now() + 30_000);
      return undefined;
    },
  };
}
