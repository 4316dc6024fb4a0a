import fs from 'node:fs';

import { PGlite, type Transaction } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

import type { Database, Queryable } from './database.ts';

/**
 * The embedded default: PGlite (PostgreSQL compiled to WebAssembly) with
 * its PostGIS extension, stored in a folder. One connection; PGlite
 * serialises queries and transactions itself.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;

  private constructor(db: PGlite) {
    this.#db = db;
  }

  /**
   * Opens (creating when needed) the database in `dataDir`; `memory://`
   * keeps it in memory, for tests.
   */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    if (!dataDir.startsWith('memory://')) {
      fs.mkdirSync(dataDir, { recursive: true });
    }
    const db = await PGlite.create({ dataDir, extensions: { postgis } });
    return new PgliteDatabase(db);
  }

  async query<Row extends object>(
    text: string,
    params: readonly unknown[] = [],
  ): Promise<Row[]> {
    const result = await this.#db.query<Row>(text, params as unknown[]);
    return result.rows;
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#db.transaction((inner: Transaction) =>
      work({
        query: async <Row extends object>(
          text: string,
          params: readonly unknown[] = [],
        ) => (await inner.query<Row>(text, params as unknown[])).rows,
        exec: async (sql: string) => {
          await inner.exec(sql);
        },
      }),
    );
  }

  async exec(sql: string): Promise<void> {
    await this.#db.exec(sql);
  }

  async ping(): Promise<void> {
    await this.#db.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
