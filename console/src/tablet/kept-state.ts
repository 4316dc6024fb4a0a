import type { Assignment, UnitView } from '../shared/types.ts';

/**
 * What the tablet keeps of an assignment to redraw it after a reload
 * with no signal: where to go and how urgent, and the route there. The
 * complaint and the call time are left out on purpose: the tablet is a
 * shared device, and the crew hears the complaint again once online.
 */
export interface KeptAssignment {
  incident: Pick<
    Assignment['incident'],
    'id' | 'location' | 'priority' | 'address'
  >;
  route: Assignment['route'];
}

/** What the tablet keeps of its unit: the status line and the buttons. */
export type KeptUnit = Pick<
  UnitView,
  'id' | 'callSign' | 'status' | 'statusSince' | 'incidentId'
>;

/** The tablet's last known state, as a reload with no signal shows it. */
export interface KeptState {
  unit: KeptUnit | null;
  assignment: KeptAssignment | null;
}

/** The part of an assignment worth keeping (see {@link KeptAssignment}). */
export function keptAssignment(
  assignment: KeptAssignment | null,
): KeptAssignment | null {
  if (!assignment) return null;
  const { id, location, priority, address } = assignment.incident;
  return {
    incident: {
      id,
      location: { lat: location.lat, lon: location.lon },
      priority,
      address,
    },
    route: assignment.route,
  };
}

/** The part of a unit worth keeping (see {@link KeptUnit}). */
export function keptUnit(unit: KeptUnit | null): KeptUnit | null {
  if (!unit) return null;
  const { id, callSign, status, statusSince, incidentId } = unit;
  return { id, callSign, status, statusSince, incidentId };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Whether a stored value looks like a kept unit (the shape only). */
function isUnit(value: unknown): value is KeptUnit {
  return (
    isObject(value) &&
    typeof value.id === 'number' &&
    typeof value.callSign === 'string' &&
    typeof value.status === 'string' &&
    typeof value.statusSince === 'string'
  );
}

/** Whether a stored value looks like a kept assignment (the shape only). */
function isAssignment(value: unknown): value is KeptAssignment {
  if (!isObject(value) || !isObject(value.incident)) return false;
  const { id, location, priority } = value.incident;
  return (
    typeof id === 'number' &&
    typeof priority === 'number' &&
    isObject(location) &&
    typeof location.lat === 'number' &&
    typeof location.lon === 'number'
  );
}

/**
 * The tablet's last known state kept in Web Storage under `key` (one
 * key per crew user, like the outbox). Saving keeps only
 * {@link keptAssignment} and {@link keptUnit}; a state with neither is
 * removed, not stored. Unreadable data is dropped with a warning.
 */
export function webStorageState(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  key: string,
): { load(): KeptState; save(state: KeptState): void; clear(): void } {
  return {
    load() {
      const empty: KeptState = { unit: null, assignment: null };
      const text = storage.getItem(key);
      if (text === null) return empty;
      try {
        const parsed: unknown = JSON.parse(text);
        if (!isObject(parsed)) throw new Error('not an object');
        const unit = isUnit(parsed.unit) ? keptUnit(parsed.unit) : null;
        const assignment = isAssignment(parsed.assignment)
          ? keptAssignment(parsed.assignment)
          : null;
        if (!unit && !assignment) throw new Error('no unit or assignment');
        return { unit, assignment };
      } catch (err) {
        console.warn('tablet: kept state unreadable, dropped', err);
        storage.removeItem(key);
        return empty;
      }
    },
    save(state) {
      const kept: KeptState = {
        unit: keptUnit(state.unit),
        assignment: keptAssignment(state.assignment),
      };
      try {
        if (!kept.unit && !kept.assignment) storage.removeItem(key);
        else storage.setItem(key, JSON.stringify(kept));
      } catch (err) {
        console.warn('tablet: state not kept (storage full?)', err);
      }
    },
    clear() {
      storage.removeItem(key);
    },
  };
}

const STATE_PREFIX = 'dispatch.tablet.state.';

/** The storage key of a crew user's last known state. */
export function stateKey(username: string): string {
  return STATE_PREFIX + username;
}

/**
 * Removes every crew's kept state. For a page opened with no session
 * (logged out, expired, or a browser restart, which drops the tab's
 * session): the state only serves a session that is still open, so it
 * must not outlive it on a shared device. Outboxes stay: they wait for
 * their crew's next login.
 */
export function clearKeptStates(
  storage: Pick<Storage, 'key' | 'length' | 'removeItem'>,
): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(STATE_PREFIX)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}
