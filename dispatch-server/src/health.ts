import { EventEmitter } from 'node:events';

import type { Health } from './health-report.ts';
import type { Logger } from './log.ts';

/** The parts of {@link Health} whose change is worth telling consoles. */
function signature(health: Health): string {
  return JSON.stringify([
    health.status,
    health.storage.ok,
    health.live.ok,
    health.routing.ok,
  ]);
}

/**
 * Watches this process's dependencies (database, Redis, OSRM) and tells
 * when their state changes, so consoles can show a degraded state as it
 * starts and end it, without polling each. Each process reports what it
 * sees itself: a console is told by the process it is connected to.
 */
export class HealthMonitor extends EventEmitter<{ change: [Health] }> {
  readonly #check: () => Promise<Health>;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  #current: Health | undefined;
  #checking = false;

  /**
   * @param everyMs how often to check; a change is told (`change`) within
   *   this time
   */
  constructor(options: {
    check: () => Promise<Health>;
    log: Logger;
    everyMs?: number;
  }) {
    super();
    this.#check = options.check;
    this.#log = options.log;
    this.#timer = setInterval(
      () => void this.refresh(),
      options.everyMs ?? 1000,
    );
    this.#timer.unref();
  }

  /** The latest state seen; undefined before the first check. */
  get current(): Health | undefined {
    return this.#current;
  }

  /** Checks now; emits `change` (and logs) when the state changed. */
  async refresh(): Promise<Health | undefined> {
    if (this.#checking) return this.#current;
    this.#checking = true;
    try {
      const health = await this.#check();
      const before = this.#current;
      this.#current = health;
      if (!before || signature(before) !== signature(health)) {
        const state = {
          status: health.status,
          storage: health.storage.ok,
          live: health.live.ok,
          routing: health.routing.ok,
        };
        if (health.status === 'ok') this.#log.info(state, 'health');
        else this.#log.warn(state, 'health degraded');
        this.emit('change', health);
      }
      return health;
    } finally {
      this.#checking = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
