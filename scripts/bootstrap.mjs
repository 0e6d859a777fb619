#!/usr/bin/env node
// Idempotent set-up run before `npm start` and `npm test`.
//
// Uses Node built-ins only (it runs before node_modules exists). Each step checks first and skips
// what is already done, so on a prepared checkout the whole script takes well under 2 seconds:
//   1. Debian packages (apt-get, as root) when any is missing;
//   2. `npm ci` when node_modules is missing or older than package-lock.json;
//   3. the mediasoup worker, built against Debian's libraries when no working binary exists
//      (see scripts/mediasoup-worker.mjs), cached outside the checkout;
//   4. the browser pages (Vite) when client/dist is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMediasoupWorker, WORKER_BUILD_PACKAGES } from './mediasoup-worker.mjs';
import { log, fail, run } from './util.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = (process.argv.find((a) => a.startsWith('--for=')) ?? '--for=start').slice(6);

// Runtime: ffmpeg records; the -dev packages are what the worker links against (and pull in the
// shared libraries it needs at run time). Tests add iproute2 (network namespaces) and
// poppler-utils (PDF text); Chromium is already there for the PDF reports.
const PACKAGES = {
  start: [
    'ffmpeg',
    'openssl',
    'python3-pip',
    'pkg-config',
    'g++',
    'make',
    'python3',
    'patch',
    ...WORKER_BUILD_PACKAGES,
    // PDF inspection reports: headless Chromium prints them; a CJK font renders the Chinese text.
    'chromium',
    'fonts-wqy-microhei',
  ],
  test: ['iproute2', 'poppler-utils'],
};

function missingPackages(names) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...names], { encoding: 'utf8' });
  const installed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .filter((l) => /\sii\s*$/.test(l))
      .map((l) => l.split(' ')[0].replace(/:.*$/, '')),
  );
  return names.filter((n) => !installed.has(n));
}

function ensurePackages() {
  const wanted = purpose === 'test' ? [...PACKAGES.start, ...PACKAGES.test] : PACKAGES.start;
  const missing = missingPackages(wanted);
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    fail(`These Debian packages are missing: ${missing.join(', ')}.\nRun as root:\n  ${cmd}\nthen run this command again.`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env, quiet: true, what: 'apt-get update' });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, quiet: true, what: 'apt-get install' });
  const still = missingPackages(missing);
  if (still.length) fail(`apt-get could not install: ${still.join(', ')}`);
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function ensureNodeModules() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(stamp) !== 0 && mtime(stamp) >= mtime(lock)) return;
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, what: 'npm ci' });
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(p) : mtime(p));
  }
  return newest;
}

function ensureClientBuild() {
  const built = mtime(path.join(root, 'client', 'dist', 'index.html'));
  const sources = Math.max(newestIn(path.join(root, 'client')), newestIn(path.join(root, 'shared', 'src')));
  if (built !== 0 && built >= sources) return;
  log('building the browser pages (vite build)');
  run(
    process.execPath,
    [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      what: 'vite build',
    },
  );
}

const started = Date.now();
ensurePackages();
ensureNodeModules();
await ensureMediasoupWorker(root);
ensureClientBuild();
log(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
