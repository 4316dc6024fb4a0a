import { el, setAttr } from '../shared/dom.ts';
import { formatClock, formatMmSs } from '../shared/format.ts';
import { intlLocale, phaseName, t } from '../shared/i18n.ts';
import type { IncidentView } from '../shared/types.ts';
import type { ConsoleStore } from './store.ts';
import { incidentClock } from './timers.ts';

/** Options of {@link incidentQueue}. */
export interface QueueOptions {
  store: ConsoleStore;
  timeZone: string;
  /** The selected incident id, read on every redraw. */
  selected: () => number | null;
  onSelect: (incidentId: number) => void;
}

/** The queue panel and its redraw and tick hooks. */
export interface QueueView {
  element: HTMLElement;
  /** Rebuilds the list from the store. */
  redraw(): void;
  /** Updates the timers only (called every half second). */
  tick(): void;
}

/**
 * The incident queue: open incidents, most urgent first, each with its
 * phase and a timer since the call was received that turns amber at two
 * thirds of the target and red past it; once a unit is on scene it
 * shows the response time instead.
 */
export function incidentQueue(options: QueueOptions): QueueView {
  const list = el('ol', { className: 'queue-list', testId: 'queue' });
  const empty = el('p', {
    className: 'muted',
    text: () => t('queue.empty'),
  });
  const element = el('section', { className: 'panel queue' }, [
    el('h2', { text: () => t('queue.title') }),
    empty,
    list,
  ]);
  const timers = new Map<number, HTMLElement>();
  const etaCells = new Map<number, HTMLElement>();

  function tick(): void {
    const now = Date.now();
    for (const [id, node] of timers) {
      const incident = options.store.incidents.get(id);
      if (incident) paintTimer(node, incident, now);
    }
    for (const [id, node] of etaCells) {
      const incident = options.store.incidents.get(id);
      if (incident) paintEtas(node, incident);
    }
  }

  // Live drive times of the units on their way: repainted with the
  // timers, so a burst of unit:eta events never rebuilds the list.
  function paintEtas(node: HTMLElement, incident: IncidentView): void {
    const parts: string[] = [];
    for (const unitId of incident.unitIds) {
      const eta = options.store.etaOf(unitId, incident.id);
      const unit = options.store.units.get(unitId);
      if (!eta || eta.etaSeconds === null || !unit) continue;
      if (unit.status !== 'dispatched' && unit.status !== 'en_route') continue;
      parts.push(
        t('queue.eta', {
          unit: unit.callSign,
          eta: formatMmSs(eta.etaSeconds),
        }),
      );
    }
    const text = parts.join(' · ');
    if (node.textContent !== text) node.textContent = text;
    node.hidden = text === '';
  }

  function paintTimer(node: HTMLElement, incident: IncidentView, now: number) {
    const clock = incidentClock(incident, now, options.store.clockOffsetMs);
    node.textContent = formatMmSs(clock.seconds);
    node.dataset.level = clock.level;
    node.dataset.testid = clock.stopped ? 'response-time' : 'incident-timer';
    setAttr(node, 'title', () =>
      t(clock.stopped ? 'queue.responseTime' : 'queue.sinceCall'),
    );
  }

  function redraw(): void {
    timers.clear();
    etaCells.clear();
    const incidents = options.store.openIncidents();
    empty.hidden = incidents.length > 0;
    const selected = options.selected();
    list.replaceChildren(
      ...incidents.map((incident) => {
        const timer = el('span', { className: 'timer' });
        timers.set(incident.id, timer);
        paintTimer(timer, incident, Date.now());
        const etas = el('span', { className: 'etas', testId: 'queue-eta' });
        etaCells.set(incident.id, etas);
        paintEtas(etas, incident);
        // No unit works it: a new call, or one whose unit was freed
        // before the scene (its phase still says dispatched).
        const freed = incident.needsUnit && incident.phase !== 'received';
        const needs = incident.needsUnit
          ? el('span', {
              className: `needs-unit${freed ? ' freed' : ''}`,
              testId: 'needs-unit',
              attrs: { 'data-reason': freed ? 'freed' : 'new' },
              text: () => t(freed ? 'queue.unitFreed' : 'queue.needsUnit'),
            })
          : null;
        const item = el(
          'li',
          {
            className: `queue-item priority-${incident.priority}`,
            testId: 'queue-item',
            attrs: {
              tabindex: '0',
              'data-incident-id': String(incident.id),
              'data-needs-unit': String(incident.needsUnit),
              'aria-selected': String(incident.id === selected),
            },
          },
          [
            el('span', {
              className: 'priority',
              text: `P${incident.priority}`,
            }),
            el('span', { className: 'incident-id', text: `#${incident.id}` }),
            el('span', {
              className: 'phase',
              testId: 'incident-phase',
              text: () => phaseName(incident.phase),
            }),
            timer,
            ...(needs ? [needs] : []),
            etas,
            el('span', {
              className: 'complaint',
              text: incident.complaint ?? incident.address ?? '',
            }),
            el('span', {
              className: 'received muted',
              text: () =>
                formatClock(
                  new Date(incident.receivedAt),
                  options.timeZone,
                  intlLocale(),
                ),
            }),
          ],
        );
        item.addEventListener('click', () => options.onSelect(incident.id));
        return item;
      }),
    );
  }

  return { element, redraw, tick };
}
