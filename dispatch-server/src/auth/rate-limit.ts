import type { RedisClientType } from 'redis';

/**
 * Counts login attempts per key (a username, an address) over a fixed
 * window. An attempt is counted before its password is checked, in one
 * atomic step, so guesses sent in parallel cannot all slip under the
 * limit. A successful login clears the key. In Redis when configured, so
 * every server process shares the count; in process memory otherwise.
 */
export interface FailureCounter {
  /**
   * Counts one attempt of `key`.
   * @returns attempts in the current window, this one included, and the
   *   seconds until the window ends
   */
  attempt(key: string): Promise<{ attempts: number; resetSeconds: number }>;
  /** Forgets `key` (after a successful login). */
  clear(key: string): Promise<void>;
}

/** In-process counter; expired windows are dropped as they are read. */
export class MemoryFailureCounter implements FailureCounter {
  readonly #windowMs: number;
  readonly #entries = new Map<string, { attempts: number; resetAt: number }>();

  constructor(windowSeconds: number) {
    this.#windowMs = windowSeconds * 1000;
  }

  async attempt(key: string) {
    const now = Date.now();
    let entry = this.#entries.get(key);
    if (!entry || entry.resetAt <= now) {
      // Bounded memory under a password-spraying flood: drop the oldest.
      if (this.#entries.size >= 100_000) {
        const oldest = this.#entries.keys().next().value as string;
        this.#entries.delete(oldest);
      }
      entry = { attempts: 0, resetAt: now + this.#windowMs };
      this.#entries.set(key, entry);
    }
    entry.attempts++;
    return {
      attempts: entry.attempts,
      resetSeconds: Math.ceil((entry.resetAt - now) / 1000),
    };
  }

  async clear(key: string) {
    this.#entries.delete(key);
  }
}

/** Redis counter: `INCR`, and `EXPIRE` on the first attempt of a window. */
export class RedisFailureCounter implements FailureCounter {
  readonly #redis: RedisClientType;
  readonly #windowSeconds: number;
  readonly #prefix: string;

  constructor(redis: RedisClientType, windowSeconds: number, prefix = '') {
    this.#redis = redis;
    this.#windowSeconds = windowSeconds;
    this.#prefix = prefix;
  }

  async attempt(key: string) {
    const name = this.#name(key);
    const attempts = await this.#redis.incr(name);
    if (attempts === 1) {
      await this.#redis.expire(name, this.#windowSeconds);
      return { attempts, resetSeconds: this.#windowSeconds };
    }
    const ttl = await this.#redis.ttl(name);
    if (ttl < 0) {
      // The process that set the key died between INCR and EXPIRE.
      await this.#redis.expire(name, this.#windowSeconds);
    }
    return { attempts, resetSeconds: ttl > 0 ? ttl : this.#windowSeconds };
  }

  async clear(key: string) {
    await this.#redis.del(this.#name(key));
  }

  #name(key: string) {
    return `${this.#prefix}dispatch:login-attempts:${key}`;
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

  attempt(key: string) {
    return this.#try((c) => c.attempt(key));
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
