import type { OutboxItem, OutboxStorage } from './outbox.ts';

const KINDS = new Set(['status', 'ack', 'position']);

/** Whether a stored value looks like an outbox item (the shape only). */
function isItem(value: unknown): value is OutboxItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.kind === 'string' &&
    KINDS.has(item.kind) &&
    typeof item.eventId === 'string'
  );
}

// The page itself opens with no signal too: its service worker
// (shell-worker.ts) keeps the built shell, kept-state.ts the last
// assignment, and this outbox the reports made meanwhile.
// TODO: a browser restart drops the tab's session (sessionStorage, by
// design: no token on the device), so a tablet restarted in a dead zone
// opens on the login form and cannot log in until the signal is back;
// its outbox waits for that login. Matters for long dead zones; an
// offline unlock would need a device credential the server issues.

/**
 * The outbox kept in Web Storage under `key` (one key per crew user, so
 * one crew's reports are never sent under another's login). Unreadable
 * or foreign data is dropped with a warning, never sent; a full storage
 * keeps the queue in memory only, with a warning.
 */
export function webStorageOutbox(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  key: string,
): OutboxStorage & { clear(): void } {
  return {
    load() {
      const text = storage.getItem(key);
      if (text === null) return [];
      try {
        const parsed: unknown = JSON.parse(text);
        if (!Array.isArray(parsed)) throw new Error('not a list');
        const items = parsed.filter(isItem);
        if (items.length !== parsed.length) {
          console.warn(
            `outbox: ${parsed.length - items.length} unreadable items dropped`,
          );
        }
        return items;
      } catch (err) {
        console.warn('outbox: stored queue unreadable, dropped', err);
        return [];
      }
    },
    save(items) {
      try {
        if (items.length === 0) storage.removeItem(key);
        else storage.setItem(key, JSON.stringify(items));
      } catch (err) {
        console.warn('outbox: queue not saved (storage full?)', err);
      }
    },
    clear() {
      storage.removeItem(key);
    },
  };
}

/** The storage key of a crew user's outbox. */
export function outboxKey(username: string): string {
  return `dispatch.tablet.outbox.${username}`;
}
