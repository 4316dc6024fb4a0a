import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

import { tabletShell } from './build/tablet-shell.ts';

const page = (name: string) =>
  fileURLToPath(new URL(`./${name}`, import.meta.url));

/** The dispatch server that `vite` (dev) forwards API and socket calls to. */
const server = process.env.DISPATCH_URL ?? 'http://127.0.0.1:3000';

// Two pages, one bundle graph: the dispatcher console at `/` and the crew
// tablet at `/tablet` (the server maps that path to tablet.html). The
// tablet also gets a service worker that keeps its shell for offline starts.
export default defineConfig({
  base: '/',
  plugins: [
    tabletShell({
      worker: page('src/tablet/shell-worker.ts'),
      html: 'tablet.html',
      page: '/tablet',
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: {
        index: page('index.html'),
        tablet: page('tablet.html'),
        planner: page('planner.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
