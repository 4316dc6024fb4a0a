import type { RedisClientType } from 'redis';

import type { LivePosition } from './fix.ts';

/**
 * The latest position of every unit: in Redis when configured (a GEO set
 * for "who is near" plus a hash of the full records, shared by every
 * server process), in process memory otherwise.
 */
export interface LiveStore {
  readonly kind: 'redis' | 'memory';
  set(position: LivePosition): Promise<void>;
  get(unitId: number): Promise<LivePosition | undefined>;
  all(): Promise<Map<number, LivePosition>>;
}

/** Positions in a Map; lost on restart (the track in PostGIS is not). */
export class MemoryLiveStore implements LiveStore {
  readonly kind = 'memory' as const;
  readonly #positions = new Map<number, LivePosition>();

  async set(position: LivePosition) {
    this.#positions.set(position.unitId, position);
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

/**
 * Positions in Redis: `GEOADD` on one GEO set (unit id as member) and the
 * record as JSON in one hash, written together in a MULTI so a reader
 * never sees one without the other.
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
    const member = String(position.unitId);
    await this.#redis
      .multi()
      .geoAdd(this.#keys.geo, {
        longitude: position.lon,
        latitude: position.lat,
        member,
      })
      .hSet(this.#keys.records, member, JSON.stringify(position))
      .exec();
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
    await this.#memory.set(position);
    if (!this.#ready()) return;
    await this.#redis.set(position).catch(this.#onFailure);
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
