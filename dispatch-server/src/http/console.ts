import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import express from 'express';

import type { Logger } from '../log.ts';

/** Where `npm run build -w console` puts the console. */
export const CONSOLE_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'console',
  'dist',
);

/** The pages of the console and the file each is built to. */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/tablet': 'tablet.html',
  '/planner': 'planner.html',
};

/** The tablet's service worker, at the root of the build. */
const TABLET_WORKER = 'tablet-sw.js';

/**
 * Serves the built console: its pages at `/` (dispatcher), `/tablet`
 * (crew) and `/planner`, its hashed assets under `/assets` with a long cache,
 * and the tablet's service worker at `/tablet-sw.js`. Before a build the
 * pages answer 503 with how to build it, never a blank page.
 */
export function serveConsole(
  app: express.Express,
  dir: string,
  log: Logger,
): void {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  if (!built) {
    log.warn({ dir }, 'console not built; run npm run build -w console');
  }
  app.use(
    '/assets',
    express.static(path.join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      fallthrough: true,
    }),
  );
  for (const [route, file] of Object.entries(PAGES)) {
    app.get(route, (_req, res) => {
      const page = path.join(dir, file);
      if (!fs.existsSync(page)) {
        res
          .status(503)
          .type('text/plain')
          .send('The console is not built. Run: npm run build -w console\n');
        return;
      }
      // Pages always fresh, so a new build reaches every screen.
      res.set('Cache-Control', 'no-cache');
      res.sendFile(page);
    });
  }
  // The tablet's service worker (console/build/tablet-shell.ts): an
  // unhashed name, so always revalidated, or a tablet would keep an old
  // build's shell. Its scope (`/tablet`) is set when the page registers it.
  app.get(`/${TABLET_WORKER}`, (_req, res, next) => {
    const worker = path.join(dir, TABLET_WORKER);
    if (!fs.existsSync(worker)) {
      next();
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.type('text/javascript').sendFile(worker);
  });
  // Other static files of the build (icons, the Leaflet images).
  app.use(express.static(dir, { index: false, fallthrough: true }));
}
