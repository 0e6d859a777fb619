// Builds the browser pages: the surveyor console (index.html) and the crew page (join.html, which
// the server serves for /join/<token>). Run from the repository root:
//   node node_modules/vite/bin/vite.js build --config client/vite.config.mts
// (.mts: an ES module, which Vite loads as it is.)
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
// The folders of the page entries: surveyor (index.html), crew (join.html), replay, bench (bench-bare).
const PAGE_CODE = /\/client\/src\/(surveyor|crew|replay|bench)\//;

/** Code of client/src or shared/src that is not one page's own. */
function isSharedCode(id: string): boolean {
  const file = id.split(path.sep).join('/');
  return !file.includes('/node_modules/') && !PAGE_CODE.test(file) && /\/(client|shared)\/src\/.*\.tsx?$/.test(file);
}

export default defineConfig({
  root: here,
  // Absolute asset URLs: join.html is served under /join/<token>, where relative ones would break.
  base: '/',
  // The components (.tsx) compile to preact's automatic JSX runtime (as client/tsconfig.json says).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: {
      '@cloudship/shared': path.resolve(here, '../shared/src/index.ts'),
    },
  },
  build: {
    outDir: path.resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    // Every browser that can do WebRTC with mediasoup-client supports <link rel=modulepreload>.
    modulePreload: { polyfill: false },
    sourcemap: true,
    rolldownOptions: {
      input: {
        index: path.resolve(here, 'index.html'),
        join: path.resolve(here, 'join.html'),
        // Auditor replay.
        replay: path.resolve(here, 'replay.html'),
        // Baseline page for `npm run bench:join` (not linked from the product).
        'bench-bare': path.resolve(here, 'bench-bare.html'),
      },
      output: {
        // Stable, readable chunk names: libraries (mediasoup-client, socket.io, zod, preact) change
        // rarely and cache well; the code the pages share (LiveSession, i18n, UI helpers) is
        // "common". Each page's own folder stays in its page's chunk: in "common" it would be
        // loaded, and its boot code run, by every page (test/integration/client-build.test.ts).
        // The libraries' group goes first (priority), so "common" does not take them in as the
        // dependencies of shared code.
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /[\\/]node_modules[\\/]/, priority: 2 },
            { name: 'common', test: (id: string) => isSharedCode(id), priority: 1 },
          ],
        },
      },
    },
  },
});
