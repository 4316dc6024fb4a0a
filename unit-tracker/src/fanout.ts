import type { LivePosition } from './fix.ts';

/**
 * Merges position updates per unit and hands them out in batches every
 * `intervalMs`, so a console gets at most one position per unit per
 * batch however often tablets report. Only the newest fix of a unit
 * survives a batch, so each unit's positions reach a console in order.
 */
export class PositionFanout {
  readonly #intervalMs: number;
  readonly #deliver: (batch: LivePosition[]) => void;
  #pending = new Map<number, LivePosition>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param intervalMs batch period; it bounds the added latency
   * @param deliver called with each non-empty batch
   */
  constructor(intervalMs: number, deliver: (batch: LivePosition[]) => void) {
    this.#intervalMs = intervalMs;
    this.#deliver = deliver;
  }

  push(position: LivePosition): void {
    const queued = this.#pending.get(position.unitId);
    if (queued && Date.parse(queued.at) > Date.parse(position.at)) return;
    this.#pending.set(position.unitId, position);
    this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs);
  }

  /** Delivers what is pending now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    this.#deliver(batch);
  }

  close(): void {
    this.flush();
  }
}
