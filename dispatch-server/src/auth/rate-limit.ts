import type { RedisClientType } from 'redis';

/**
 * Counts failed logins per key (a username, an address) over a fixed
 * window. In Redis when configured, so that every server process shares
 * the count; in process memory otherwise.
 */
export interface FailureCounter {
  /** Current failures of `key` and the seconds until the window resets. */
  peek(key: string): Promise<{ failures: number; resetSeconds: number }>;
  /** Records one failure. */
  fail(key: string): Promise<void>;
  /** Forgets `key` (after a successful login). */
  clear(key: string): Promise<void>;
}

/** In-process counter; expired windows are dropped as they are read. */
export class MemoryFailureCounter implements FailureCounter {
  readonly #windowMs: number;
  readonly #entries = new Map<string, { failures: number; resetAt: number }>();

  constructor(windowSeconds: number) {
    this.#windowMs = windowSeconds * 1000;
  }

  async peek(key: string) {
    const entry = this.#live(key);
    if (!entry) return { failures: 0, resetSeconds: 0 };
    return {
      failures: entry.failures,
      resetSeconds: Math.ceil((entry.resetAt - Date.now()) / 1000),
    };
  }

  async fail(key: string) {
    const entry = this.#live(key);
    if (entry) entry.failures++;
    else {
      // Bounded memory under a password-spraying flood: drop the oldest.
      if (this.#entries.size >= 100_000) {
        const oldest = this.#entries.keys().next().value as string;
        this.#entries.delete(oldest);
      }
      this.#entries.set(key, {
        failures: 1,
        resetAt: Date.now() + this.#windowMs,
      });
    }
  }

  async clear(key: string) {
    this.#entries.delete(key);
  }

  #live(key: string) {
    const entry = this.#entries.get(key);
    if (entry && entry.resetAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

/** Redis counter: `INCR` plus `EXPIRE` on the first failure of a window. */
export class RedisFailureCounter implements FailureCounter {
  readonly #redis: RedisClientType;
  readonly #windowSeconds: number;

  constructor(redis: RedisClientType, windowSeconds: number) {
    this.#redis = redis;
    this.#windowSeconds = windowSeconds;
  }

  async peek(key: string) {
    const name = this.#name(key);
    const [failures, ttl] = await Promise.all([
      this.#redis.get(name),
      this.#redis.ttl(name),
    ]);
    return { failures: Number(failures ?? 0), resetSeconds: Math.max(0, ttl) };
  }

  async fail(key: string) {
    const name = this.#name(key);
    const failures = await this.#redis.incr(name);
    if (failures === 1) await this.#redis.expire(name, this.#windowSeconds);
  }

  async clear(key: string) {
    await this.#redis.del(this.#name(key));
  }

  #name(key: string) {
    return `dispatch:login-failures:${key}`;
  }
}

/**
 * Uses `primary` (Redis) while it answers and `fallback` (memory) while it
 * does not, so a Redis outage degrades the limit to per-process instead of
 * refusing every login.
 */
export class FallbackFailureCounter implements FailureCounter {
  readonly #primary: FailureCounter;
  readonly #fallback: FailureCounter;
  readonly #onFallback: (err: unknown) => void;

  constructor(
    primary: FailureCounter,
    fallback: FailureCounter,
    onFallback: (err: unknown) => void,
  ) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#onFallback = onFallback;
  }

  peek(key: string) {
    return this.#try((c) => c.peek(key));
  }

  fail(key: string) {
    return this.#try((c) => c.fail(key));
  }

  clear(key: string) {
    return this.#try((c) => c.clear(key));
  }

  async #try<T>(call: (counter: FailureCounter) => Promise<T>): Promise<T> {
    try {
      return await call(this.#primary);
    } catch (err) {
      this.#onFallback(err);
      return call(this.#fallback);
    }
  }
}
