import type {
  Ack,
  ConsoleClientToServer,
  ConsoleServerToClient,
  ConsoleSnapshot,
} from '@dispatch/server/contract';
import type { Socket } from 'socket.io-client';

import { connect, latencySummary } from '../../../scripts/bench/kit.ts';

type ConsoleSocket = Socket<ConsoleServerToClient, ConsoleClientToServer>;
type LivePosition = Parameters<
  ConsoleServerToClient['unit:positions']
>[0][number];

/** What the replay's consoles received, for the summary. */
export interface ConsoleReport {
  /** `/console` connections opened (`--consoles`). */
  connections: number;
  /** Snapshots loaded on connect. */
  snapshots: number;
  /** Live events received over all connections, by event name. */
  events: Record<string, number>;
  /**
   * Real time from the tablet sending a fix (its `positions` batch) to a
   * console receiving the `unit:positions` batch that holds it, over
   * every connection. The server merges positions per unit and sends
   * only each unit's newest, so not every fix sent is measured.
   */
  positionLatency: ReturnType<typeof latencySummary>;
}

const SNAPSHOT_TIMEOUT_MS = 10_000;
/** Sent fixes older than this (real ms) are no longer waited for. */
const FORGET_AFTER_MS = 30_000;

/**
 * N dispatcher consoles on the `/console` socket, as the browser console
 * uses it: a snapshot on connect, then the live events, counted by
 * name. The tablets tell it when they send each fix ({@link fixSent}),
 * so it can time the fix's way through the tracker and the fan-out.
 */
export class ConsoleWatch {
  private readonly sockets: ConsoleSocket[] = [];
  private readonly events: Record<string, number> = {};
  private readonly latencies: number[] = [];
  /** `unitId|at` of a sent fix -> when it was sent (Date.now()). */
  private readonly sent = new Map<string, number>();
  private snapshots = 0;

  /**
   * Opens `count` connections with the dispatcher's token and loads a
   * snapshot on each.
   * @throws Error when a connection or its snapshot is refused
   */
  async open(url: string, token: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const socket = (await connect(
        `${url}/console`,
        token,
      )) as unknown as ConsoleSocket;
      this.sockets.push(socket);
      socket.onAny((event: string, ...args: unknown[]) => {
        this.events[event] = (this.events[event] ?? 0) + 1;
        if (event === 'unit:positions') {
          this.received(args[0] as LivePosition[]);
        }
      });
      const answer = (await socket
        .timeout(SNAPSHOT_TIMEOUT_MS)
        .emitWithAck('snapshot')) as Ack<ConsoleSnapshot>;
      if (!answer.ok) {
        throw new Error(`console snapshot: ${answer.error.message}`);
      }
      this.snapshots += 1;
    }
  }

  /** A tablet is sending these fixes of `unitId` now. */
  fixSent(unitId: number, fixes: readonly { at: string }[]): void {
    if (this.sockets.length === 0) return;
    const now = Date.now();
    for (const fix of fixes) this.sent.set(`${unitId}|${fix.at}`, now);
    // Insertion order is send order: forget from the front.
    for (const [key, at] of this.sent) {
      if (now - at < FORGET_AFTER_MS) break;
      this.sent.delete(key);
    }
  }

  private received(positions: LivePosition[]): void {
    const now = Date.now();
    for (const p of positions) {
      const sentAt = this.sent.get(`${p.unitId}|${p.at}`);
      if (sentAt !== undefined) this.latencies.push(now - sentAt);
    }
  }

  report(): ConsoleReport {
    return {
      connections: this.sockets.length,
      snapshots: this.snapshots,
      events: { ...this.events },
      positionLatency: latencySummary(this.latencies),
    };
  }

  close(): void {
    for (const socket of this.sockets) socket.disconnect();
  }
}
