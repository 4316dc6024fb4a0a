import { describe, expect, it } from 'vitest';

import {
  classifyAck,
  Outbox,
  type OutboxItem,
  type SendOutcome,
} from './outbox.ts';
import { webStorageOutbox } from './outbox-storage.ts';

function status(n: number): OutboxItem {
  return {
    kind: 'status',
    eventId: `e${n}`,
    report: { status: 'en_route', at: `2026-01-01T12:00:0${n}Z` },
  };
}

function position(n: number): OutboxItem {
  return {
    kind: 'position',
    eventId: `p${n}`,
    fix: { lat: -30, lon: -51, at: `2026-01-01T12:00:0${n}Z` },
  };
}

/**
 * A server that answers from a script and records what it received:
 * each item's eventId, and each batch's.
 */
function fakeServer(answers: SendOutcome[] = []) {
  const received: string[] = [];
  const batches: string[][] = [];
  const send = async (batch: readonly OutboxItem[]): Promise<SendOutcome> => {
    received.push(...batch.map((item) => item.eventId));
    batches.push(batch.map((item) => item.eventId));
    await Promise.resolve();
    return answers.shift() ?? { result: 'done' };
  };
  return { received, batches, send };
}

/** Web Storage in memory, as a browser's localStorage behaves. */
function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

describe('tablet outbox', () => {
  it('keeps reports while offline and sends them in order on connect', async () => {
    const server = fakeServer();
    const outbox = new Outbox({ send: server.send });
    outbox.enqueue(status(1));
    outbox.enqueue(position(2));
    outbox.enqueue(status(3));
    expect(server.received).toEqual([]);
    expect(outbox.items).toHaveLength(3);
    outbox.setConnected(true);
    await outbox.flush();
    expect(server.received).toEqual(['e1', 'p2', 'e3']);
    expect(outbox.items).toHaveLength(0);
  });

  it('stops at an unanswered report and resends it first on reconnect', async () => {
    const server = fakeServer([
      { result: 'done' },
      { result: 'retry', reason: 'timeout' },
    ]);
    const outbox = new Outbox({ send: server.send });
    outbox.enqueue(status(1));
    outbox.enqueue(status(2));
    outbox.enqueue(status(3));
    outbox.setConnected(true);
    await outbox.flush();
    expect(server.received).toEqual(['e1', 'e2']);
    expect(outbox.items.map((i) => i.eventId)).toEqual(['e2', 'e3']);

    outbox.setConnected(false);
    outbox.setConnected(true);
    await outbox.flush();
    expect(server.received).toEqual(['e1', 'e2', 'e2', 'e3']);
    expect(outbox.items).toHaveLength(0);
  });

  it('sends at once while connected, never two at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const outbox = new Outbox({
      send: async (batch) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        sent.push(...batch.map((item) => item.eventId));
        inFlight--;
        return { result: 'done' };
      },
    });
    outbox.setConnected(true);
    outbox.enqueue(status(1));
    outbox.enqueue(status(2));
    outbox.enqueue(status(3));
    await outbox.flush();
    expect(sent).toEqual(['e1', 'e2', 'e3']);
    expect(most).toBe(1);
  });

  it('drops a report the server refuses for good and goes on', async () => {
    const server = fakeServer([
      {
        result: 'refused',
        code: 'STATUS_TRANSITION_INVALID',
        message: 'that status cannot follow the current one',
      },
    ]);
    const states: number[] = [];
    const outbox = new Outbox({
      send: server.send,
      onChange: (state) => states.push(state.pending),
    });
    outbox.enqueue(status(1));
    outbox.enqueue(status(2));
    outbox.setConnected(true);
    await outbox.flush();
    expect(server.received).toEqual(['e1', 'e2']);
    expect(outbox.state.lastRefusal?.code).toBe('STATUS_TRANSITION_INVALID');
    expect(outbox.state.pending).toBe(0);
    expect(states).toEqual([1, 2, 1, 0]);
  });

  it('drops the oldest position when full, never a status report', () => {
    const outbox = new Outbox({ send: fakeServer().send, maxPositions: 2 });
    outbox.enqueue(status(1));
    outbox.enqueue(position(2));
    outbox.enqueue(position(3));
    outbox.enqueue(position(4));
    expect(outbox.items.map((i) => i.eventId)).toEqual(['e1', 'p3', 'p4']);
    expect(outbox.state.droppedPositions).toBe(1);
  });
});

describe('tablet outbox batches and storage', () => {
  it('sends a run of fixes as one batch, statuses alone, in order', async () => {
    const server = fakeServer();
    const outbox = new Outbox({ send: server.send, maxBatch: 2 });
    outbox.enqueue(position(1));
    outbox.enqueue(position(2));
    outbox.enqueue(position(3));
    outbox.enqueue(status(4));
    outbox.enqueue(position(5));
    outbox.setConnected(true);
    await outbox.flush();
    expect(server.batches).toEqual([['p1', 'p2'], ['p3'], ['e4'], ['p5']]);
  });

  it('keeps a batch without an answer, whole, for the next connect', async () => {
    const server = fakeServer([{ result: 'retry', reason: 'timeout' }]);
    const outbox = new Outbox({ send: server.send });
    outbox.enqueue(position(1));
    outbox.enqueue(position(2));
    outbox.setConnected(true);
    await outbox.flush();
    expect(outbox.items.map((i) => i.eventId)).toEqual(['p1', 'p2']);
    outbox.setConnected(false);
    outbox.setConnected(true);
    await outbox.flush();
    expect(server.batches).toEqual([
      ['p1', 'p2'],
      ['p1', 'p2'],
    ]);
    expect(outbox.items).toHaveLength(0);
  });

  it('survives a reload: what was queued is loaded and sent, then forgotten', async () => {
    const storage = memoryStorage();
    const key = 'dispatch.tablet.outbox.crew-a01';
    const before = new Outbox({
      send: fakeServer().send,
      storage: webStorageOutbox(storage, key),
    });
    before.enqueue(status(1));
    before.enqueue(position(2));
    expect(JSON.parse(storage.data.get(key)!)).toHaveLength(2);

    // The page reloads: a new outbox over the same storage.
    const server = fakeServer();
    const after = new Outbox({
      send: server.send,
      storage: webStorageOutbox(storage, key),
    });
    expect(after.state.pending).toBe(2);
    after.setConnected(true);
    await after.flush();
    expect(server.received).toEqual(['e1', 'p2']);
    expect(storage.data.has(key)).toBe(false);
  });

  it('drops stored data it cannot read instead of sending it', () => {
    const storage = memoryStorage();
    storage.setItem('k', '{not json');
    expect(webStorageOutbox(storage, 'k').load()).toEqual([]);
    storage.setItem('k', JSON.stringify([status(1), { kind: 'bogus' }, 7]));
    expect(
      webStorageOutbox(storage, 'k')
        .load()
        .map((i) => i.eventId),
    ).toEqual(['e1']);
  });
});

describe('classifyAck', () => {
  it('takes ok and duplicates as done', () => {
    expect(classifyAck({ ok: true })).toEqual({ result: 'done' });
    expect(classifyAck({ ok: true, duplicate: true } as never)).toEqual({
      result: 'done',
    });
  });

  it('retries server and session failures, refuses the rest', () => {
    expect(
      classifyAck({
        ok: false,
        error: { code: 'STORAGE_UNAVAILABLE', message: 'down' },
      }),
    ).toEqual({ result: 'retry', reason: 'STORAGE_UNAVAILABLE' });
    expect(
      classifyAck({
        ok: false,
        error: { code: 'EVENT_ID_CONFLICT', message: 'conflict' },
      }),
    ).toEqual({
      result: 'refused',
      code: 'EVENT_ID_CONFLICT',
      message: 'conflict',
    });
  });
});
