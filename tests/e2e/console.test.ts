import { describe, expect, it } from 'vitest';

import {
  browserSuite,
  DISPATCHER,
  loginConsole,
  openPage,
  screenshot,
  TABLET_LOGIN,
  TABLET_VIEWPORT,
  withoutChromium,
} from './browser.ts';

const skip = withoutChromium('console');

describe.skipIf(skip)('console in a real browser', () => {
  const suite = browserSuite();

  it('takes a call on the map, assigns the top unit, and follows the crew to the scene', async () => {
    const { server: t, browser } = suite;
    const { page: dispatcher, errors } = await openPage(browser);
    await loginConsole(
      dispatcher,
      `${t.url}/`,
      DISPATCHER.user,
      DISPATCHER.password,
    );
    // The offline basemap is drawn (no tile server is configured).
    await expect
      .poll(() =>
        dispatcher
          .locator('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path')
          .count(),
      )
      .toBeGreaterThan(0);
    expect(
      await dispatcher.locator('.leaflet-control-attribution').textContent(),
    ).toContain('OpenStreetMap contributors');
    await screenshot(dispatcher, '01-console');

    // Click the map to place the call: the map opens on the city centre,
    // which is on a street of the demo city.
    const map = dispatcher.getByTestId('map');
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width / 2, y: box.height / 2 } });
    await expect
      .poll(() => dispatcher.getByTestId('intake-location').inputValue())
      .toMatch(/^-30\.\d+, ?-51\.\d+$/);
    await dispatcher.getByTestId('intake-priority').selectOption('1');
    await dispatcher.getByTestId('intake-complaint').fill('chest pain');
    await dispatcher.getByTestId('intake-submit').click();
    await expect
      .poll(() => dispatcher.getByTestId('intake-error').textContent())
      .toMatch(/created/i);
    const item = dispatcher.getByTestId('queue-item').first();
    const incidentId = Number(await item.getAttribute('data-incident-id'));
    expect(incidentId).toBeGreaterThan(0);

    // Ranked units with drive-time ETAs.
    const ranked = dispatcher.getByTestId('recommendation');
    await expect
      .poll(() => ranked.count(), { timeout: 20_000 })
      .toBeGreaterThan(3);
    const etaText = await ranked
      .first()
      .getByTestId('recommendation-eta')
      .textContent();
    expect(etaText).toMatch(/\d+:\d\d/);
    const unitId = Number(await ranked.first().getAttribute('data-unit-id'));
    // The top unit's drive is drawn on the map.
    await expect
      .poll(() => map.getAttribute('data-route-unit'), { timeout: 10_000 })
      .toBe(String(unitId));
    const { body: unit } = await t.request('GET', `/api/units/${unitId}`, {
      token: await t.login('dispatcher', 'dispatcher-demo'),
    });
    await screenshot(dispatcher, '02-recommendations');

    // The crew of the top unit logs in on its tablet.
    const tablet = await browser.newPage({ viewport: TABLET_VIEWPORT });
    tablet.on('pageerror', (err) => errors.push(err.message));
    await loginConsole(
      tablet,
      `${t.url}/tablet`,
      `crew-${unit.callSign.toLowerCase()}`,
      'crew-demo-pass',
      TABLET_LOGIN,
    );

    // One key assigns the top unit.
    // Focus out of the form first (a click on the map would move the call).
    await dispatcher.getByTestId('clock').click();
    await dispatcher.keyboard.press('Enter');
    await expect
      .poll(() => item.getByTestId('incident-phase').textContent(), {
        timeout: 20_000,
      })
      .toMatch(/dispatched/i);

    // The tablet receives it.
    const assignment = tablet.getByTestId('assignment');
    await expect
      .poll(() => assignment.getAttribute('data-state'), { timeout: 20_000 })
      .toBe('assigned');
    expect(await assignment.getAttribute('data-incident-id')).toBe(
      String(incidentId),
    );
    await expect
      .poll(() => tablet.getByTestId('assignment-complaint').textContent())
      .toMatch(/chest pain/);
    await screenshot(tablet, '03-tablet-assignment');

    for (const [button, phase] of [
      ['status-ack', /acknowledged/i],
      ['status-en_route', /en.route/i],
      ['status-on_scene', /on.scene/i],
    ] as const) {
      await tablet.getByTestId(button).click();
      await expect
        .poll(() => item.getByTestId('incident-phase').textContent(), {
          timeout: 20_000,
        })
        .toMatch(phase);
    }
    await expect
      .poll(() => item.getByTestId('response-time').textContent(), {
        timeout: 20_000,
      })
      .toMatch(/\d+:\d\d/);
    // The unit has arrived: its route line is gone.
    await expect
      .poll(() => map.getAttribute('data-route-unit'), { timeout: 10_000 })
      .toBe('');
    await screenshot(dispatcher, '04-console-on-scene');
    await screenshot(tablet, '05-tablet-on-scene');

    // The server logged each phase, from the crew's tablet.
    const { body: incident } = await t.request(
      'GET',
      `/api/incidents/${incidentId}`,
      {
        token: await t.login('dispatcher', 'dispatcher-demo'),
      },
    );
    expect(incident.timeline.map((e: { phase: string }) => e.phase)).toEqual([
      'received',
      'dispatched',
      'acknowledged',
      'en_route',
      'on_scene',
    ]);
    expect(
      incident.timeline
        .slice(2)
        .every((e: { source: string }) => e.source === 'crew'),
    ).toBe(true);
    expect(incident.intervals.response).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 180_000);
});
