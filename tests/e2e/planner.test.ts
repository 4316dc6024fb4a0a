import { describe, expect, it } from 'vitest';

import { formatMmSs } from '../../console/src/shared/format.ts';
import { lastDays, periodInstants } from '../../console/src/planner/period.ts';
import { hourInZone } from '../../console/src/planner/stats.ts';
import { DOWNTOWN, NORTH } from '../../dispatch-server/test/harness.ts';
import {
  browserSuite,
  openPage,
  screenshot,
  submitLogin,
  withoutChromium,
} from './browser.ts';

const skip = withoutChromium('planner');

describe.skipIf(skip)('planner in a real browser', () => {
  const suite = browserSuite();

  /**
   * Seeds calls received `minutesAgo` before now; those with `respond`
   * get a unit that goes en route, on scene and available again.
   */
  async function seed(
    calls: {
      minutesAgo: number;
      priority: 1 | 2 | 3;
      respond?: boolean;
      cancel?: boolean;
    }[],
  ): Promise<number[]> {
    const { server: t } = suite;
    const dispatcher = await t.login('dispatcher', 'dispatcher-demo');
    const { body: units } = await t.request('GET', '/api/units', {
      token: dispatcher,
    });
    const free = (
      units as { id: number; callSign: string; status: string }[]
    ).filter((u) => u.status === 'available');
    const ids: number[] = [];
    for (const [i, call] of calls.entries()) {
      const created = await t.request('POST', '/api/incidents', {
        token: dispatcher,
        body: {
          location: i % 2 === 0 ? DOWNTOWN : NORTH,
          priority: call.priority,
          complaint: 'seeded for the planner',
          receivedAt: new Date(
            Date.now() - call.minutesAgo * 60_000,
          ).toISOString(),
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as number;
      ids.push(id);
      if (call.cancel) {
        const cancelled = await t.request(
          'POST',
          `/api/incidents/${id}/cancel`,
          { token: dispatcher, body: { reason: 'duplicate call' } },
        );
        expect(cancelled.status).toBe(200);
        continue;
      }
      if (!call.respond) continue;
      const unit = free.shift()!;
      const assigned = await t.request('POST', `/api/incidents/${id}/assign`, {
        token: dispatcher,
        body: { unitId: unit.id },
      });
      expect(assigned.status).toBe(200);
      const crew = await t.login(
        `crew-${unit.callSign.toLowerCase()}`,
        'crew-demo-pass',
      );
      for (const status of ['en_route', 'on_scene', 'available']) {
        const answer = await t.request('POST', `/api/units/${unit.id}/status`, {
          token: crew,
          body: { status },
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      }
    }
    return ids;
  }

  it('shows the response-time report of the server, with histogram and hours', async () => {
    const { server: t, browser } = suite;
    await seed([
      { minutesAgo: 11, priority: 1, respond: true },
      { minutesAgo: 6, priority: 2, respond: true },
      { minutesAgo: 2, priority: 1, respond: true },
      { minutesAgo: 1, priority: 3 },
      { minutesAgo: 4, priority: 1, cancel: true },
    ]);
    const planner = await t.login('planner', 'planner-demo');
    const { body: city } = await t.request('GET', '/api/city', {
      token: planner,
    });
    const period = periodInstants(
      lastDays(new Date(), city.timeZone),
      city.timeZone,
    );
    const metrics = async (priority?: number) => {
      const params = new URLSearchParams(period);
      if (priority) params.set('priority', String(priority));
      const { status, body } = await t.request(
        'GET',
        `/api/metrics/response-times?${params}`,
        { token: planner },
      );
      expect(status).toBe(200);
      return body;
    };
    const report = await metrics();
    expect(report.count).toBe(4);
    expect(report.intervals.response.count).toBe(3);

    const { page, errors } = await openPage(browser);
    await submitLogin(page, `${t.url}/planner`, 'planner', 'planner-demo');

    const count = page.getByTestId('planner-count');
    await expect
      .poll(() => count.textContent(), { timeout: 20_000 })
      .toBe(String(report.count));
    // The default period is the last 7 days on the city's clock.
    const shown = periodInstants(
      {
        from: await page.getByTestId('planner-from').inputValue(),
        to: await page.getByTestId('planner-to').inputValue(),
      },
      city.timeZone,
    );
    expect(shown).toEqual(period);
    expect(await page.getByTestId('planner-within').textContent()).toBe(
      `within ${city.targetSeconds} s: ` +
        `${Math.round(report.withinTargetRatio * 100)}%`,
    );
    const response = page.getByTestId('interval-response');
    expect(await response.locator('[data-stat="p50"]').textContent()).toBe(
      formatMmSs(report.intervals.response.p50),
    );
    expect(await response.locator('[data-stat="p90"]').textContent()).toBe(
      formatMmSs(report.intervals.response.p90),
    );
    for (const name of ['callProcessing', 'turnout', 'travel']) {
      expect(
        await page
          .getByTestId(`interval-${name}`)
          .locator('[data-stat="p50"]')
          .textContent(),
      ).toBe(formatMmSs(report.intervals[name].p50));
    }

    // The histogram: 40 bins of 30 s and an overflow bar, one count per
    // measured response, and the target marked.
    const bars = page.getByTestId('histogram').getByTestId('histogram-bar');
    expect(await bars.count()).toBe(41);
    const counts = (
      await bars.evaluateAll((nodes) =>
        nodes.map((n) => Number(n.getAttribute('data-count'))),
      )
    ).filter((n) => n > 0);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(
      report.intervals.response.count,
    );
    expect(await page.getByTestId('histogram-target').textContent()).toContain(
      formatMmSs(city.targetSeconds),
    );

    // By priority, from the server's split.
    const priorityRows = page.getByTestId('by-priority').locator('tbody tr');
    expect(await priorityRows.count()).toBe(3);
    for (const p of [1, 2, 3]) {
      expect(await priorityRows.nth(p - 1).getAttribute('data-count')).toBe(
        String(report.byPriority[p].count),
      );
    }

    // By hour of day on the city's clock: 24 rows, the calls in their hours.
    const hourRows = page.getByTestId('by-hour').locator('tbody tr');
    expect(await hourRows.count()).toBe(24);
    const { body: incidents } = await t.request(
      'GET',
      `/api/incidents?${new URLSearchParams({ ...period, limit: '5000' })}`,
      { token: planner },
    );
    const expected = new Map<number, number>();
    for (const incident of incidents as {
      receivedAt: string;
      phase: string;
    }[]) {
      if (incident.phase === 'cancelled') continue;
      const hour = hourInZone(new Date(incident.receivedAt), city.timeZone);
      expected.set(hour, (expected.get(hour) ?? 0) + 1);
    }
    const perHour = await hourRows.evaluateAll((rows) =>
      rows.map((r) => [
        Number(r.getAttribute('data-hour')),
        Number(r.getAttribute('data-count')),
      ]),
    );
    expect(
      new Map(perHour.filter(([, n]) => n! > 0) as [number, number][]),
    ).toEqual(expected);
    await screenshot(page, '06-planner');

    // Priority 1 only.
    const p1 = await metrics(1);
    await page.getByTestId('planner-priority').selectOption('1');
    await page.getByTestId('planner-apply').click();
    await expect
      .poll(() => count.textContent(), { timeout: 20_000 })
      .toBe(String(p1.count));
    expect(await page.getByTestId('planner-within').textContent()).toBe(
      `within ${city.targetSeconds} s: ` +
        `${Math.round(p1.withinTargetRatio * 100)}%`,
    );
    expect(await response.locator('[data-stat="p50"]').textContent()).toBe(
      formatMmSs(p1.intervals.response.p50),
    );
    expect(await priorityRows.count()).toBe(1);

    // In Spanish: the labels, the figures' words and the charts follow
    // the switch at once, and the choice holds across a reload.
    await page.getByTestId('language').selectOption('es-AR');
    expect(await page.getByTestId('planner-apply').textContent()).toBe(
      'Aplicar',
    );
    expect(await page.getByTestId('planner-within').textContent()).toBe(
      `dentro de ${city.targetSeconds} s: ` +
        `${Math.round(p1.withinTargetRatio * 100)}%`,
    );
    expect(await response.locator('h3').textContent()).toBe('Respuesta');
    expect(await page.getByTestId('histogram-target').textContent()).toBe(
      `objetivo ${formatMmSs(city.targetSeconds)}`,
    );
    expect(
      await page
        .getByTestId('by-hour')
        .locator('thead th')
        .first()
        .textContent(),
    ).toBe('Hora');
    expect(await page.getByTestId('planner-status').textContent()).toMatch(
      /, prioridad 1$/,
    );
    expect(await page.locator('html').getAttribute('lang')).toBe('es-AR');
    await screenshot(page, '16-planner-es');
    await page.reload();
    await expect
      .poll(() => page.getByTestId('planner-apply').textContent(), {
        timeout: 20_000,
      })
      .toBe('Aplicar');
    expect(
      await page.getByTestId('interval-travel').locator('h3').textContent(),
    ).toBe('Viaje');
    await page.getByTestId('language').selectOption('en');
    expect(await page.getByTestId('planner-apply').textContent()).toBe('Apply');
    expect(errors).toEqual([]);
  }, 180_000);
});
