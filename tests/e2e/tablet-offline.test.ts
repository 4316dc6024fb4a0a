/**
 * The crew tablet through signal loss and a reload, in a real browser:
 * a status pressed and GPS fixes taken with no network wait in the
 * outbox (kept in localStorage), survive a reload, and reach the server
 * once when the network is back, the fixes as one `positions` batch.
 */
import type { BrowserContext } from 'playwright-core';
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
  withoutChromium,
} from './browser.ts';

describe.skipIf(withoutChromium('tablet offline'))(
  'tablet outbox across signal loss and reload',
  () => {
    const suite = browserSuite({ login: DISPATCHER });

    it('replays a status and GPS fixes made offline after a reload, the status once', async () => {
      const { server: t, browser, token } = suite;
      // A call with a unit on it.
      const { incident, unitId, unit, crew } = await callWithUnit(t, token);

      // The crew's tablet, with GPS at the station.
      const near = (north: number) => ({
        latitude: unit.station.lat + north / 111_195,
        longitude: unit.station.lon,
        accuracy: 10,
      });
      const context: BrowserContext = await browser.newContext({
        viewport: { width: 800, height: 1000 },
        permissions: ['geolocation'],
        geolocation: near(0),
      });
      const page = await context.newPage();
      const errors = pageErrors(page);
      await openTabletAssigned(page, t.url, crew);
      await expect.poll(() => pending(page), { timeout: 10_000 }).toBe(0);
      const { count: fixesBefore } = await trackCount(unitId);

      // Signal lost: a status and two fixes wait in the outbox.
      await context.setOffline(true);
      await expect
        .poll(() => connection(page), { timeout: 20_000 })
        .toBe('offline');
      await page.getByTestId('status-en_route').click();
      // The tablet keeps one fix per 3 s.
      await page.waitForTimeout(3200);
      await context.setGeolocation(near(60));
      await page.waitForTimeout(3200);
      await context.setGeolocation(near(120));
      await expect
        .poll(() => pending(page), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(3);
      await screenshot(page, '14-tablet-offline');
      const key = `dispatch.tablet.outbox.crew-${unit.callSign.toLowerCase()}`;
      // Expressions as text: the test code has no DOM types.
      const saved = await page.evaluate<string | null>(
        `localStorage.getItem(${JSON.stringify(key)})`,
      );
      const queued = JSON.parse(saved!) as { kind: string; eventId: string }[];
      expect(queued.map((item) => item.kind)).toEqual(
        expect.arrayContaining(['status', 'position', 'position']),
      );

      // The tablet reloads with no signal (its shell may come from the
      // service worker: tablet-shell.test.ts), then the signal is back
      // and the crew opens the tablet again.
      await page.reload().catch(() => undefined);
      await context.setOffline(false);
      await page.goto(`${t.url}/tablet`);
      await expect
        .poll(() => connection(page), { timeout: 20_000 })
        .toBe('online');
      await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
      await expect
        .poll(
          () => page.getByTestId('unit-status').getAttribute('data-status'),
          {
            timeout: 10_000,
          },
        )
        .toBe('en_route');

      // The server has the status once and the fixes.
      const enRouteEvents = async () =>
        (
          await t.request('GET', `/api/incidents/${incident.id}`, { token })
        ).body.timeline.filter(
          (e: { phase: string }) => e.phase === 'en_route',
        );
      expect(await enRouteEvents()).toHaveLength(1);
      await expect
        .poll(async () => (await trackCount(unitId)).count, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(fixesBefore + 2);
      const { body: after } = await t.request('GET', `/api/units/${unitId}`, {
        token,
      });
      expect(after.lastPosition.lat).toBeCloseTo(near(120).latitude, 5);

      // An ack lost in flight: the same report replayed is a duplicate.
      const replay = JSON.stringify(
        queued.filter((item) => item.kind === 'status'),
      );
      await page.evaluate(
        `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(replay)})`,
      );
      await page.reload();
      await expect
        .poll(() => connection(page), { timeout: 20_000 })
        .toBe('online');
      await expect.poll(() => pending(page), { timeout: 20_000 }).toBe(0);
      expect(await enRouteEvents()).toHaveLength(1);
      const statusRows = await t.server.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM unit_status_events
        WHERE unit_id = $1 AND status = 'en_route'`,
        [unitId],
      );
      expect(statusRows[0]!.n).toBe(1);
      expect(await page.getByTestId('tablet-message').textContent()).toBe('');
      expect(errors).toEqual([]);
      await screenshot(page, '15-tablet-replayed');
      await context.close();
    }, 180_000);

    async function trackCount(unitId: number): Promise<{ count: number }> {
      const { server: t } = suite;
      const [row] = await t.server.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM unit_track WHERE unit_id = $1',
        [unitId],
      );
      return { count: row?.n ?? 0 };
    }
  },
);
