/**
 * The dispatcher console shows the server's degraded state: Redis (a
 * redis-server of the test's own) is killed under a running server, the
 * header's badge names the live link; Redis comes back, the badge goes
 * and the console is online with a fresh snapshot.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ChildGroup,
  eventually,
  freePort,
  redisAnswers,
  startRedis,
} from '../../dispatch-server/test/processes.ts';
import {
  browserSuite,
  CHROMIUM_PATH,
  DISPATCHER,
  HAS_CHROMIUM,
  loginConsole,
  openPage,
  screenshot,
} from './browser.ts';

const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;
if (!HAS_CHROMIUM || !HAS_REDIS) {
  console.warn(
    `degraded-state end-to-end test skipped: needs Chromium at ${CHROMIUM_PATH} and redis-server`,
  );
}

describe.skipIf(!HAS_CHROMIUM || !HAS_REDIS)('the degraded-state badge', () => {
  let redis: ChildGroup;
  let port: number;

  // Redis first: the suite's server is started on it (hooks run in
  // order, the after-all ones in reverse: the server closes before
  // Redis is killed).
  beforeAll(async () => {
    port = await freePort();
    redis = startRedis(port);
    await eventually('redis-server up', () =>
      redisAnswers(`redis://127.0.0.1:${port}`),
    );
  }, 60_000);
  afterAll(async () => {
    await redis?.kill();
  });
  const suite = browserSuite({
    env: () => ({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_PREFIX: `e2e-${crypto.randomBytes(4).toString('hex')}:`,
    }),
  });

  it('names the failing dependency while Redis is down and clears when it is back', async () => {
    const { server: t, browser } = suite;
    const { page, errors } = await openPage(browser);
    await loginConsole(page, `${t.url}/`, DISPATCHER.user, DISPATCHER.password);
    const connection = page.getByTestId('connection-state');
    const badge = page.getByTestId('health-state');
    expect(await badge.isVisible()).toBe(false);

    await redis.kill();
    await expect
      .poll(() => badge.getAttribute('data-state'), { timeout: 20_000 })
      .toBe('degraded');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.getAttribute('data-parts')).toBe('live');
    expect(await badge.textContent()).toMatch(/live link/);
    await screenshot(page, 'console-degraded');

    redis = startRedis(port);
    await expect
      .poll(() => badge.getAttribute('data-state'), { timeout: 30_000 })
      .toBe('ok');
    expect(await badge.isVisible()).toBe(false);
    await expect
      .poll(() => connection.textContent(), { timeout: 20_000 })
      .toMatch(/online/i);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
