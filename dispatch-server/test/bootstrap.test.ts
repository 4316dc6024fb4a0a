import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { AuthService } from '../src/auth/auth-service.ts';
import { MemoryFailureCounter } from '../src/auth/rate-limit.ts';
import { ensureAdmin } from '../src/bootstrap.ts';
import { createLogger } from '../src/log.ts';
import { migrate } from '../src/storage/migrate.ts';
import { openDatabase } from '../src/storage/open.ts';
import { DOWNTOWN, startTestServer } from './harness.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('embedded database and first start', () => {
  it('keeps records on disk across restarts and migrates once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-db-'));
    dirs.push(dir);
    const first = await openDatabase({ dataDir: dir });
    expect(first.kind).toBe('pglite');
    const auth = new AuthService({
      db: first,
      failures: new MemoryFailureCounter(60),
      tokenTtlSeconds: 60,
      maxFailures: 5,
    });
    const printed: string[] = [];
    const log = createLogger({ level: 'silent' });
    await ensureAdmin(auth, undefined, log, (text) => printed.push(text));
    expect(printed).toHaveLength(1);
    const password = /\n {6}(\S+)\n/.exec(printed[0] as string)?.[1];
    expect(password).toMatch(/^[\w-]{20,}$/);
    await first.close();

    const second = await openDatabase({ dataDir: dir });
    expect(await migrate(second)).toEqual([]);
    const again = new AuthService({
      db: second,
      failures: new MemoryFailureCounter(60),
      tokenTtlSeconds: 60,
      maxFailures: 5,
    });
    await ensureAdmin(again, undefined, log, (text) => printed.push(text));
    expect(printed).toHaveLength(1); // shown only once
    const session = await again.login('admin', password as string, '::1');
    expect(session.role).toBe('admin');
    const versions = await second.query<{ version: string }>(
      'SELECT version FROM schema_migrations',
    );
    expect(versions.map((v) => v.version)).toEqual([
      '0001_init',
      '0002_unit_events_by_incident',
      '0003_unit_track',
    ]);
    await second.close();
  });
});

describe('auto-dispatch', () => {
  it('sends the top unit to a priority-1 call at once, and leaves others to the dispatcher', async () => {
    const t = await startTestServer({ DISPATCH_AUTO_DISPATCH: 'true' });
    try {
      const token = await t.login('dispatcher', 'dispatcher-demo');
      const p1 = await t.request('POST', '/api/incidents', {
        token,
        body: { location: DOWNTOWN, priority: 1 },
      });
      expect(p1.status).toBe(201);
      expect(p1.body.phase).toBe('dispatched');
      expect(p1.body.unitIds).toHaveLength(1);
      const event = p1.body.timeline[1];
      expect(event).toMatchObject({ phase: 'dispatched', source: 'system' });
      const p2 = await t.request('POST', '/api/incidents', {
        token,
        body: { location: DOWNTOWN, priority: 2 },
      });
      expect(p2.body.phase).toBe('received');
    } finally {
      await t.close();
    }
  });
});
