import { ApiError, apiRequest } from '../shared/api.ts';
import { el } from '../shared/dom.ts';
import { formatLatLon, parseLatLon } from '../shared/geo.ts';
import type { IncidentView, LatLon } from '../shared/types.ts';

/** Options of {@link intakePanel}. */
export interface IntakeOptions {
  token: string;
  /** The point changed (typed or clicked); null when the field is invalid. */
  onPoint: (point: LatLon | null) => void;
  onCreated: (incident: IncidentView) => void;
}

/** The intake form and the hook the map calls on a click. */
export interface IntakeView {
  element: HTMLElement;
  /** Sets the location from a map click. */
  setPoint(point: LatLon): void;
}

/**
 * Call intake: location (a map click, or `lat,lon` typed), priority,
 * complaint, caller phone and an optional address; "Create" posts the
 * incident and shows the server's message when it is refused.
 */
export function intakePanel(options: IntakeOptions): IntakeView {
  const location = el('input', {
    testId: 'intake-location',
    attrs: {
      name: 'location',
      placeholder: 'click the map or type lat, lon',
      required: '',
    },
  });
  const priority = el('select', { testId: 'intake-priority' }, [
    el('option', { text: '1 (life threat)', attrs: { value: '1' } }),
    el('option', { text: '2 (urgent)', attrs: { value: '2' } }),
    el('option', { text: '3 (non-urgent)', attrs: { value: '3' } }),
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
    text: 'Create',
    attrs: { type: 'submit' },
  });
  const message = el('p', {
    className: 'form-message',
    testId: 'intake-error',
    attrs: { role: 'alert' },
  });

  const form = el('form', { className: 'panel intake' }, [
    el('h2', { text: 'New call' }),
    el('label', {}, ['Location', location]),
    el('label', {}, ['Priority', priority]),
    el('label', {}, ['Complaint', complaint]),
    el('label', {}, ['Caller phone', phone]),
    el('label', {}, ['Address (optional)', address]),
    submit,
    message,
  ]);

  location.addEventListener('input', () => {
    const point = parseLatLon(location.value);
    location.setCustomValidity(point ? '' : 'expected lat, lon');
    options.onPoint(point);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.textContent = '';
    message.dataset.kind = '';
    const point = parseLatLon(location.value);
    if (!point) {
      showError('Location: click the map or type lat, lon (degrees).');
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
        options.onPoint(null);
        message.textContent = `Incident #${incident.id} created.`;
        message.dataset.kind = 'ok';
        options.onCreated(incident);
      })
      .catch((err: unknown) =>
        showError(err instanceof ApiError ? err.message : String(err)),
      )
      .finally(() => {
        submit.disabled = false;
      });
  });

  function showError(text: string): void {
    message.textContent = text;
    message.dataset.kind = 'error';
  }

  return {
    element: form,
    setPoint(point) {
      location.value = formatLatLon(point);
      location.setCustomValidity('');
      options.onPoint(point);
    },
  };
}
