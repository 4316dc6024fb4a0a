import { createHash } from 'node:crypto';

import type { Plugin, Rollup } from 'vite';

/** Where the tablet's service worker is built, at the root of `dist`. */
export const SHELL_WORKER_FILE = 'tablet-sw.js';

/** The text in the worker's source that the manifest replaces. */
const PLACEHOLDER = '__TABLET_SHELL_MANIFEST__';

/** Settings of {@link tabletShell}. */
export interface TabletShellOptions {
  /** The worker's source file (absolute path). */
  worker: string;
  /** The page's HTML entry as it is built (`tablet.html`). */
  html: string;
  /** The URL path the server serves that page at (`/tablet`). */
  page: string;
}

/**
 * Builds the tablet's service worker (`/tablet-sw.js`, an unhashed name
 * the page can register) and writes into it the tablet's app shell: the
 * page's entry script, every chunk it imports, their styles and the
 * files those styles point to, and a version hashed from all of them
 * and the page's HTML. The names are Vite's content hashes, so a new
 * build with any change gives a new worker and a new cache; the
 * dispatcher console and the planner are not part of it.
 */
export function tabletShell(options: TabletShellOptions): Plugin {
  return {
    name: 'dispatch:tablet-shell',
    apply: 'build',
    // After Vite's own HTML and CSS output, which the manifest reads.
    enforce: 'post',
    buildStart() {
      this.emitFile({
        type: 'chunk',
        id: options.worker,
        fileName: SHELL_WORKER_FILE,
      });
    },
    generateBundle(_output, bundle) {
      const worker = bundle[SHELL_WORKER_FILE];
      if (worker?.type !== 'chunk') {
        this.error(`${SHELL_WORKER_FILE} missing from the bundle`);
      }
      if (worker.imports.length > 0 || worker.dynamicImports.length > 0) {
        this.error(`${SHELL_WORKER_FILE} must not import other chunks`);
      }
      const html = bundle[options.html];
      if (html?.type !== 'asset') {
        this.error(`${options.html} missing from the bundle`);
      }
      const entry = Object.values(bundle).find(
        (file): file is Rollup.OutputChunk =>
          file.type === 'chunk' &&
          file.isEntry &&
          file.facadeModuleId?.endsWith(`/${options.html}`) === true,
      );
      if (!entry) this.error(`no entry chunk for ${options.html}`);
      const files = shellFiles(bundle, entry);
      const version = createHash('sha256')
        .update(String(html.source))
        .update(files.join('\n'))
        .digest('hex')
        .slice(0, 16);
      const manifest = {
        version,
        page: options.page,
        entry: `/${entry.fileName}`,
        files,
      };
      const parts = worker.code.split(new RegExp(`(['"\`])${PLACEHOLDER}\\1`));
      // split with one capture group: [before, quote, after] for one hit.
      if (parts.length !== 3) {
        this.error(`expected one ${PLACEHOLDER} in ${SHELL_WORKER_FILE}`);
      }
      worker.code =
        parts[0] + JSON.stringify(JSON.stringify(manifest)) + parts[2];
    },
  };
}

/**
 * The absolute paths of an entry's shell: the chunk, the chunks it
 * imports (statically or not: the tablet may load one offline), their
 * CSS and assets, and the files (fonts, images) those CSS files name.
 */
export function shellFiles(
  bundle: Rollup.OutputBundle,
  entry: Rollup.OutputChunk,
): string[] {
  const files = new Set<string>();
  const visit = (fileName: string) => {
    if (files.has(fileName)) return;
    files.add(fileName);
    const file = bundle[fileName];
    if (file?.type !== 'chunk') return;
    for (const next of [...file.imports, ...file.dynamicImports]) visit(next);
    for (const css of file.viteMetadata?.importedCss ?? []) visit(css);
    for (const asset of file.viteMetadata?.importedAssets ?? []) visit(asset);
  };
  visit(entry.fileName);
  for (const fileName of [...files]) {
    const file = bundle[fileName];
    if (file?.type !== 'asset' || !fileName.endsWith('.css')) continue;
    const urls = String(file.source).matchAll(/url\(\s*['"]?\/([^)'"?#]+)/g);
    for (const [, url] of urls) if (url && bundle[url]) files.add(url);
  }
  return [...files].sort().map((fileName) => `/${fileName}`);
}
