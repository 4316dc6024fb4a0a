/**
 * The crew tablet opened with no signal, in a real browser: its service
 * worker keeps the page's shell, so a reload offline shows the tablet
 * (not the browser's error page) with the last assignment and the
 * offline state; a status pressed then reaches the server once when the
 * network is back. The dispatcher console gets no worker, the kept
 * state holds no complaint, and logging out clears it.
 */
import { describe, expect, it } from 'vitest';

import {
  browserSuite,
  callWithUnit,
  openTabletAssigned,
  pageErrors,
  tabletConnection as connection,
  tabletPending as pending,
  DISPATCHER,
  screenshot,
  TABLET_VIEWPORT,
  withoutChromium,
} from './browser.ts';

describe.skipIf(withoutChromium('tablet shell'))(
  'tablet opened with no signal',
  () => {
    const suite = browserSuite({ login: DISPATCHER });

    it('serves the worker fresh, under the page CSP, with the tablet shell of this build', async () => {
      const { server: t } = suite;
      const answer = await fetch(`${t.url}/tablet-sw.js`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-cache');
      expect(answer.headers.get('content-type')).toMatch(/javascript/);
      expect(answer.headers.get('content-security-policy')).toMatch(
        /default-src 'self'/,
      );
      const code = await answer.text();
      const page = await (await fetch(`${t.url}/tablet`)).text();
      // Every script and style the page names is in the worker's shell.
      const named = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)];
      expect(named.length).toBeGreaterThan(1);
      for (const [, file] of named) expect(code).toContain(file);
      expect(code).not.toContain('__TABLET_SHELL_MANIFEST__');
      // Only the tablet's: the dispatcher console's entry is not in it.
      const consolePage = await (await fetch(`${t.url}/`)).text();
      const consoleEntry = /src="(\/assets\/index-[^"]+\.js)"/.exec(
        consolePage,
      )?.[1];
      expect(consoleEntry).toBeDefined();
      expect(code).not.toContain(consoleEntry);
    });

    it('reloads offline with the last assignment, queues a press, and sends it once online', async () => {
      const { server: t, browser, token } = suite;
      const { incident, unitId, crew } = await callWithUnit(t, token, {
        complaint: 'chest pain',
        address: 'Av. Borges de Medeiros 1501',
      });

      const context = await browser.newContext({ viewport: TABLET_VIEWPORT });
      const page = await context.newPage();
      const errors = pageErrors(page);
      // An older build's shell on the device, which this build replaces.
      // (Expressions as text: the test code has no DOM types.)
      await page.goto(`${t.url}/`);
      await page.evaluate(
        `caches.open('dispatch-tablet-shell-0ld').then((c) => c.put('/tablet', new Response('old')))`,
      );
      await openTabletAssigned(page, t.url, crew);
      // The worker has cached the shell and controls the page.
      await expect
        .poll(
          () => page.evaluate<boolean>('!!navigator.serviceWorker.controller'),
          { timeout: 20_000 },
        )
        .toBe(true);
      expect(
        await page.evaluate<string | undefined>(
          'navigator.serviceWorker.getRegistration().then((r) => r?.scope)',
        ),
      ).toBe(`${t.url}/tablet`);

      // What the device keeps: where and how urgent, not the complaint.
      const stateKey = `dispatch.tablet.state.${crew}`;
      const kept = await page.evaluate<string | null>(
        `localStorage.getItem(${JSON.stringify(stateKey)})`,
      );
      expect(kept).toContain('Borges de Medeiros');
      expect(kept).not.toContain('chest pain');

      // No signal, and the tablet is reloaded: the page still opens.
      await context.setOffline(true);
      await expect
        .poll(() => connection(page), { timeout: 20_000 })
        .toBe('offline');
      const reloaded = await page.reload();
      expect(reloaded?.ok()).toBe(true);
      expect(await connection(page)).toBe('offline');
      const card = page.getByTestId('assignment');
      expect(await card.getAttribute('data-state')).toBe('assigned');
      expect(await card.getAttribute('data-incident-id')).toBe(
        String(incident.id),
      );
      expect(await page.getByTestId('assignment-address').textContent()).toBe(
        'Av. Borges de Medeiros 1501',
      );
      expect(
        await page.getByTestId('assignment-complaint').textContent(),
      ).toMatch(/once online/);
      expect(
        await page.getByTestId('unit-status').getAttribute('data-status'),
      ).toBe('dispatched');

      // A status pressed offline waits in the outbox.
      await page.getByTestId('status-en_route').click();
      await expect.poll(() => pending(page), { timeout: 5000 }).toBe(1);
      await screenshot(page, '17-tablet-offline-reload');

      // The signal is back: the tablet reconnects on its own and replays.
      await context.setOffline(false);
      await expect
        .poll(() => connection(page), { timeout: 30_000 })
        .toBe('online');
      await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
      await expect
        .poll(
          () => page.getByTestId('unit-status').getAttribute('data-status'),
          { timeout: 10_000 },
        )
        .toBe('en_route');
      // Online again, the snapshot brings the complaint back.
      await expect
        .poll(() => page.getByTestId('assignment-complaint').textContent(), {
          timeout: 10_000,
        })
        .toMatch(/chest pain/);
      // One cache, this build's, and nothing of the API in it.
      const worker = await (await fetch(`${t.url}/tablet-sw.js`)).text();
      const version = /version\\":\\"([0-9a-f]+)/.exec(worker)?.[1];
      expect(version).toMatch(/^[0-9a-f]{16}$/);
      expect(await page.evaluate<string[]>('caches.keys()')).toEqual([
        `dispatch-tablet-shell-${version}`,
      ]);
      const cached = await page.evaluate<string[]>(
        `caches.open('dispatch-tablet-shell-${version}').then((c) => c.keys()).then((rs) => rs.map((r) => new URL(r.url).pathname))`,
      );
      expect(cached).toContain('/tablet');
      expect(cached.filter((p) => !p.startsWith('/assets/'))).toEqual([
        '/tablet',
      ]);
      const rows = await t.server.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM unit_status_events
        WHERE unit_id = $1 AND status = 'en_route'`,
        [unitId],
      );
      expect(rows[0]!.n).toBe(1);

      // Logging out leaves no incident on the device.
      await page.getByTestId('tablet-logout').click();
      await expect
        .poll(() => page.getByTestId('tablet-login').count(), {
          timeout: 10_000,
        })
        .toBe(1);
      expect(
        await page.evaluate<string | null>(
          `localStorage.getItem(${JSON.stringify(stateKey)})`,
        ),
      ).toBeNull();
      expect(errors).toEqual([]);

      // The dispatcher console is never under the tablet's worker.
      const desk = await context.newPage();
      await desk.goto(`${t.url}/`);
      expect(
        await desk.evaluate<boolean>('!!navigator.serviceWorker.controller'),
      ).toBe(false);
      await context.close();
    }, 180_000);
  },
);
