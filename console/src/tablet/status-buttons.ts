import { el } from '../shared/dom.ts';
import { t, type MessageKey } from '../shared/i18n.ts';
import type { UnitStatus } from '../shared/types.ts';

/** A crew button: the acknowledgement, or a status to report. */
export type CrewAction =
  'ack' | Exclude<UnitStatus, 'dispatched' | 'out_of_service'>;

/** The buttons in phase order, with their labels' dictionary keys. */
export const CREW_ACTIONS: readonly {
  action: CrewAction;
  label: MessageKey;
}[] = [
  { action: 'ack', label: 'crew.ack' },
  { action: 'en_route', label: 'crew.en_route' },
  { action: 'on_scene', label: 'crew.on_scene' },
  { action: 'transporting', label: 'crew.transporting' },
  { action: 'at_hospital', label: 'crew.at_hospital' },
  { action: 'available', label: 'crew.available' },
];

/** The button row and a hook to mark the unit's current status. */
export interface StatusButtons {
  element: HTMLElement;
  /** Highlights the current status; ack is enabled only with an assignment. */
  mark(status: UnitStatus | null, hasAssignment: boolean): void;
}

/**
 * Large status buttons (`status-ack`, `status-en_route`, ...). Every press
 * calls `onPress`; nothing is disabled for a status the crew might skip
 * to, since the server allows skipping and answers a wrong order itself.
 */
export function statusButtons(
  onPress: (action: CrewAction) => void,
): StatusButtons {
  const buttons = new Map<CrewAction, HTMLButtonElement>();
  const element = el('div', { className: 'status-buttons' });
  for (const { action, label } of CREW_ACTIONS) {
    const button = el('button', {
      className: 'status-button',
      testId: action === 'ack' ? 'status-ack' : `status-${action}`,
      text: () => t(label),
      attrs: { type: 'button' },
    });
    button.addEventListener('click', () => onPress(action));
    buttons.set(action, button);
    element.append(button);
  }
  return {
    element,
    mark(status, hasAssignment) {
      for (const [action, button] of buttons) {
        button.setAttribute('aria-pressed', String(action === status));
      }
      buttons.get('ack')!.disabled = !hasAssignment;
    },
  };
}
