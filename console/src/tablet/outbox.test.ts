import { describe, expect, it } from 'vitest';

import {
  classifyAck,
  Outbox,
  type OutboxItem,
  type SendOutcome,
} from './outbox.ts';

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

/** A server that answers from a script and records what it received. */
function fakeServer(answers: SendOutcome[] = []) {
  const received: string[] = [];
  const send = async (item: OutboxItem): Promise<SendOutcome> => {
    received.push(item.eventId);
    await Promise.resolve();
    return answers.shift() ?? { result: 'done' };
  };
  return { received, send };
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
      send: async (item) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        sent.push(item.eventId);
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
