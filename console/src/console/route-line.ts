import { apiRequest } from '../shared/api.ts';
import { formatKm, formatMmSs } from '../shared/format.ts';
import { intlLocale, t } from '../shared/i18n.ts';
import type { UnitRouteAnswer } from '../shared/types.ts';
import type { DispatchMap } from './map.ts';

/** An assigned unit's line is fetched again at most this often as it moves. */
export const ROUTE_REFRESH_MS = 15_000;

/** The one route line on the map. */
export interface RouteLineView {
  /** Draws the drive of `unitId` to `incidentId` (fetched from the server). */
  show(incidentId: number, unitId: number, callSign: string): void;
  /** The unit moved (`unit:eta`): redraw its line, at most every 15 s. */
  moved(unitId: number): void;
  clear(): void;
}

/**
 * The route of the chosen recommendation or of the assigned unit
 * (`GET /api/incidents/:id/route`), drawn on the map with its drive time
 * and distance in the tooltip. An answer that arrives after another line
 * was asked for is dropped.
 */
export function routeLine(map: DispatchMap, token: string): RouteLineView {
  let asked = 0;
  let shown: { incidentId: number; unitId: number; callSign: string } | null =
    null;
  let fetchedAt = 0;

  async function load(incidentId: number, unitId: number, callSign: string) {
    const mine = ++asked;
    fetchedAt = Date.now();
    try {
      const answer = await apiRequest<UnitRouteAnswer>(
        `/api/incidents/${incidentId}/route?unitId=${unitId}`,
        { token },
      );
      if (mine !== asked) return;
      const route = answer.route;
      if (!route) {
        map.showRoute(null);
        return;
      }
      map.showRoute({
        geometry: route.geometry,
        unitId,
        label: () =>
          t('map.route', {
            unit: callSign,
            id: incidentId,
            eta: formatMmSs(route.etaSeconds),
            distance: formatKm(route.distanceMeters, intlLocale()),
          }),
      });
    } catch (err) {
      if (mine !== asked) return;
      map.showRoute(null);
      console.warn('route not loaded', err);
    }
  }

  return {
    show(incidentId, unitId, callSign) {
      if (shown?.incidentId === incidentId && shown.unitId === unitId) return;
      shown = { incidentId, unitId, callSign };
      void load(incidentId, unitId, callSign);
    },
    moved(unitId) {
      if (shown?.unitId !== unitId) return;
      if (Date.now() - fetchedAt < ROUTE_REFRESH_MS) return;
      void load(shown.incidentId, shown.unitId, shown.callSign);
    },
    clear() {
      asked++;
      shown = null;
      map.showRoute(null);
    },
  };
}
