import { describe, expect, it } from 'vitest';

import {
  browserSuite,
  DISPATCHER,
  loginConsole,
  openPage,
  screenshot,
  TABLET_VIEWPORT,
  withoutChromium,
} from './browser.ts';

const skip = withoutChromium('coverage and language');

/** The unit count and kilometres the coverage legend shows. */
function readSummary(text: string | null): { km: number; units: number } {
  const match = /(\d[\d.,]*)\s*km\D+(\d+)/.exec(text ?? '');
  if (!match) return { km: Number.NaN, units: Number.NaN };
  return {
    km: Number(match[1]!.replace(/[.,]/g, '')),
    units: Number(match[2]),
  };
}

describe.skipIf(skip)('coverage map and languages', () => {
  const suite = browserSuite({ login: DISPATCHER });

  it('draws the live coverage and follows a unit going out of service', async () => {
    const { server: t, browser, token } = suite;
    const { page, errors } = await openPage(browser);
    await loginConsole(page, `${t.url}/`, DISPATCHER.user, DISPATCHER.password);

    const summary = page.getByTestId('coverage-summary');
    await expect
      .poll(() => summary.getAttribute('data-state'), { timeout: 20_000 })
      .toBe('ok');
    const { body: coverage } = await t.request(
      'GET',
      '/api/coverage?seconds=180',
      { token },
    );
    expect(coverage.units).toBeGreaterThan(1);
    const shown = readSummary(await summary.textContent());
    expect(await summary.textContent()).toMatch(
      /^3-min coverage: .* km of road, \d+ units$/,
    );
    expect(shown.units).toBe(coverage.units);
    expect(shown.km).toBe(Math.round(coverage.lengthMeters / 1000));
    expect(shown.km).toBeGreaterThan(0);

    // The layer is on by default and drawn on its own canvas.
    const toggle = page.getByTestId('coverage-toggle');
    expect(await toggle.isChecked()).toBe(true);
    const map = page.getByTestId('map');
    expect(
      Number(await map.getAttribute('data-coverage-lines')),
    ).toBeGreaterThan(0);
    expect(await page.locator('.leaflet-coverage-pane canvas').count()).toBe(1);
    await screenshot(page, '07-coverage');

    // Switching it off removes the layer; on again brings it back.
    await toggle.uncheck();
    expect(await map.getAttribute('data-coverage-shown')).toBe('false');
    expect(await page.locator('.leaflet-coverage-pane').isVisible()).toBe(
      false,
    );
    await toggle.check();
    expect(await map.getAttribute('data-coverage-shown')).toBe('true');
    expect(
      await page.locator('.leaflet-coverage-pane canvas').isVisible(),
    ).toBe(true);

    // One unit off duty: the count follows within a few seconds.
    const { body: units } = await t.request('GET', '/api/units', { token });
    const available = units.find(
      (unit: { status: string }) => unit.status === 'available',
    );
    const { status } = await t.request(
      'POST',
      `/api/units/${available.id}/status`,
      { token, body: { status: 'out_of_service' } },
    );
    expect(status).toBe(200);
    await expect
      .poll(async () => readSummary(await summary.textContent()).units, {
        timeout: 12_000,
        interval: 250,
      })
      .toBe(coverage.units - 1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('switches the console to Spanish, and keeps it across a reload', async () => {
    const { server: t, browser } = suite;
    const { page, errors } = await openPage(browser);
    await page.goto(`${t.url}/`);
    // The headless browser says en-US: English by default.
    expect(await page.getByTestId('login-submit').textContent()).toBe('Log in');
    await page.getByTestId('language').selectOption('es-AR');
    expect(await page.getByTestId('login-submit').textContent()).toBe(
      'Ingresar',
    );
    expect(await page.locator('html').getAttribute('lang')).toBe('es-AR');

    // A bad password: the server's words behind a Spanish prefix.
    await page.getByTestId('login-username').fill('dispatcher');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await expect
      .poll(() => page.getByTestId('login-error').textContent())
      .toMatch(/^Rechazado: /);

    await page.getByTestId('login-password').fill('dispatcher-demo');
    await page.getByTestId('login-submit').click();
    await expect
      .poll(() => page.getByTestId('connection-state').textContent(), {
        timeout: 20_000,
      })
      .toBe('en línea');
    expect(await page.getByTestId('intake-submit').textContent()).toBe('Crear');
    await expect
      .poll(() => page.getByTestId('coverage-summary').textContent(), {
        timeout: 20_000,
      })
      .toMatch(/^Cobertura a 3 min: .* km de calles, \d+ unidades$/);

    // A call, to see a phase name and a time in Spanish.
    await page.getByTestId('intake-location').fill('-30.0277, -51.2287');
    await page.getByTestId('intake-submit').click();
    await expect
      .poll(() => page.getByTestId('intake-error').textContent())
      .toMatch(/^Incidente #\d+ creado\.$/);
    expect(
      await page
        .getByTestId('queue-item')
        .first()
        .getByTestId('incident-phase')
        .textContent(),
    ).toBe('recibido');

    await page.reload();
    await expect
      .poll(() => page.getByTestId('intake-submit').textContent(), {
        timeout: 20_000,
      })
      .toBe('Crear');
    expect(await page.getByTestId('language').inputValue()).toBe('es-AR');
    await expect
      .poll(() => page.getByTestId('connection-state').textContent(), {
        timeout: 20_000,
      })
      .toBe('en línea');
    await expect
      .poll(
        () => page.getByTestId('coverage-summary').getAttribute('data-state'),
        {
          timeout: 20_000,
        },
      )
      .toBe('ok');
    await screenshot(page, '08-console-es');

    // And back to English without a reload.
    await page.getByTestId('language').selectOption('en');
    expect(await page.getByTestId('intake-submit').textContent()).toBe(
      'Create',
    );
    expect(
      await page
        .getByTestId('queue-item')
        .first()
        .getByTestId('incident-phase')
        .textContent(),
    ).toBe('received');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('switches the crew tablet to Spanish', async () => {
    const { server: t, browser, token } = suite;
    const { body: units } = await t.request('GET', '/api/units', { token });
    const unit = units.find(
      (u: { status: string }) => u.status === 'available',
    );
    const { page, errors } = await openPage(browser, TABLET_VIEWPORT);
    await page.goto(`${t.url}/tablet`);
    expect(await page.getByTestId('tablet-login').textContent()).toBe('Log in');
    await page
      .getByTestId('tablet-username')
      .fill(`crew-${unit.callSign.toLowerCase()}`);
    await page.getByTestId('tablet-password').fill('crew-demo-pass');
    await page.getByTestId('tablet-login').click();
    await expect
      .poll(() => page.getByTestId('connection-state').textContent(), {
        timeout: 20_000,
      })
      .toBe('online');
    expect(await page.getByTestId('status-en_route').textContent()).toBe(
      'En route',
    );
    await page.getByTestId('language').selectOption('es-AR');
    expect(await page.getByTestId('status-en_route').textContent()).toBe(
      'En camino',
    );
    expect(await page.getByTestId('connection-state').textContent()).toBe(
      'en línea',
    );
    expect(await page.getByTestId('unit-status').textContent()).toMatch(
      /· disponible$/,
    );
    expect(await page.getByTestId('tablet-logout').textContent()).toBe('Salir');
    await page.reload();
    await expect
      .poll(() => page.getByTestId('status-on_scene').textContent(), {
        timeout: 20_000,
      })
      .toBe('En el lugar');
    await screenshot(page, '09-tablet-es');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
