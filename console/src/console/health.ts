import { el, setText } from '../shared/dom.ts';
import { t } from '../shared/i18n.ts';
import type { ConsoleServerToClient } from '../shared/types.ts';
import type { ConsoleSocket } from './socket.ts';

/** What the server says of its dependencies (`health` event). */
export type Health = Parameters<ConsoleServerToClient['health']>[0];

/**
 * The parts that fail, in the order a dispatcher should read them: the
 * database first (calls cannot be saved), then the live link, then
 * routing (drive times from the embedded router).
 */
export function failingParts(
  health: Health,
): ('storage' | 'live' | 'routing')[] {
  const parts: ('storage' | 'live' | 'routing')[] = [];
  if (!health.storage.ok) parts.push('storage');
  if (!health.live.ok) parts.push('live');
  if (!health.routing.ok) parts.push('routing');
  return parts;
}

/**
 * A header badge for the server's degraded state, hidden while all is
 * well. When the state turns ok again it calls `onRecovered`: while Redis
 * was down, other server processes' events did not reach this console,
 * so it should reload its snapshot.
 */
export function healthIndicator(
  socket: ConsoleSocket,
  onRecovered: () => void,
): HTMLElement {
  const badge = el('span', { className: 'health', testId: 'health-state' });
  badge.hidden = true;
  badge.dataset.state = 'ok';
  let degraded = false;
  socket.on('health', (health) => {
    const parts = failingParts(health);
    const wasDegraded = degraded;
    degraded = parts.length > 0;
    badge.hidden = !degraded;
    badge.dataset.state = degraded ? 'degraded' : 'ok';
    badge.dataset.parts = parts.join(' ');
    setText(badge, () =>
      t('health.degraded', {
        parts: parts.map((part) => t(`health.${part}`)).join(', '),
      }),
    );
    if (wasDegraded && !degraded) onRecovered();
  });
  return badge;
}
