#!/usr/bin/env node
// Idempotent set-up run before `npm start` and `npm test`, then the command they run:
//
//   node scripts/bootstrap.mjs --for=start -- node scripts/start.mjs
//   node scripts/bootstrap.mjs --for=test -- node scripts/run-tests.mjs unit
//   node scripts/bootstrap.mjs --node-only -- node scripts/run-tests.mjs unit   (runtime only)
//
// Uses Node built-ins only (it runs before node_modules exists). Each step checks first and skips
// what is already done, so on a prepared checkout the whole script takes well under 2 seconds:
//   0. the Node runtime (scripts/node-runtime.mjs): this machine's when it is >= 22, else Node 24
//      LTS from the npm registry, cached; then this script runs again on it (one log line says so),
//      so that everything after, npm ci and node-gyp included, and the command after `--`, runs on
//      that Node;
//   1. Debian packages (apt-get, as root) when any is missing;
//   2. `npm ci` when node_modules is missing, older than package-lock.json, or installed by
//      another Node major (native modules);
//   3. the mediasoup worker, built against Debian's libraries when no working binary exists
//      (see scripts/mediasoup-worker.mjs), cached outside the checkout;
//   4. the browser pages (Vite) when client/dist is missing or older than its sources.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMediasoupWorker, WORKER_BUILD_PACKAGES } from './mediasoup-worker.mjs';
import { chooseNodeRuntime } from './node-runtime.mjs';
import { log, fail, run } from './util.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
/** The command to run once set up (after `--`), e.g. ['node', 'scripts/start.mjs']. */
const next = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
const purpose = (own.find((a) => a.startsWith('--for=')) ?? '--for=start').slice(6);
const nodeOnly = own.includes('--node-only');

// Runtime: ffmpeg records; the -dev packages are what the worker links against (and pull in the
// shared libraries it needs at run time). Tests add iproute2 (network namespaces), poppler-utils
// (PDF text), coturn (a real TURN server), firefox-esr (a crew phone in Firefox) and postgresql
// (the integration tests' second database: a throw-away cluster, test/helpers/postgres.ts);
// Chromium is already there for the PDF reports.
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
  test: ['iproute2', 'poppler-utils', 'coturn', 'firefox-esr', 'postgresql'],
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
  // Native modules (sqlite3) are built for one Node ABI: a change of Node major reinstalls.
  const abiStamp = path.join(root, 'node_modules', '.node-abi');
  const abi = fs.existsSync(abiStamp) ? fs.readFileSync(abiStamp, 'utf8').trim() : '';
  const current = mtime(stamp) !== 0 && mtime(stamp) >= mtime(lock);
  if (current && abi === process.versions.modules) return;
  if (current) log(`node_modules was installed for another Node (ABI ${abi || 'unknown'}): reinstalling for Node ${process.versions.node}`);
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, what: 'npm ci' });
  fs.writeFileSync(abiStamp, `${process.versions.modules}\n`);
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
    [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'client/vite.config.mts', '--logLevel', 'warn'],
    {
      cwd: root,
      what: 'vite build',
    },
  );
}

/** Runs a command to its end with signals passed on; resolves with its exit code. */
function runForwarding(cmd, cmdArgs, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: process.cwd(), env, stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);
    child.on('error', (e) => fail(`${cmd} could not start: ${e.message}`));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// 0. The runtime. CLOUDSHIP_NODE_CHOSEN marks the second run, on the chosen Node.
if (!process.env.CLOUDSHIP_NODE_CHOSEN) {
  const runtime = await chooseNodeRuntime();
  if (runtime.bin !== process.execPath) {
    log(runtime.reason);
    const env = {
      ...process.env,
      CLOUDSHIP_NODE_CHOSEN: '1',
      // `node` and `npm` (whose script says `#!/usr/bin/env node`) are then that Node, and
      // node-gyp builds native modules against its headers (not the nodedir of ~/.npmrc).
      PATH: `${path.dirname(runtime.bin)}${path.delimiter}${process.env.PATH}`,
      npm_config_nodedir: runtime.nodedir,
    };
    process.exit(await runForwarding(runtime.bin, [fileURLToPath(import.meta.url), ...args], env));
  }
}

if (!nodeOnly) {
  const started = Date.now();
  ensurePackages();
  ensureNodeModules();
  await ensureMediasoupWorker(root);
  ensureClientBuild();
  log(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (next.length) {
  // The command finds this Node as `node` and the project's tools (tsx, jest ...) on PATH.
  const env = {
    ...process.env,
    PATH: [path.join(root, 'node_modules', '.bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
  };
  process.exit(await runForwarding(next[0], next.slice(1), env));
}
