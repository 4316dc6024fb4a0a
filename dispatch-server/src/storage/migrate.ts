import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Database } from './database.ts';

/** The versioned SQL migrations, applied in file-name order. */
export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'migrations',
);

// Any constant works; it only has to be the same in every process.
const MIGRATION_LOCK = 7_140_180;

/**
 * Brings the schema up to date: each `NNNN_name.sql` not yet recorded in
 * `schema_migrations` runs in its own transaction. On PostgreSQL an
 * advisory lock keeps two starting servers from migrating at once.
 * @returns the versions applied now
 */
export async function migrate(
  db: Database,
  dir: string = MIGRATIONS_DIR,
): Promise<string[]> {
  const files = fs
    .readdirSync(dir)
    .filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name))
    .sort();
  if (db.kind === 'postgres') {
    await db.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  }
  try {
    await db.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (
        await db.query<{ version: string }>(
          'SELECT version FROM schema_migrations',
        )
      ).map((row) => row.version),
    );
    const applied: string[] = [];
    for (const file of files) {
      const version = file.slice(0, -'.sql'.length);
      if (done.has(version)) continue;
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      await db.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [
          version,
        ]);
      });
      applied.push(version);
    }
    return applied;
  } finally {
    if (db.kind === 'postgres') {
      await db.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  }
}
