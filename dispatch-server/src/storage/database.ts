/**
 * One small interface over PostgreSQL (`pg`) and PGlite, so every query in
 * the server runs unchanged on both. Parameters are `$1`-style.
 */
export interface Queryable {
  /** Runs one statement; rows come back as plain objects. */
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A database connection pool (or PGlite's single connection). */
export interface Database extends Queryable {
  /** `postgres` for a server, `pglite` for the embedded database. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled
   * back when it throws (and the error rethrown).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A cheap round trip; throws when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
