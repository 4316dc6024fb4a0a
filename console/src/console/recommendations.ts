import { ApiError, apiRequest } from '../shared/api.ts';
import { el, setText, type Text } from '../shared/dom.ts';
import { formatKm, formatMmSs } from '../shared/format.ts';
import { intlLocale, refused, t } from '../shared/i18n.ts';
import type { IncidentView, Recommendation } from '../shared/types.ts';

/** The recommendations panel and its hooks. */
export interface RecommendationsView {
  element: HTMLElement;
  /** Shows the ranked units for an incident (null clears the panel). */
  show(incident: IncidentView | null): void;
  /** Assigns the top unit of the shown incident (the Enter key). */
  assignTop(): void;
  /** Ranks the shown incident again (its unit was freed, say). */
  reload(): void;
}

/**
 * Ranked units for the selected incident (`GET
 * /api/incidents/:id/recommendations`), each with an Assign button; a
 * refusal such as `409 UNIT_NOT_AVAILABLE` is shown and the list reloaded.
 * The top unit is chosen on every load, a click on a row chooses that
 * one: `onChoose` then draws its route.
 * @param onChoose the chosen recommendation of the incident shown, or
 *   null when none is; true when its route is drawn (the row is marked)
 */
export function recommendationsPanel(
  token: string,
  onChoose: (incidentId: number, line: Recommendation | null) => boolean,
): RecommendationsView {
  const title = el('h2', { text: () => t('recs.title') });
  const message = el('p', {
    className: 'form-message',
    testId: 'assign-message',
    attrs: { role: 'alert' },
  });
  const list = el('ol', { className: 'recommendations' });
  const element = el('section', { className: 'panel recs' }, [
    title,
    message,
    list,
  ]);
  let incidentId: number | null = null;
  let ranked: Recommendation[] = [];
  let busy = false;

  async function load(id: number): Promise<void> {
    list.replaceChildren(
      el('li', { className: 'muted', text: () => t('recs.ranking') }),
    );
    try {
      const answer = await apiRequest<Recommendation[]>(
        `/api/incidents/${id}/recommendations`,
        { token },
      );
      if (incidentId !== id) return;
      ranked = answer;
      list.replaceChildren(...answer.map(row));
      choose(id, answer.find((line) => line.reachable) ?? null);
      if (answer.length === 0) {
        list.replaceChildren(
          el('li', { className: 'muted', text: () => t('recs.none') }),
        );
      }
    } catch (err) {
      if (incidentId !== id) return;
      ranked = [];
      list.replaceChildren();
      say('error', errorText(err));
    }
  }

  function row(line: Recommendation): HTMLElement {
    const assign = el('button', {
      testId: 'assign-button',
      text: () => t('recs.assign'),
      attrs: { type: 'button' },
    });
    assign.addEventListener('click', (event) => {
      event.stopPropagation();
      void assignUnit(line);
    });
    const item = el(
      'li',
      {
        className: 'recommendation',
        testId: 'recommendation',
        attrs: { 'data-unit-id': String(line.unitId) },
      },
      [
        el('span', { className: 'rank', text: String(line.rank) }),
        el('span', { className: 'call-sign', text: line.callSign }),
        el('span', { className: 'capability', text: line.capability }),
        el('span', {
          className: 'eta',
          testId: 'recommendation-eta',
          text: formatMmSs(line.etaSeconds),
        }),
        el('span', {
          className: 'distance',
          text: () => formatKm(line.distanceMeters, intlLocale()),
        }),
        el('span', { className: 'origin', text: line.origin }),
        assign,
        el('span', {
          className: 'reasons muted',
          text: line.reasons.join('; '),
        }),
      ],
    );
    item.addEventListener('click', () => {
      if (incidentId !== null) choose(incidentId, line);
    });
    return item;
  }

  function choose(id: number, line: Recommendation | null): void {
    const drawn = onChoose(id, line);
    for (const node of list.querySelectorAll<HTMLElement>('.recommendation')) {
      node.dataset.chosen = String(
        drawn && node.dataset.unitId === String(line?.unitId),
      );
    }
  }

  async function assignUnit(line: Recommendation): Promise<void> {
    const id = incidentId;
    if (id === null || busy) return;
    busy = true;
    say('', '');
    try {
      await apiRequest(`/api/incidents/${id}/assign`, {
        body: { unitId: line.unitId },
        token,
      });
      say('ok', () => t('recs.assigned', { unit: line.callSign, id }));
    } catch (err) {
      say('error', errorText(err));
    } finally {
      busy = false;
    }
    // Either way the ranking has changed: reload it.
    if (incidentId === id) await load(id);
  }

  function say(kind: '' | 'ok' | 'error', text: Text): void {
    setText(message, text);
    message.dataset.kind = kind;
  }

  return {
    element,
    show(incident) {
      const changed = incident?.id !== incidentId;
      incidentId = incident?.id ?? null;
      if (!changed) return;
      say('', '');
      ranked = [];
      if (!incident) {
        setText(title, () => t('recs.title'));
        list.replaceChildren(
          el('li', { className: 'muted', text: () => t('recs.select') }),
        );
        return;
      }
      const id = incident.id;
      setText(title, () => t('recs.titleFor', { id }));
      void load(incident.id);
    },
    assignTop() {
      const top = ranked[0];
      if (top) void assignUnit(top);
    },
    reload() {
      if (incidentId !== null) void load(incidentId);
    },
  };
}

/** A refusal in the server's words behind "Refused:"; else the error. */
function errorText(err: unknown): Text {
  if (err instanceof ApiError) {
    const message = err.message;
    return () => refused(message);
  }
  return String(err);
}
