import { describe, expect, it } from 'vitest';

import type {
  IncidentView,
  LivePosition,
  PhaseEventView,
  UnitView,
} from '../shared/types.ts';
import { ConsoleStore, type StoreChange } from './store.ts';

function unit(id: number, over: Partial<UnitView> = {}): UnitView {
  return {
    id,
    callSign: `A0${id}`,
    capability: 'ALS',
    station: { lat: -30, lon: -51, name: 'Station' },
    trackerId: null,
    status: 'available',
    statusSince: '2026-01-01T12:00:00.000Z',
    incidentId: null,
    lastPosition: null,
    stale: true,
    ...over,
  };
}

function event(seq: number, phase: PhaseEventView['phase']): PhaseEventView {
  return {
    seq,
    phase,
    at: '2026-01-01T12:00:00.000Z',
    recordedAt: '2026-01-01T12:00:00.000Z',
    unitId: null,
    actor: 'dispatcher',
    source: 'dispatcher',
    data: {},
  };
}

function incident(id: number, over: Partial<IncidentView> = {}): IncidentView {
  return {
    id,
    location: { lat: -30.03, lon: -51.23 },
    priority: 2,
    complaint: 'fall',
    address: null,
    callerPhone: null,
    receivedAt: '2026-01-01T12:00:00.000Z',
    phase: 'received',
    open: true,
    unitIds: [],
    needsUnit: true,
    intervals: {
      callProcessing: null,
      turnout: null,
      travel: null,
      response: null,
    },
    targetSeconds: 180,
    withinTarget: null,
    timeline: [event(1, 'received')],
    ...over,
  };
}

function position(unitId: number, at: string): LivePosition {
  return {
    unitId,
    lat: -30.01,
    lon: -51.2,
    at,
    receivedAt: at,
    speedMps: 10,
    headingDeg: 90,
    accuracyMeters: 5,
    source: 'tablet',
  };
}

describe('console store', () => {
  it('replaces everything with a snapshot and aligns to the server clock', () => {
    const store = new ConsoleStore();
    store.upsertUnit(unit(9));
    const changes: StoreChange[] = [];
    store.subscribe((change) => changes.push(change));
    store.applySnapshot(
      {
        incidents: [incident(1)],
        units: [unit(1), unit(2)],
        serverTime: '2026-01-01T12:00:10.000Z',
      },
      Date.parse('2026-01-01T12:00:07.000Z'),
    );
    expect([...store.units.keys()]).toEqual([1, 2]);
    expect(store.incidents.size).toBe(1);
    expect(store.clockOffsetMs).toBe(3000);
    expect(changes).toEqual([{ kind: 'snapshot' }]);
  });

  it('keeps a newer incident when an older event arrives after it', () => {
    const store = new ConsoleStore();
    const dispatched = incident(1, {
      phase: 'dispatched',
      timeline: [event(1, 'received'), event(2, 'dispatched')],
    });
    store.upsertIncident(dispatched);
    store.upsertIncident(incident(1));
    expect(store.incidents.get(1)?.phase).toBe('dispatched');
  });

  it('lists open incidents by priority, then oldest call first', () => {
    const store = new ConsoleStore();
    store.upsertIncident(
      incident(1, { priority: 3, receivedAt: '2026-01-01T11:00:00.000Z' }),
    );
    store.upsertIncident(
      incident(2, { priority: 1, receivedAt: '2026-01-01T12:05:00.000Z' }),
    );
    store.upsertIncident(
      incident(3, { priority: 1, receivedAt: '2026-01-01T12:01:00.000Z' }),
    );
    store.upsertIncident(incident(4, { open: false, phase: 'closed' }));
    expect(store.openIncidents().map((i) => i.id)).toEqual([3, 2, 1]);
  });

  it('moves units by live positions, newest fix only, and clears stale', () => {
    const store = new ConsoleStore();
    store.upsertUnit(unit(1));
    store.applyPositions([position(1, '2026-01-01T12:00:05.000Z')]);
    expect(store.units.get(1)?.stale).toBe(false);
    store.applyPositions([position(1, '2026-01-01T12:00:01.000Z')]);
    expect(store.units.get(1)?.lastPosition?.at).toBe(
      '2026-01-01T12:00:05.000Z',
    );
    store.applyPositions([position(99, '2026-01-01T12:00:06.000Z')]);
    expect(store.units.has(99)).toBe(false);
  });

  it('keeps the live position when a status event carries an older one', () => {
    const store = new ConsoleStore();
    store.upsertUnit(unit(1));
    store.applyPositions([position(1, '2026-01-01T12:00:05.000Z')]);
    store.upsertUnit(
      unit(1, {
        status: 'dispatched',
        statusSince: '2026-01-01T12:00:06.000Z',
        lastPosition: { lat: 0, lon: 0, at: '2026-01-01T11:59:00.000Z' },
      }),
    );
    const held = store.units.get(1);
    expect(held?.status).toBe('dispatched');
    expect(held?.lastPosition?.at).toBe('2026-01-01T12:00:05.000Z');
  });

  it('ignores a status older than the one held', () => {
    const store = new ConsoleStore();
    store.upsertUnit(
      unit(1, { status: 'en_route', statusSince: '2026-01-01T12:02:00.000Z' }),
    );
    store.upsertUnit(
      unit(1, {
        status: 'dispatched',
        statusSince: '2026-01-01T12:01:00.000Z',
      }),
    );
    expect(store.units.get(1)?.status).toBe('en_route');
  });

  it('keeps the newest drive time of a unit for its incident', () => {
    const store = new ConsoleStore();
    const eta = (incidentId: number, etaSeconds: number, at: string) => ({
      unitId: 1,
      incidentId,
      etaSeconds,
      distanceMeters: etaSeconds * 10,
      source: 'embedded',
      at,
    });
    store.applyEta(eta(5, 120, '2026-01-01T12:00:05.000Z'));
    store.applyEta(eta(5, 150, '2026-01-01T12:00:01.000Z'));
    expect(store.etaOf(1, 5)?.etaSeconds).toBe(120);
    // Another incident is another drive: no older-fix comparison.
    store.applyEta(eta(6, 300, '2026-01-01T12:00:01.000Z'));
    expect(store.etaOf(1, 6)?.etaSeconds).toBe(300);
    expect(store.etaOf(1, 5)).toBeUndefined();
  });

  it('greys units that went stale, once', () => {
    const store = new ConsoleStore();
    store.upsertUnit(unit(1, { stale: false }));
    const changes: StoreChange[] = [];
    store.subscribe((change) => changes.push(change));
    store.markStale([1, 1, 7]);
    expect(store.units.get(1)?.stale).toBe(true);
    expect(changes).toHaveLength(1);
  });
});
