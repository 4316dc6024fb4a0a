/** The worker the build writes (console/build/tablet-shell.ts). */
const WORKER_URL = '/tablet-sw.js';

/**
 * Registers the tablet's service worker, which keeps the page's shell
 * so the tablet opens with no signal (see shell-worker.ts). Its scope is
 * the tablet page alone: the dispatcher console and the planner never
 * get a worker. Browsers give workers only to secure contexts (HTTPS, or
 * `localhost`/127.0.0.1); elsewhere, and in the Vite dev server, where
 * no worker is built, the tablet works online only and says so in the
 * browser console.
 */
export function registerOfflineShell(): void {
  if (!('serviceWorker' in navigator)) {
    console.warn(
      'tablet: no service worker (insecure context?): it needs the network to open',
    );
    return;
  }
  navigator.serviceWorker
    .register(WORKER_URL, { scope: '/tablet', updateViaCache: 'none' })
    .catch((err: unknown) =>
      console.warn('tablet: offline start not set up', err),
    );
}
