import { setTimeout as delay } from 'node:timers/promises';

/**
 * The replay's accelerated clock: simulated seconds since the start of
 * the run, `speed` of them per real second. The server keeps its own,
 * real clock, so the intervals it measures are the simulated ones divided
 * by `speed`.
 */
export class ReplayClock {
  readonly speed: number;
  readonly startedAt: number;

  constructor(speed: number, startedAt = Date.now()) {
    this.speed = speed;
    this.startedAt = startedAt;
  }

  /** Simulated seconds elapsed. */
  now(): number {
    return ((Date.now() - this.startedAt) / 1000) * this.speed;
  }

  /** Waits `simSeconds` of simulated time; rejects when `signal` aborts. */
  async sleep(simSeconds: number, signal?: AbortSignal): Promise<void> {
    await delay(Math.max(0, (simSeconds * 1000) / this.speed), undefined, {
      signal,
    });
  }

  /** Waits until simulated second `simSeconds` of the run. */
  async until(simSeconds: number, signal?: AbortSignal): Promise<void> {
    await this.sleep(simSeconds - this.now(), signal);
  }
}

/** Whether `err` is the rejection of an aborted wait. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
