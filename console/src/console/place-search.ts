import { ApiError, apiRequest } from '../shared/api.ts';
import { el, setText } from '../shared/dom.ts';
import { t } from '../shared/i18n.ts';
import type { Place } from '../shared/types.ts';
import { moveActive, pickedRow } from './listbox.ts';

/** Wait after the last keystroke before asking the server. */
const SEARCH_DELAY_MS = 150;

/** The search box and its suggestion list. */
export interface PlaceSearchView {
  element: HTMLElement;
  /** Empties the box and closes the list (after a call is created). */
  clear(): void;
}

/**
 * Street and crossing search for the intake (`GET /api/places/search`):
 * suggestions as the dispatcher types; ArrowDown/ArrowUp move the
 * highlight, Enter picks it (or the first), Escape closes; a click picks
 * too. Answers that arrive after a newer keystroke are dropped.
 * @param onPick called with the chosen street or crossing
 */
export function placeSearch(
  token: string,
  onPick: (place: Place) => void,
): PlaceSearchView {
  const input = el('input', {
    testId: 'place-search',
    attrs: {
      type: 'search',
      role: 'combobox',
      autocomplete: 'off',
      maxlength: '100',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': 'place-results',
      placeholder: () => t('search.placeholder'),
    },
  });
  const list = el('ul', {
    className: 'place-results',
    testId: 'place-results',
    attrs: { id: 'place-results', role: 'listbox' },
  });
  list.hidden = true;
  const element = el('div', { className: 'place-search' }, [
    el('label', {}, [() => t('search.label'), input]),
    list,
  ]);

  let places: Place[] = [];
  let active = -1;
  let asked = 0;
  let timer: number | undefined;

  function render(): void {
    list.replaceChildren(
      ...places.map((place, i) => {
        const row = el(
          'li',
          {
            className: `place-result place-${place.kind}`,
            testId: 'place-result',
            attrs: {
              role: 'option',
              'aria-selected': String(i === active),
              'data-kind': place.kind,
            },
          },
          [
            el('span', { className: 'place-name' }, [
              place.name,
              ...(place.kind === 'street' && place.near
                ? [
                    el('span', {
                      className: 'place-near muted',
                      testId: 'place-near',
                      text: () =>
                        t('search.near', { streets: place.near!.join(', ') }),
                    }),
                  ]
                : []),
            ]),
            el('span', {
              className: 'place-kind muted',
              text: () => t(`search.${place.kind}`),
            }),
          ],
        );
        // mousedown, not click: the input's blur would close the list first.
        row.addEventListener('mousedown', (event) => {
          event.preventDefault();
          pick(i);
        });
        return row;
      }),
    );
    list.hidden = places.length === 0 && list.dataset.state !== 'none';
    input.setAttribute('aria-expanded', String(!list.hidden));
  }

  function close(): void {
    places = [];
    active = -1;
    list.dataset.state = '';
    render();
  }

  function pick(i: number): void {
    const place = places[i];
    if (!place) return;
    input.value = place.name;
    close();
    onPick(place);
  }

  async function ask(query: string): Promise<void> {
    const mine = ++asked;
    try {
      const answer = await apiRequest<{ places: Place[] }>(
        `/api/places/search?q=${encodeURIComponent(query)}&limit=8`,
        { token },
      );
      if (mine !== asked) return;
      places = answer.places;
      active = -1;
      list.dataset.state = places.length === 0 ? 'none' : 'ok';
      render();
      if (places.length === 0) {
        list.append(
          el('li', { className: 'muted', text: () => t('search.none') }),
        );
      }
    } catch (err) {
      if (mine !== asked) return;
      places = [];
      list.dataset.state = 'none';
      render();
      const message = err instanceof ApiError ? err.message : String(err);
      const row = el('li', { className: 'muted' });
      setText(row, () => t('search.failed', { message }));
      list.append(row);
    }
  }

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    const query = input.value.trim();
    if (!/[\p{L}\p{N}]/u.test(query)) {
      asked++;
      close();
      return;
    }
    timer = window.setTimeout(() => void ask(query), SEARCH_DELAY_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      active = moveActive(
        active,
        event.key === 'ArrowDown' ? 1 : -1,
        places.length,
      );
      render();
      list.children[active]?.scrollIntoView({ block: 'nearest' });
    } else if (event.key === 'Enter') {
      // Enter in the search box picks a place; it never submits the call.
      event.preventDefault();
      pick(pickedRow(active, places.length));
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => close());

  return {
    element,
    clear() {
      window.clearTimeout(timer);
      asked++;
      input.value = '';
      close();
    },
  };
}
