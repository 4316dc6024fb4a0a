/**
 * Chromium for end-to-end tests: Debian's `chromium` through
 * playwright-core (no browser download). `CHROMIUM_PATH` overrides the
 * path; without a browser the tests say they were skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';

import {
  startTestServer,
  type TestServer,
} from '../../dispatch-server/test/harness.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Whether a browser is there to run the tests. */
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM_PATH);

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

/** Saves a full-page screenshot as `artifacts/e2e/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join(ARTIFACTS_DIR, `${name}.png`),
    fullPage: true,
  });
}
