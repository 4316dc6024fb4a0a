import { describe, expect, it } from 'vitest';

import type { Assignment, UnitView } from '../shared/types.ts';
import { clearKeptStates, stateKey, webStorageState } from './kept-state.ts';

/** Web Storage over a Map, with the key listing clearKeptStates reads. */
function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    get length() {
      return data.size;
    },
    key: (i: number) => [...data.keys()][i] ?? null,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

const assignment: Assignment = {
  incident: {
    id: 7,
    location: { lat: -30.0277, lon: -51.2287 },
    priority: 1,
    address: 'Av. Borges de Medeiros 1501',
    complaint: 'chest pain, caller 51 99999-0000',
    receivedAt: '2026-01-01T12:00:00.000Z',
  },
  route: null,
};

const unit = {
  id: 3,
  callSign: 'A02',
  status: 'dispatched',
  statusSince: '2026-01-01T12:00:05.000Z',
  incidentId: 7,
  capability: 'ALS',
  station: { lat: -30, lon: -51, name: 'Centro' },
  trackerId: null,
  lastPosition: null,
  stale: false,
} satisfies UnitView;

describe('tablet kept state', () => {
  it('keeps where, how urgent and the unit status, never the complaint', () => {
    const storage = memoryStorage();
    const key = stateKey('crew-a02');
    webStorageState(storage, key).save({ unit, assignment });
    const text = storage.data.get(key)!;
    expect(text).not.toMatch(/chest pain|99999/);
    expect(text).not.toContain('receivedAt');
    expect(text).not.toContain('station');

    // The page reloads: the state comes back without the complaint.
    const loaded = webStorageState(storage, key).load();
    expect(loaded.assignment).toEqual({
      incident: {
        id: 7,
        location: { lat: -30.0277, lon: -51.2287 },
        priority: 1,
        address: 'Av. Borges de Medeiros 1501',
      },
      route: null,
    });
    expect(loaded.assignment?.incident).not.toHaveProperty('complaint');
    expect(loaded.unit).toEqual({
      id: 3,
      callSign: 'A02',
      status: 'dispatched',
      statusSince: '2026-01-01T12:00:05.000Z',
      incidentId: 7,
    });
  });

  it('removes the key when neither unit nor assignment is left, and on clear', () => {
    const storage = memoryStorage();
    const kept = webStorageState(storage, 'k');
    kept.save({ unit: null, assignment });
    expect(storage.data.has('k')).toBe(true);
    kept.save({ unit: null, assignment: null });
    expect(storage.data.has('k')).toBe(false);
    kept.save({ unit, assignment });
    kept.clear();
    expect(storage.data.has('k')).toBe(false);
  });

  it('drops unreadable or foreign data instead of showing it', () => {
    const storage = memoryStorage();
    storage.setItem('k', '{not json');
    expect(webStorageState(storage, 'k').load()).toEqual({
      unit: null,
      assignment: null,
    });
    expect(storage.data.has('k')).toBe(false);
    storage.setItem(
      'k',
      JSON.stringify({ unit: { id: 'x' }, assignment: { incident: {} } }),
    );
    expect(webStorageState(storage, 'k').load()).toEqual({
      unit: null,
      assignment: null,
    });
  });

  it('clears every crew state, and leaves the outboxes', () => {
    const storage = memoryStorage();
    webStorageState(storage, stateKey('crew-a01')).save({ unit, assignment });
    webStorageState(storage, stateKey('crew-b02')).save({ unit, assignment });
    storage.setItem('dispatch.tablet.outbox.crew-a01', '[]');
    clearKeptStates(storage);
    expect([...storage.data.keys()]).toEqual([
      'dispatch.tablet.outbox.crew-a01',
    ]);
  });
});
