import type { RedisClientType } from 'redis';

import { MemoryDwellStore, type DwellStore } from './arrival.ts';
import type { LivePosition } from './fix.ts';

/**
 * The latest position of every unit: in Redis when configured (a GEO set
 * for "who is near" plus a hash of the full records, shared by every
 * server process), in process memory otherwise.
 */
export interface LiveStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Makes `position` the unit's latest, unless the store holds a later one
   * (by device time; another server process may have taken a newer fix).
   * @returns whether `position` is now the unit's latest
   */
  set(position: LivePosition): Promise<boolean>;
  get(unitId: number): Promise<LivePosition | undefined>;
  all(): Promise<Map<number, LivePosition>>;
}

/** Positions in a Map; lost on restart (the track in PostGIS is not). */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'memory' as const;
  readonly #positions = new Map<number, LivePosition>();

  async set(position: LivePosition) {
    const current = this.#positions.get(position.unitId);
    if (current && current.at > position.at) return false;
    this.#positions.set(position.unitId, position);
    return true;
  }

  async get(unitId: number) {
    return this.#positions.get(unitId);
  }

  async all() {
    return new Map(this.#positions);
  }
}

/** Redis keys of the live state. */
export const REDIS_KEYS = {
  geo: 'dispatch:positions:geo',
  records: 'dispatch:positions',
} as const;

// Newer-only write of one position, atomic in Redis: several server
// processes may take fixes of one unit, and an older fix must not move
// it back. ISO 8601 instants in UTC (toISOString) sort as strings.
const SET_IF_NEWER = `
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and decoded.at and decoded.at > ARGV[4] then
    return 0
  end
end
redis.call('GEOADD', KEYS[1], ARGV[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
return 1`;

/**
 * Positions in Redis: `GEOADD` on one GEO set (unit id as member) and the
 * record as JSON in one hash, written together by one script so a reader
 * never sees one without the other, and only when not older than the
 * stored position.
 */
export class RedisLiveStore implements LiveStore {
  readonly kind = 'redis' as const;
  readonly #redis: RedisClientType;
  readonly #keys: { geo: string; records: string };

  constructor(redis: RedisClientType, prefix = '') {
    this.#redis = redis;
    this.#keys = {
      geo: prefix + REDIS_KEYS.geo,
      records: prefix + REDIS_KEYS.records,
    };
  }

  async set(position: LivePosition) {
    const written = await this.#redis.eval(SET_IF_NEWER, {
      keys: [this.#keys.geo, this.#keys.records],
      arguments: [
        String(position.unitId),
        String(position.lon),
        String(position.lat),
        position.at,
        JSON.stringify(position),
      ],
    });
    return written === 1;
  }

  async get(unitId: number) {
    const text = await this.#redis.hGet(this.#keys.records, String(unitId));
    return text ? (JSON.parse(text) as LivePosition) : undefined;
  }

  async all() {
    const records = await this.#redis.hGetAll(this.#keys.records);
    const positions = new Map<number, LivePosition>();
    for (const text of Object.values(records)) {
      const position = JSON.parse(text) as LivePosition;
      positions.set(position.unitId, position);
    }
    return positions;
  }

  /** Units within `radiusMeters` of a point, nearest first. */
  async near(
    point: { lat: number; lon: number },
    radiusMeters: number,
  ): Promise<number[]> {
    const members = await this.#redis.geoSearch(
      this.#keys.geo,
      { longitude: point.lon, latitude: point.lat },
      { radius: radiusMeters, unit: 'm' },
      { SORT: 'ASC' },
    );
    return members.map(Number);
  }
}

/**
 * Redis while it answers, process memory meanwhile: a Redis outage
 * degrades positions to what this process has seen instead of failing
 * GPS ingest and every unit list. Every position is also kept in memory,
 * and reads take the newer of the two per unit, so a position taken
 * during the outage is not hidden by an older one in Redis afterwards.
 * (Other processes see it once the unit's next fix reaches Redis.)
 */
export class FallbackLiveStore implements LiveStore {
  readonly kind = 'redis' as const;
  readonly #redis: LiveStore;
  readonly #memory = new MemoryLiveStore();
  readonly #ready: () => boolean;
  readonly #onFailure: (err: unknown) => void;

  /**
   * @param ready whether Redis is connected now (a disconnected client
   *   is not even asked)
   * @param onFailure a Redis call failed; the memory answered instead
   */
  constructor(
    redis: LiveStore,
    ready: () => boolean,
    onFailure: (err: unknown) => void,
  ) {
    this.#redis = redis;
    this.#ready = ready;
    this.#onFailure = onFailure;
  }

  async set(position: LivePosition) {
    const local = await this.#memory.set(position);
    if (!this.#ready()) return local;
    try {
      return await this.#redis.set(position);
    } catch (err) {
      this.#onFailure(err);
      return local;
    }
  }

  async get(unitId: number) {
    const local = await this.#memory.get(unitId);
    const shared = await this.#shared(() => this.#redis.get(unitId));
    return newer(shared, local);
  }

  async all() {
    const local = await this.#memory.all();
    const shared = await this.#shared(() => this.#redis.all());
    if (!shared) return local;
    for (const [unitId, position] of local) {
      const other = shared.get(unitId);
      shared.set(unitId, newer(other, position) as LivePosition);
    }
    return shared;
  }

  async #shared<T>(read: () => Promise<T>): Promise<T | undefined> {
    if (!this.#ready()) return undefined;
    try {
      return await read();
    } catch (err) {
      this.#onFailure(err);
      return undefined;
    }
  }
}

function newer(
  a: LivePosition | undefined,
  b: LivePosition | undefined,
): LivePosition | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b.at) > Date.parse(a.at) ? b : a;
}

/** A once-per-period permit shared by the server processes. */
export interface SharedThrottle {
  /**
   * Takes `key` for `periodMs` unless another caller holds it.
   * @returns whether the caller got it
   */
  take(key: string, periodMs: number): Promise<boolean>;
}

/** {@link SharedThrottle} in Redis: `SET key NX PX periodMs`. */
export class RedisThrottle implements SharedThrottle {
  readonly #redis: RedisClientType;
  readonly #prefix: string;

  constructor(redis: RedisClientType, prefix = '') {
    this.#redis = redis;
    this.#prefix = `${prefix}dispatch:throttle:`;
  }

  async take(key: string, periodMs: number): Promise<boolean> {
    const answer = await this.#redis.set(this.#prefix + key, '1', {
      condition: 'NX',
      expiration: { type: 'PX', value: Math.max(1, Math.round(periodMs)) },
    });
    return answer === 'OK';
  }
}

// The earlier of the stored and the given dwell start, atomically.
const DWELL_START = `
local since = redis.call('HGET', KEYS[1], ARGV[1])
if since and tonumber(since) <= tonumber(ARGV[2]) then
  return since
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]`;

/**
 * Arrival dwell starts in one Redis hash, so the processes that take fixes
 * of one unit time one dwell. While Redis is not ready (or fails) this
 * process's memory answers instead.
 */
export class RedisDwellStore implements DwellStore {
  readonly #redis: RedisClientType;
  readonly #key: string;
  readonly #ready: () => boolean;
  readonly #memory = new MemoryDwellStore();
  readonly #onFailure: (err: unknown) => void;

  constructor(
    redis: RedisClientType,
    options: {
      prefix?: string;
      ready?: () => boolean;
      onFailure?: (err: unknown) => void;
    } = {},
  ) {
    this.#redis = redis;
    this.#key = `${options.prefix ?? ''}dispatch:arrival-dwell`;
    this.#ready = options.ready ?? (() => redis.isReady);
    this.#onFailure = options.onFailure ?? (() => {});
  }

  async start(unitId: number, atMs: number): Promise<number> {
    const local = await this.#memory.start(unitId, atMs);
    if (!this.#ready()) return local;
    try {
      const since = await this.#redis.eval(DWELL_START, {
        keys: [this.#key],
        arguments: [String(unitId), String(Math.round(atMs))],
      });
      return Number(since);
    } catch (err) {
      this.#onFailure(err);
      return local;
    }
  }

  async clear(unitId: number): Promise<void> {
    await this.#memory.clear(unitId);
    if (!this.#ready()) return;
    await this.#redis
      .hDel(this.#key, String(unitId))
      .then(() => {}, this.#onFailure);
  }
}
