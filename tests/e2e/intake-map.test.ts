/**
 * The intake aids and the map's live detail, as the dispatcher sees
 * them: street and crossing search by keyboard, the near-duplicate
 * warning before a call is created, the route line of a recommendation
 * and of the assigned unit, its live ETA and heading, and an incident
 * flagged once its only unit is freed before the scene.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import {
  browserSuite,
  DISPATCHER,
  loginConsole,
  openPage,
  screenshot,
  withoutChromium,
} from './browser.ts';

const skip = withoutChromium('intake and map');

describe.skipIf(skip)('intake aids and the live map', () => {
  const suite = browserSuite({ login: DISPATCHER });

  /** Types a search and waits for its suggestions. */
  async function searchFor(page: Page, text: string) {
    const box = page.getByTestId('place-search');
    await box.fill(text);
    await expect
      .poll(() => page.getByTestId('place-result').count(), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    return box;
  }

  it('finds a crossing by keyboard, warns of a call already open there, draws routes and flags a freed incident', async () => {
    const { server: t, browser, token } = suite;
    const { page, errors } = await openPage(browser);
    await loginConsole(page, `${t.url}/`, DISPATCHER.user, DISPATCHER.password);

    // Street search: arrow keys move the highlight, Enter picks.
    const box = await searchFor(page, 'ipiranga y azenha');
    const results = page.getByTestId('place-result');
    expect(await results.first().textContent()).toContain(
      'Avenida Ipiranga & Avenida da Azenha',
    );
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    await box.press('ArrowUp');
    expect(await results.first().getAttribute('aria-selected')).toBe('true');
    await screenshot(page, '10-search-crossing');
    await box.press('Enter');
    // Enter picked the place and did not submit the call.
    expect(await results.count()).toBe(0);
    expect(await page.getByTestId('intake-error').textContent()).toBe('');
    const location = await page.getByTestId('intake-location').inputValue();
    const [lat, lon] = location.split(',').map(Number);
    expect([lat!.toFixed(3), lon!.toFixed(3)]).toEqual(['-30.048', '-51.214']);
    expect(await page.getByTestId('intake-address').inputValue()).toBe(
      'Avenida Ipiranga & Avenida da Azenha',
    );
    // Nothing open there yet: no warning.
    await page.waitForTimeout(600);
    expect(await page.getByTestId('duplicate-warning').isVisible()).toBe(false);

    await page.getByTestId('intake-priority').selectOption('1');
    await page.getByTestId('intake-complaint').fill('fall from a bus');
    await page.getByTestId('intake-submit').click();
    await expect
      .poll(() => page.getByTestId('intake-error').textContent())
      .toMatch(/created/i);
    const selected = page.locator(
      '[data-testid="queue-item"][aria-selected="true"]',
    );
    const incidentId = Number(await selected.getAttribute('data-incident-id'));
    expect(incidentId).toBeGreaterThan(0);

    // A second caller reports the same crossing: warned before creating.
    const again = await searchFor(page, 'azenha & ipiranga');
    await again.press('Enter');
    const warning = page.getByTestId('duplicate-warning');
    await expect
      .poll(() => warning.isVisible(), { timeout: 10_000 })
      .toBe(true);
    const item = warning.getByTestId('duplicate-item').first();
    expect(await item.getAttribute('data-incident-id')).toBe(
      String(incidentId),
    );
    expect(await item.textContent()).toMatch(
      /P1 received · \d+ m · 0 min ago fall from a bus/,
    );
    expect(await warning.textContent()).toMatch(
      /within 200 m in the last 30 min/,
    );
    await screenshot(page, '11-duplicate-warning');
    // The warning's row shows the incident already open.
    await item.click();

    // The top recommendation's route is drawn; a click on another row draws its.
    const ranked = page.getByTestId('recommendation');
    await expect
      .poll(() => ranked.count(), { timeout: 20_000 })
      .toBeGreaterThan(2);
    const map = page.getByTestId('map');
    const topId = await ranked.first().getAttribute('data-unit-id');
    await expect
      .poll(() => map.getAttribute('data-route-unit'), { timeout: 10_000 })
      .toBe(topId);
    expect(Number(await map.getAttribute('data-route-points'))).toBeGreaterThan(
      1,
    );
    const secondId = await ranked.nth(1).getAttribute('data-unit-id');
    await ranked.nth(1).locator('.call-sign').click();
    await expect
      .poll(() => map.getAttribute('data-route-unit'), { timeout: 10_000 })
      .toBe(secondId);
    expect(await ranked.nth(1).getAttribute('data-chosen')).toBe('true');
    await screenshot(page, '12-route-line');

    // Assign the top unit: its route stays on the map.
    const unitId = Number(topId);
    const { body: unit } = await t.request('GET', `/api/units/${unitId}`, {
      token,
    });
    await ranked.first().getByTestId('assign-button').click();
    const queued = page.locator(
      `[data-testid="queue-item"][data-incident-id="${incidentId}"]`,
    );
    await expect
      .poll(() => queued.getByTestId('incident-phase').textContent(), {
        timeout: 20_000,
      })
      .toMatch(/dispatched/i);
    await expect
      .poll(() => map.getAttribute('data-route-unit'), { timeout: 10_000 })
      .toBe(topId);
    expect(await queued.getByTestId('needs-unit').count()).toBe(0);

    // The crew's GPS moves the unit: live ETA in the queue, heading arrow.
    const crew = await t.login(
      `crew-${unit.callSign.toLowerCase()}`,
      'crew-demo-pass',
    );
    const { status } = await t.request(
      'POST',
      `/api/units/${unitId}/positions`,
      {
        token: crew,
        body: {
          fixes: [
            {
              lat: unit.station.lat,
              lon: unit.station.lon,
              at: new Date().toISOString(),
              speedMps: 12,
              headingDeg: 135,
              accuracyMeters: 8,
            },
          ],
        },
      },
    );
    expect(status).toBe(200);
    await expect
      .poll(() => queued.getByTestId('queue-eta').textContent(), {
        timeout: 15_000,
      })
      .toMatch(new RegExp(`${unit.callSign} ETA \\d+:\\d\\d`));
    await expect
      .poll(() => map.getAttribute('data-units-with-heading'), {
        timeout: 5_000,
      })
      .toBe('1');

    // The dispatcher frees the unit before the scene: flagged, ranked again.
    const freed = await t.request('POST', `/api/units/${unitId}/status`, {
      token,
      body: { status: 'available' },
    });
    expect(freed.status).toBe(200);
    const flag = queued.getByTestId('needs-unit');
    await expect.poll(() => flag.count(), { timeout: 10_000 }).toBe(1);
    expect(await flag.getAttribute('data-reason')).toBe('freed');
    expect(await flag.textContent()).toBe('unit freed: needs a unit');
    expect(await queued.getByTestId('incident-phase').textContent()).toMatch(
      /dispatched/i,
    );
    await expect
      .poll(
        async () =>
          (
            await ranked.evaluateAll((rows) =>
              rows.map((row) => row.getAttribute('data-unit-id')),
            )
          ).includes(topId),
        { timeout: 10_000 },
      )
      .toBe(true);
    await screenshot(page, '13-unit-freed');

    // In Spanish too.
    await page.getByTestId('language').selectOption('es-AR');
    expect(await flag.textContent()).toBe('unidad liberada: necesita unidad');
    expect(
      await page.getByTestId('place-search').getAttribute('placeholder'),
    ).toMatch(/ipiranga y azenha/);
    await page.getByTestId('language').selectOption('en');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('tells apart two streets of one name by their cross streets, in both languages', async () => {
    const { server: t, browser } = suite;
    const { page, errors } = await openPage(browser);
    await loginConsole(page, `${t.url}/`, DISPATCHER.user, DISPATCHER.password);
    await searchFor(page, 'rua um');
    const near = page.getByTestId('place-near');
    await expect.poll(() => near.count()).toBe(2);
    expect(await near.allTextContents()).toContain(
      'near Rua Aristides Rosa, Travessa C',
    );
    await screenshot(page, '18-search-same-name');
    // Picked, the address keeps the cross street that tells them apart.
    const rows = page.getByTestId('place-result');
    const first = await rows.first().getByTestId('place-near').textContent();
    await page.getByTestId('place-search').press('ArrowDown');
    await page.getByTestId('place-search').press('Enter');
    expect(await page.getByTestId('intake-address').inputValue()).toBe(
      `Rua Um, ${first!.split(',')[0]}`,
    );
    await page.getByTestId('intake-address').fill('');
    await page.getByTestId('language').selectOption('es-AR');
    await searchFor(page, 'rua um');
    await expect.poll(() => near.count()).toBe(2);
    expect(await near.allTextContents()).toContain(
      'cerca de Rua Aristides Rosa, Travessa C',
    );
    await page.getByTestId('language').selectOption('en');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('warns of a call another desk takes at the same point while this one is typed', async () => {
    const { server: t, browser, token } = suite;
    const { page, errors } = await openPage(browser);
    await loginConsole(page, `${t.url}/`, DISPATCHER.user, DISPATCHER.password);
    // Centro, away from the first test's crossing.
    const point = { lat: -30.0301, lon: -51.2302 };
    await page
      .getByTestId('intake-location')
      .fill(`${point.lat}, ${point.lon}`);
    await page.getByTestId('intake-complaint').fill('chest pain');
    await page.waitForTimeout(600);
    const warning = page.getByTestId('duplicate-warning');
    expect(await warning.isVisible()).toBe(false);

    // The next desk creates the call first; this form is untouched.
    const other = await t.request('POST', '/api/incidents', {
      token,
      body: {
        location: { lat: point.lat + 0.0004, lon: point.lon },
        priority: 1,
        complaint: 'man collapsed on the pavement',
      },
    });
    expect(other.status).toBe(201);
    await expect
      .poll(() => warning.isVisible(), { timeout: 10_000 })
      .toBe(true);
    const item = warning.getByTestId('duplicate-item');
    expect(await item.count()).toBe(1);
    expect(await item.getAttribute('data-incident-id')).toBe(
      String(other.body.id),
    );
    expect(await item.textContent()).toMatch(/· 4\d m ·/);
    expect(await page.getByTestId('intake-complaint').inputValue()).toBe(
      'chest pain',
    );

    // Cancelled elsewhere (a duplicate): the warning goes with it.
    const cancelled = await t.request(
      'POST',
      `/api/incidents/${other.body.id}/cancel`,
      { token, body: { reason: 'duplicate' } },
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await expect
      .poll(() => warning.isVisible(), { timeout: 10_000 })
      .toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
