import { apiRequest } from '../shared/api.ts';
import { el } from '../shared/dom.ts';
import { formatNumber } from '../shared/format.ts';
import { intlLocale, phaseName, t } from '../shared/i18n.ts';
import type { LatLon, NearbyAnswer } from '../shared/types.ts';

/** Wait after the point stops moving before asking the server. */
const CHECK_DELAY_MS = 200;

/** The near-duplicate warning of the intake form. */
export interface DuplicateWarningView {
  element: HTMLElement;
  /** The call's point changed (null: no point): check it. */
  check(point: LatLon | null): void;
  /**
   * An incident was taken or changed elsewhere while the call is typed:
   * check the point again, so a call the next desk just took shows up.
   */
  recheck(): void;
}

/**
 * Warns, before the call is created, that open incidents were received
 * near the point lately (`GET /api/incidents/nearby`): likely the same
 * emergency reported twice. The server answers from the records, so an
 * incident just taken at another desk counts even before this console's
 * socket brings it. Each row selects that incident.
 * @param onSelect shows an incident of the list
 */
export function duplicateWarning(
  token: string,
  onSelect: (incidentId: number) => void,
): DuplicateWarningView {
  const element = el('div', {
    className: 'duplicate-warning',
    testId: 'duplicate-warning',
    attrs: { role: 'status', 'aria-live': 'polite' },
  });
  element.hidden = true;
  let asked = 0;
  let timer: number | undefined;
  let current: LatLon | null = null;

  function show(answer: NearbyAnswer): void {
    const { incidents, withinMeters, withinMinutes } = answer;
    element.hidden = incidents.length === 0;
    element.dataset.count = String(incidents.length);
    const now = Date.now();
    element.replaceChildren(
      el('strong', {
        text: () =>
          t('duplicate.title', {
            count: incidents.length,
            meters: withinMeters,
            minutes: withinMinutes,
          }),
      }),
      el(
        'ul',
        {},
        incidents.map(({ incident, distanceMeters }) => {
          const minutes = Math.max(
            0,
            Math.round((now - Date.parse(incident.receivedAt)) / 60_000),
          );
          const row = el('li', {
            testId: 'duplicate-item',
            attrs: { 'data-incident-id': String(incident.id), tabindex: '0' },
            text: () =>
              t('duplicate.item', {
                id: incident.id,
                priority: incident.priority,
                phase: phaseName(incident.phase),
                meters: formatNumber(distanceMeters, intlLocale(), 0),
                minutes,
                complaint: incident.complaint ?? incident.address ?? '',
              }),
          });
          row.addEventListener('click', () => onSelect(incident.id));
          return row;
        }),
      ),
    );
  }

  const check = (point: LatLon | null) => {
    current = point;
    window.clearTimeout(timer);
    const mine = ++asked;
    if (!point) {
      element.hidden = true;
      element.replaceChildren();
      return;
    }
    timer = window.setTimeout(() => {
      apiRequest<NearbyAnswer>(
        `/api/incidents/nearby?lat=${point.lat}&lon=${point.lon}`,
        { token },
      )
        .then((answer) => {
          if (mine === asked) show(answer);
        })
        // A failed check must not block the call, but must not pass
        // for "no duplicates" either.
        .catch((err: unknown) => {
          if (mine !== asked) return;
          console.warn('duplicate check failed', err);
          element.hidden = false;
          element.dataset.count = '';
          element.replaceChildren(
            el('span', { text: () => t('duplicate.failed') }),
          );
        });
    }, CHECK_DELAY_MS);
  };

  return {
    element,
    check,
    recheck() {
      if (current) check(current);
    },
  };
}
