import L from 'leaflet';

import { ApiError, apiRequest } from '../shared/api.ts';
import { el, setText } from '../shared/dom.ts';
import { formatNumber } from '../shared/format.ts';
import { intlLocale, t } from '../shared/i18n.ts';
import { throttle, type Throttled } from '../shared/throttle.ts';
import type { DispatchMap } from './map.ts';

/** What `GET /api/coverage` answers. */
export interface Coverage {
  withinSeconds: number;
  /** Available units the coverage starts from. */
  units: number;
  lengthMeters: number;
  /** Reachable road pieces, each a list of [lon, lat]. */
  lines: number[][][];
}

/** At most one coverage request per this many ms while units change. */
export const COVERAGE_REFRESH_MS = 5000;

/** How long the server may answer from its cache (it keeps 2 s). */
const SERVER_CACHE_MS = 2000;

/** The legend's words for a coverage answer, in the language in use. */
export function coverageSummaryText(coverage: Coverage): string {
  const locale = intlLocale();
  return t('coverage.summary', {
    minutes: formatNumber(coverage.withinSeconds / 60, locale, 0),
    km: formatNumber(coverage.lengthMeters / 1000, locale, 0),
    units: formatNumber(coverage.units, locale, 0),
  });
}

/** The live coverage layer's feed and legend. */
export interface CoverageView {
  /** A unit moved or changed status: refresh, throttled. */
  unitsChanged(): void;
  /** (Re)connected: refresh now. */
  refreshNow(): void;
  /** Stops refreshing (the session ended). */
  stop(): void;
}

/**
 * The live coverage map: the road reachable within `seconds` by the
 * available units (`GET /api/coverage`), drawn under the markers, with a
 * legend holding the on/off switch (`coverage-toggle`) and the figures
 * (`coverage-summary`). Refreshed at most every 5 s while units move or
 * change status, and at once on a reconnect.
 */
export function coverageLayer(
  map: DispatchMap,
  token: string,
  seconds: number,
): CoverageView {
  const toggle = el('input', {
    testId: 'coverage-toggle',
    attrs: { type: 'checkbox' },
  });
  toggle.checked = map.coverageShown;
  const summary = el('span', {
    className: 'coverage-summary',
    testId: 'coverage-summary',
    attrs: { 'aria-live': 'polite' },
    text: () => t('coverage.loading'),
  });
  const legend = el('div', { className: 'coverage-legend' }, [
    el('label', { className: 'coverage-switch' }, [
      toggle,
      el('span', { className: 'coverage-swatch' }),
      () => t('coverage.toggle'),
    ]),
    summary,
  ]);
  // Clicks on the legend must not place a call on the map below it.
  L.DomEvent.disableClickPropagation(legend);
  L.DomEvent.disableScrollPropagation(legend);
  const control = new L.Control({ position: 'bottomleft' });
  control.onAdd = () => legend;
  control.addTo(map.map);

  toggle.addEventListener('change', () => {
    map.showCoverage(toggle.checked);
    legend.dataset.shown = String(toggle.checked);
  });

  let stopped = false;
  let lastChangeAt = -Infinity;
  let inFlight = false;
  let again = false;

  async function load(): Promise<void> {
    if (inFlight) {
      // One request at a time; ask again once this one is back.
      again = true;
      return;
    }
    inFlight = true;
    const startedAt = Date.now();
    try {
      const coverage = await apiRequest<Coverage>(
        `/api/coverage?seconds=${seconds}`,
        { token },
      );
      if (stopped) return;
      map.drawCoverage(coverage.lines);
      summary.dataset.units = String(coverage.units);
      summary.dataset.lengthMeters = String(coverage.lengthMeters);
      summary.dataset.state = 'ok';
      setText(summary, () => coverageSummaryText(coverage));
    } catch (err) {
      if (stopped) return;
      summary.dataset.state = 'error';
      // The server's own words (English), as every refusal is shown.
      const message = err instanceof ApiError ? err.message : String(err);
      setText(summary, () => t('coverage.failed', { message }));
    } finally {
      inFlight = false;
    }
    // A change just before the request may not be in the server's 2 s
    // cache yet: ask once more after the interval.
    if (again || lastChangeAt >= startedAt - SERVER_CACHE_MS) {
      again = false;
      refresh();
    }
  }

  const refresh: Throttled = throttle(() => void load(), COVERAGE_REFRESH_MS);

  return {
    unitsChanged() {
      lastChangeAt = Date.now();
      refresh();
    },
    refreshNow() {
      refresh.now();
    },
    stop() {
      stopped = true;
      refresh.cancel();
      control.remove();
    },
  };
}
