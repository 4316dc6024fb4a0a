/**
 * Chromium for end-to-end tests: Debian's `chromium` through
 * playwright-core (no browser download). `CHROMIUM_PATH` overrides the
 * path; without a browser the tests say they were skipped. Also what
 * every browser test file shares: the suite's hooks (server, browser,
 * an API token) and logging in through a page's form.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

import {
  startTestServer,
  type TestServer,
} from '../../dispatch-server/test/harness.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Whether a browser is there to run the tests. */
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM_PATH);

/**
 * Whether the browser tests named by `what` must be skipped; says so on
 * the console when they are, so a skip is never silent. For
 * `describe.skipIf(withoutChromium('console'))`.
 */
export function withoutChromium(what: string): boolean {
  if (!HAS_CHROMIUM) {
    console.warn(
      `${what} end-to-end tests skipped: no Chromium at ${CHROMIUM_PATH} ` +
        '(apt-get install chromium, or set CHROMIUM_PATH)',
    );
  }
  return !HAS_CHROMIUM;
}

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);

/** Screenshots of the main screens, kept as test artifacts. */
export const ARTIFACTS_DIR = path.join(ROOT, 'artifacts', 'e2e');

/** Builds the console when its build is missing or stale. */
export function ensureConsoleBuilt(): void {
  const result = spawnSync(process.execPath, ['scripts/ensure-console.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('console build failed');
}

/**
 * Headless Chromium with the flags this machine's closed network needs
 * (no background connections, no component updates).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * What every browser test file starts with: the console built, the
 * artifacts folder, a test server (demo fleet and users) and Chromium.
 */
export async function startBrowserSuite(
  env: Record<string, string> = {},
): Promise<[TestServer, Browser]> {
  ensureConsoleBuilt();
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return Promise.all([startTestServer(env), launchChromium()]);
}

/** What a browser test file's suite hands its tests once it is up. */
export interface BrowserSuite {
  readonly server: TestServer;
  readonly browser: Browser;
  /** The API token of `login`'s user (only when one was asked for). */
  readonly token: string;
}

/**
 * Registers the suite's hooks in the calling `describe`: before all,
 * {@link startBrowserSuite} (and an API login when `login` names a
 * user); after all, the browser and the server closed. The getters are
 * read inside the tests, once the hooks have run. `env` is called in
 * the hook, so it may use what an earlier `beforeAll` started.
 */
export function browserSuite(
  options: {
    env?: () => Record<string, string>;
    login?: { user: string; password: string };
  } = {},
): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let token: string | undefined;
  beforeAll(async () => {
    [server, browser] = await startBrowserSuite(options.env?.());
    if (options.login) {
      token = await server.login(options.login.user, options.login.password);
    }
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`browser suite: no ${what} yet`);
    return value;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    get token() {
      return started(token, 'token (pass login)');
    },
  };
}

/** The demo dispatcher, who most browser tests log in as. */
export const DISPATCHER = { user: 'dispatcher', password: 'dispatcher-demo' };

/** The test ids of a login form: the console's and planner's, or the tablet's. */
export interface LoginForm {
  user: string;
  password: string;
  submit: string;
}

export const CONSOLE_LOGIN: LoginForm = {
  user: 'login-username',
  password: 'login-password',
  submit: 'login-submit',
};

export const TABLET_LOGIN: LoginForm = {
  user: 'tablet-username',
  password: 'tablet-password',
  submit: 'tablet-login',
};

/** Opens `url` and submits its login form; waits for nothing. */
export async function submitLogin(
  page: Page,
  url: string,
  user: string,
  password: string,
  form: LoginForm = CONSOLE_LOGIN,
): Promise<void> {
  await page.goto(url);
  await page.getByTestId(form.user).fill(user);
  await page.getByTestId(form.password).fill(password);
  await page.getByTestId(form.submit).click();
}

/**
 * Logs in through the page at `url` (the console's form unless `form`
 * says otherwise) and waits until its connection state says online:
 * the snapshot is loaded and the live socket is up.
 */
export async function loginConsole(
  page: Page,
  url: string,
  user: string,
  password: string,
  form: LoginForm = CONSOLE_LOGIN,
): Promise<void> {
  await submitLogin(page, url, user, password, form);
  await expect
    .poll(() => page.getByTestId('connection-state').textContent(), {
      timeout: 20_000,
    })
    .toMatch(/online/i);
}

/** The window of the tablet tests (the console's is 1400x900). */
export const TABLET_VIEWPORT = { width: 800, height: 1100 };

/**
 * A new page (the console's 1400x900 window unless `viewport` says
 * otherwise) and the uncaught errors it throws, which a test expects to
 * stay empty.
 */
export async function openPage(
  browser: Browser,
  viewport = { width: 1400, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  return { page, errors: pageErrors(page) };
}

/** The uncaught errors of `page` from now on, as they happen. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Saves a full-page screenshot as `artifacts/e2e/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join(ARTIFACTS_DIR, `${name}.png`),
    fullPage: true,
  });
}

/** The tablet's connection state (`online`, `offline`, ...). */
export function tabletConnection(page: Page): Promise<string | null> {
  return page.getByTestId('connection-state').getAttribute('data-state');
}

/** How many reports wait in the tablet's outbox. */
export async function tabletPending(page: Page): Promise<number> {
  return Number(
    await page.getByTestId('outbox-state').getAttribute('data-pending'),
  );
}

/**
 * A new call at the city centre with its top-ranked unit assigned, over
 * the API as a dispatcher: the starting point of the tablet tests.
 * @returns the incident, the unit and the crew user that logs in for it
 */
export async function callWithUnit(
  t: TestServer,
  token: string,
  call: Record<string, unknown> = {},
) {
  const { body: incident } = await t.request('POST', '/api/incidents', {
    token,
    body: { location: { lat: -30.0277, lon: -51.2287 }, priority: 1, ...call },
  });
  const { body: ranked } = await t.request(
    'GET',
    `/api/incidents/${incident.id}/recommendations`,
    { token },
  );
  const unitId: number = ranked[0].unitId;
  const { body: unit } = await t.request('GET', `/api/units/${unitId}`, {
    token,
  });
  await t.request('POST', `/api/incidents/${incident.id}/assign`, {
    token,
    body: { unitId },
  });
  return {
    incident,
    unitId,
    unit,
    crew: `crew-${unit.callSign.toLowerCase()}`,
  };
}

/** Logs a crew in on `/tablet` and waits until it is online and assigned. */
export async function openTabletAssigned(
  page: Page,
  url: string,
  crew: string,
): Promise<void> {
  await submitLogin(
    page,
    `${url}/tablet`,
    crew,
    'crew-demo-pass',
    TABLET_LOGIN,
  );
  await expect
    .poll(() => tabletConnection(page), { timeout: 20_000 })
    .toBe('online');
  await expect
    .poll(() => page.getByTestId('assignment').getAttribute('data-state'), {
      timeout: 20_000,
    })
    .toBe('assigned');
}
