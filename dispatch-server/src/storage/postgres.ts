import pg from 'pg';

import type { Database, Queryable } from './database.ts';

/**
 * PostgreSQL through a `pg` pool. Connection failures surface as errors
 * from `query` (the caller maps them to 503); the pool reconnects by
 * itself once the server is back.
 */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;

  constructor(connectionString: string, options: { max?: number } = {}) {
    this.#pool = new pg.Pool({
      connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: 3000,
      // Keeps a statement from holding a dispatcher's request forever.
      statement_timeout: 10_000,
    });
    // An idle client losing its connection must not crash the process.
    this.#pool.on('error', () => {});
  }

  async query<Row extends object>(
    text: string,
    params: readonly unknown[] = [],
  ): Promise<Row[]> {
    const result = await this.#pool.query(text, params as unknown[]);
    return result.rows as Row[];
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: Queryable = {
      query: async <Row extends object>(
        text: string,
        params: readonly unknown[] = [],
      ) => (await client.query(text, params as unknown[])).rows as Row[],
      exec: async (sql: string) => {
        await client.query(sql);
      },
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A broken connection cannot roll back; drop it from the pool.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackErr: Error) => client.release(rollbackErr),
      );
      throw err;
    }
  }

  async exec(sql: string): Promise<void> {
    await this.#pool.query(sql);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
