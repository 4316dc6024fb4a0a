import path from 'node:path';

import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { PgliteDatabase } from './pglite.ts';
import { PostgresDatabase } from './postgres.ts';

/**
 * Opens the records database and migrates it: PostgreSQL + PostGIS when
 * `databaseUrl` is set, else PGlite with PostGIS in `dataDir`.
 */
export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
}): Promise<Database> {
  const db: Database = options.databaseUrl
    ? new PostgresDatabase(options.databaseUrl)
    : await PgliteDatabase.open(
        options.dataDir.startsWith('memory://')
          ? options.dataDir
          : path.join(options.dataDir, 'pglite'),
      );
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
