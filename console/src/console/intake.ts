import { ApiError, apiRequest } from '../shared/api.ts';
import { el, setText, type Text } from '../shared/dom.ts';
import { formatLatLon, parseLatLon } from '../shared/geo.ts';
import { onLanguageChange, refused, t } from '../shared/i18n.ts';
import type { IncidentView, LatLon, Place } from '../shared/types.ts';
import { duplicateWarning } from './duplicates.ts';
import { placeSearch } from './place-search.ts';

/** Options of {@link intakePanel}. */
export interface IntakeOptions {
  token: string;
  /** The point changed (typed or clicked); null when the field is invalid. */
  onPoint: (point: LatLon | null) => void;
  onCreated: (incident: IncidentView) => void;
  /** A street or crossing was picked in the search box. */
  onPlace: (place: Place) => void;
  /** A row of the duplicate warning was clicked. */
  onSelectIncident: (incidentId: number) => void;
}

/** The intake form and the hook the map calls on a click. */
export interface IntakeView {
  element: HTMLElement;
  /** Sets the location from a map click. */
  setPoint(point: LatLon): void;
  /** An incident arrived from the socket: the duplicate warning follows. */
  incidentChanged(): void;
}

/**
 * Call intake: location (a map click, `lat,lon` typed, or a street or
 * crossing searched), priority, complaint, caller phone and an optional
 * address; a warning lists open incidents near the point before the call
 * is created; "Create" posts the incident and shows the server's message
 * when it is refused.
 */
export function intakePanel(options: IntakeOptions): IntakeView {
  const duplicates = duplicateWarning(options.token, options.onSelectIncident);
  const pointChanged = (point: LatLon | null) => {
    options.onPoint(point);
    duplicates.check(point);
  };
  const search = placeSearch(options.token, (place) => {
    setLocation(place.location);
    // The searched name is the address, unless one was typed already;
    // a name found in several places keeps its nearest cross street, so
    // the crew can tell which one.
    if (!address.value.trim()) {
      const cross = place.kind === 'street' ? place.near?.[0] : undefined;
      address.value = cross
        ? t('search.addressNear', { name: place.name, street: cross })
        : place.name;
    }
    options.onPlace(place);
  });
  const location = el('input', {
    testId: 'intake-location',
    attrs: {
      name: 'location',
      placeholder: () => t('intake.locationPlaceholder'),
      required: '',
    },
  });
  const priority = el('select', { testId: 'intake-priority' }, [
    el('option', {
      text: () => t('intake.priority1'),
      attrs: { value: '1' },
    }),
    el('option', {
      text: () => t('intake.priority2'),
      attrs: { value: '2' },
    }),
    el('option', {
      text: () => t('intake.priority3'),
      attrs: { value: '3' },
    }),
  ]);
  const complaint = el('input', {
    testId: 'intake-complaint',
    attrs: { name: 'complaint', maxlength: '1000' },
  });
  const phone = el('input', {
    testId: 'intake-phone',
    attrs: { name: 'callerPhone', type: 'tel', maxlength: '40' },
  });
  const address = el('input', {
    testId: 'intake-address',
    attrs: { name: 'address', maxlength: '300' },
  });
  const submit = el('button', {
    testId: 'intake-submit',
    text: () => t('intake.submit'),
    attrs: { type: 'submit' },
  });
  const message = el('p', {
    className: 'form-message',
    testId: 'intake-error',
    attrs: { role: 'alert' },
  });

  const form = el('form', { className: 'panel intake' }, [
    el('h2', { text: () => t('intake.title') }),
    search.element,
    el('label', {}, [() => t('intake.location'), location]),
    duplicates.element,
    el('label', {}, [() => t('intake.priority'), priority]),
    el('label', {}, [() => t('intake.complaint'), complaint]),
    el('label', {}, [() => t('intake.phone'), phone]),
    el('label', {}, [() => t('intake.address'), address]),
    submit,
    message,
  ]);

  const validate = () => {
    const point = parseLatLon(location.value);
    const empty = location.value.trim() === '';
    location.setCustomValidity(
      point || empty ? '' : t('intake.locationInvalid'),
    );
    return point;
  };
  location.addEventListener('input', () => pointChanged(validate()));
  onLanguageChange(() => validate());

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setText(message, '');
    message.dataset.kind = '';
    const point = parseLatLon(location.value);
    if (!point) {
      showError(() => t('intake.locationMissing'));
      return;
    }
    const body: Record<string, unknown> = {
      location: point,
      priority: Number(priority.value),
    };
    if (complaint.value.trim()) body.complaint = complaint.value.trim();
    if (phone.value.trim()) body.callerPhone = phone.value.trim();
    if (address.value.trim()) body.address = address.value.trim();
    submit.disabled = true;
    apiRequest<IncidentView>('/api/incidents', { body, token: options.token })
      .then((incident) => {
        form.reset();
        search.clear();
        pointChanged(null);
        setText(message, () => t('intake.created', { id: incident.id }));
        message.dataset.kind = 'ok';
        options.onCreated(incident);
      })
      .catch((err: unknown) =>
        showError(
          err instanceof ApiError ? () => refused(err.message) : String(err),
        ),
      )
      .finally(() => {
        submit.disabled = false;
      });
  });

  function showError(text: Text): void {
    setText(message, text);
    message.dataset.kind = 'error';
  }

  function setLocation(point: LatLon): void {
    location.value = formatLatLon(point);
    location.setCustomValidity('');
    pointChanged(point);
  }

  return {
    element: form,
    setPoint: setLocation,
    incidentChanged: () => duplicates.recheck(),
  };
}
