import type { Ack, TabletFix, TabletStatusReport } from '../shared/types.ts';

/** One crew report waiting to reach the server. */
export type OutboxItem =
  | { kind: 'status'; eventId: string; report: TabletStatusReport }
  | { kind: 'ack'; eventId: string; incidentId: number; at: string }
  | { kind: 'position'; eventId: string; fix: TabletFix };

/**
 * What became of one send: `done` (acked, or a duplicate: the server has
 * it), `retry` (no answer, or a failure worth repeating: keep it and stop
 * until the next reconnect), `refused` (the server will never take it,
 * e.g. a status that cannot follow the current one: drop it, tell the crew).
 */
export type SendOutcome =
  | { result: 'done' }
  | { result: 'retry'; reason: string }
  | { result: 'refused'; code: string; message: string };

/**
 * Sends one batch: a status or an acknowledgement alone, or a run of
 * consecutive GPS fixes (sent as one `positions` event). Resolves with
 * what the server said about the batch. Never rejects.
 */
export type OutboxSend = (batch: readonly OutboxItem[]) => Promise<SendOutcome>;

/**
 * Where the queue survives a page reload or a browser restart (e.g. the
 * tablet's `localStorage`): loaded once, saved after every change.
 */
export interface OutboxStorage {
  load(): OutboxItem[];
  save(items: readonly OutboxItem[]): void;
}

// Failures of the server or the session rather than of the report: the
// same report may succeed later, so it stays at the head of the queue.
const RETRY_CODES = new Set([
  'STORAGE_UNAVAILABLE',
  'ROUTING_FAILED',
  'INTERNAL',
  'AUTH_REQUIRED',
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_TOKEN_REVOKED',
]);

/**
 * Judges a socket ack: `ok: true` (a duplicate included) is done; a
 * server or session failure is retried; any other refusal is final.
 */
export function classifyAck(answer: Ack<object>): SendOutcome {
  if (answer.ok) return { result: 'done' };
  const { code, message } = answer.error;
  if (RETRY_CODES.has(code)) return { result: 'retry', reason: code };
  return { result: 'refused', code, message };
}

/** Settings of an {@link Outbox}. */
export interface OutboxOptions {
  send: OutboxSend;
  /**
   * Most positions kept while offline; past it the oldest position is
   * dropped (status reports are never dropped). Default 2000.
   */
  maxPositions?: number;
  /** Most fixes in one `positions` batch. Default 100. */
  maxBatch?: number;
  /** Keeps the queue across reloads; without it, memory only. */
  storage?: OutboxStorage;
  /** Called when the queue changes (length, a refusal). */
  onChange?: (state: OutboxState) => void;
}

/** What the outbox shows the crew. */
export interface OutboxState {
  pending: number;
  /** The last report the server refused for good, if any. */
  lastRefusal: { item: OutboxItem; code: string; message: string } | null;
  /** Positions dropped because the queue was full. */
  droppedPositions: number;
}

/**
 * The tablet's outbox: every crew report (status, acknowledgement, GPS
 * fix) goes in with its device time and eventId, and leaves in order,
 * one batch at a time, only once the server has it; consecutive fixes
 * leave together as one batch. Sending stops at the first batch without
 * an answer and starts again from it on the next {@link Outbox.flush}
 * (called on every reconnect), so the server sees the reports in the
 * order the crew made them; resending is safe because the server answers
 * a known eventId (and a known fix time) as a duplicate. With a
 * {@link OutboxStorage} the queue also survives a reload.
 */
export class Outbox {
  readonly #items: OutboxItem[] = [];
  readonly #send: OutboxSend;
  readonly #maxPositions: number;
  readonly #maxBatch: number;
  readonly #storage: OutboxStorage | undefined;
  readonly #onChange: ((state: OutboxState) => void) | undefined;
  #current: Promise<void> = Promise.resolve();
  #draining = false;
  #connected = false;
  #lastRefusal: OutboxState['lastRefusal'] = null;
  #droppedPositions = 0;

  constructor(options: OutboxOptions) {
    this.#send = options.send;
    this.#maxPositions = options.maxPositions ?? 2000;
    this.#maxBatch = options.maxBatch ?? 100;
    this.#storage = options.storage;
    this.#onChange = options.onChange;
    if (this.#storage) this.#items.push(...this.#storage.load());
  }

  /** Items not yet acked, oldest first. */
  get items(): readonly OutboxItem[] {
    return this.#items;
  }

  /** The current state, as `onChange` reports it. */
  get state(): OutboxState {
    return {
      pending: this.#items.length,
      lastRefusal: this.#lastRefusal,
      droppedPositions: this.#droppedPositions,
    };
  }

  /** Queues a report and sends it at once when connected. */
  enqueue(item: OutboxItem): void {
    if (item.kind === 'position') this.#makeRoomForPosition();
    this.#items.push(item);
    this.#changed();
    if (this.#connected) void this.flush();
  }

  /** Tells the outbox the socket went up or down; up starts a flush. */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    if (connected) void this.flush();
  }

  /**
   * Sends queued items in order until the queue is empty or one gets no
   * answer. A flush already running is joined, never doubled: two
   * flushes could send the same head twice and overtake each other.
   */
  flush(): Promise<void> {
    if (!this.#draining) this.#current = this.#drain();
    return this.#current;
  }

  async #drain(): Promise<void> {
    // Set and cleared in this body, with no await before the loop: an
    // item queued right after the last send must start a new drain, not
    // join one that has already finished.
    this.#draining = true;
    try {
      while (this.#connected && this.#items.length > 0) {
        const batch = this.#nextBatch();
        const outcome = await this.#send(batch);
        if (outcome.result === 'retry') return;
        // A position of the batch may have been pushed out meanwhile
        // (full queue); remove those still there.
        const sent = new Set(batch);
        for (let i = this.#items.length - 1; i >= 0; i--) {
          if (sent.has(this.#items[i]!)) this.#items.splice(i, 1);
        }
        if (outcome.result === 'refused') {
          this.#lastRefusal = {
            item: batch[0]!,
            code: outcome.code,
            message: outcome.message,
          };
        }
        this.#changed();
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The head alone, or the run of fixes it starts. */
  #nextBatch(): OutboxItem[] {
    const head = this.#items[0]!;
    if (head.kind !== 'position') return [head];
    const batch = [head];
    for (
      let i = 1;
      i < this.#items.length && batch.length < this.#maxBatch;
      i++
    ) {
      const item = this.#items[i]!;
      if (item.kind !== 'position') break;
      batch.push(item);
    }
    return batch;
  }

  #makeRoomForPosition(): void {
    let positions = 0;
    for (const item of this.#items) if (item.kind === 'position') positions++;
    if (positions < this.#maxPositions) return;
    // The head may be in flight; drop the oldest position behind it.
    const index = this.#items.findIndex(
      (item, i) => i > 0 && item.kind === 'position',
    );
    if (index < 0) return;
    this.#items.splice(index, 1);
    this.#droppedPositions++;
    console.warn('outbox full: dropped the oldest queued position');
  }

  #changed(): void {
    this.#storage?.save(this.#items);
    this.#onChange?.(this.state);
  }
}
