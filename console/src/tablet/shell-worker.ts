/**
 * The crew tablet's service worker (built to `/tablet-sw.js`, scope
 * `/tablet`): it keeps the tablet's app shell (the page, its scripts,
 * styles and images) so that a tablet reloaded or restarted in a dead
 * zone opens its page instead of the browser's error page. It caches
 * nothing else: API answers (patient data) and the socket go to the
 * network untouched, and requests carry no token it could keep.
 *
 * Self-contained on purpose (no imports): a service worker is loaded as
 * one classic script. The build (console/build/tablet-shell.ts) writes
 * the shell's file list and its version into {@link MANIFEST_TEXT}; a
 * new build is a new script, so the browser installs it, it caches the
 * new shell under its own name and deletes the older caches.
 */

/** What the build writes in: the shell of one build. */
interface ShellManifest {
  /** Hash of the page and its files: names this build's cache. */
  version: string;
  /** The page's URL path, as the server serves it (`/tablet`). */
  page: string;
  /** The page's entry script: a cached page must be this build's. */
  entry: string;
  /** Absolute paths of the scripts, styles and images the page needs. */
  files: string[];
}

// The few service-worker types this file uses (the console's TypeScript
// program has the DOM library, which lacks them and clashes with
// `lib: webworker`).
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(
    type: 'install' | 'activate',
    listener: (event: ExtendableEvent) => void,
  ): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

/** Replaced by the build with the manifest as JSON text. */
const MANIFEST_TEXT = '__TABLET_SHELL_MANIFEST__';

const scope = globalThis as unknown as WorkerScope;
const manifest = JSON.parse(MANIFEST_TEXT) as ShellManifest;
const CACHE_PREFIX = 'dispatch-tablet-shell-';
const cacheName = CACHE_PREFIX + manifest.version;

/**
 * How long the page waits for the network before the cached shell is
 * shown: a weak signal can leave a request hanging far longer than a
 * crew will wait. The shell then connects (and replays) on its own.
 */
const NETWORK_TIMEOUT_MS = 3000;

scope.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== cacheName) {
          await caches.delete(name);
        }
      }
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === manifest.page) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  }
  // Anything else (the API, the socket) is not answered here: it goes
  // to the network as if there were no service worker, and is never cached.
});

/**
 * Caches this build's page and files. The page must name this build's
 * entry script: a server updated between the worker's download and
 * this fetch would otherwise pair a new page with old files. Failing
 * leaves the previous worker in charge; the browser tries again later.
 */
async function precache(): Promise<void> {
  const cache = await caches.open(cacheName);
  const response = await fetch(manifest.page, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`shell page: HTTP ${response.status}`);
  const html = await response.clone().text();
  if (!html.includes(manifest.entry)) {
    throw new Error('shell page is of another build');
  }
  await cache.put(manifest.page, response);
  await cache.addAll(manifest.files);
}

/**
 * The page from the network while it answers in time (a new build
 * reaches the tablet at once), else the cached shell.
 */
async function page(request: Request): Promise<Response> {
  const network = fetch(request);
  const late = new Promise<undefined>((resolve) =>
    setTimeout(resolve, NETWORK_TIMEOUT_MS, undefined),
  );
  const first = await Promise.race([network, late]).catch(() => undefined);
  if (first) return first;
  const cache = await caches.open(cacheName);
  const cached = await cache.match(manifest.page);
  // Nothing cached (the install failed): keep waiting for the network.
  return cached ?? network;
}

/**
 * A hashed asset: its name changes with its content, so a cached copy
 * is always right. One the manifest missed is cached when first fetched.
 */
async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') {
    await cache.put(request, response.clone());
  }
  return response;
}
