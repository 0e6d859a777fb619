// Builds the browser pages: the surveyor console (index.html) and the crew page (join.html, which
// the server serves for /join/<token>). Run from the repository root:
//   node node_modules/vite/bin/vite.js build --config client/vite.config.ts
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
// The folders of the page entries: surveyor (index.html), crew (join.html), replay, bench (bench-bare).
const PAGE_CODE = /\/client\/src\/(surveyor|crew|replay|bench)\//;

export default defineConfig({
  root: here,
  // Absolute asset URLs: join.html is served under /join/<token>, where relative ones would break.
  base: '/',
  // The components (.tsx) compile to preact's automatic JSX runtime (as client/tsconfig.json says).
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
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
    rollupOptions: {
      input: {
        index: path.resolve(here, 'index.html'),
        join: path.resolve(here, 'join.html'),
        // Auditor replay.
        replay: path.resolve(here, 'replay.html'),
        // Baseline page for `npm run bench:join` (not linked from the product).
        'bench-bare': path.resolve(here, 'bench-bare.html'),
      },
      output: {
        // Stable, readable chunk names: libraries (mediasoup-client, socket.io, zod) change rarely
        // and cache well; the code the pages share (LiveSession, i18n, UI helpers) is "common".
        // Each page's own folder stays in its page's chunk: in "common" it would be loaded, and its
        // boot code run, by every page (test/integration/client-build.test.ts).
        manualChunks(id) {
          const file = id.split(path.sep).join('/');
          if (file.includes('/node_modules/')) return 'vendor';
          if (PAGE_CODE.test(file)) return undefined;
          if (/\/(client|shared)\/src\/.*\.tsx?$/.test(file)) return 'common';
          return undefined;
        },
      },
    },
  },
});
