// The mediasoup worker the set-up builds (scripts/mediasoup-worker.mjs). It must link Debian's
// OpenSSL and carry libsrtp 2.5.0 compiled in with OpenSSL crypto: Debian's shared libsrtp2 uses
// NSS, which costs the worker about 3 µs more per forwarded packet and 40% of its capacity
// (README, Benchmarks). flatbuffers is used from its headers only.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const worker = path.join(root, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker');
const stamp = `${worker}.recipe`;

function ensureWorker(): string {
  const script = `import(${JSON.stringify(path.join(root, 'scripts', 'mediasoup-worker.mjs'))}).then((m) => m.ensureMediasoupWorker(${JSON.stringify(root)}))`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

test('the worker links OpenSSL and no NSS (ldd), with libsrtp compiled in', () => {
  const libraries = execFileSync('ldd', [worker], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0]!)
    .filter(Boolean);
  expect(libraries).toEqual(expect.arrayContaining(['libssl.so.3', 'libcrypto.so.3', 'libuv.so.1']));
  expect(libraries.filter((l) => /nss|nspr|srtp|flatbuffers/.test(l))).toEqual([]);
  expect(execFileSync('ldd', [worker], { encoding: 'utf8' })).not.toMatch(/not found/);
  const symbols = execFileSync('nm', ['-D', worker], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // libsrtp's OpenSSL back end: AES-128-CTR, AES-GCM and HMAC-SHA1 through EVP.
  expect(symbols).toMatch(/ U EVP_aes_128_ctr@/);
  expect(symbols).toMatch(/ U EVP_aes_256_gcm@/);
  expect(symbols).toMatch(/ U EVP_sha1@/);
  expect(symbols).not.toMatch(/PK11_|NSS_/);
  expect(fs.readFileSync(worker).includes('libsrtp2 2.5.0')).toBe(true);
});

test('a worker built from another recipe is replaced by the set-up', () => {
  const current = fs.readFileSync(stamp, 'utf8');
  expect(current).toMatch(/^mediasoup-worker-3\.27\.\d+-[0-9a-f]{12} [0-9a-f]{64}\n$/);
  fs.writeFileSync(stamp, 'mediasoup-worker-0.0.0-000000000000 0000\n');
  const before = fs.statSync(worker).mtimeMs;
  try {
    const out = ensureWorker();
    expect(out).toContain('built from another recipe');
    // The cache holds the current recipe's binary (the set-up before this run put it there).
    expect(out).toContain('using the cached mediasoup worker');
    expect(fs.readFileSync(stamp, 'utf8')).toBe(current);
    expect(fs.statSync(worker).mtimeMs).toBeGreaterThan(before);
  } finally {
    fs.writeFileSync(stamp, current);
  }
});

test('a damaged worker in node_modules (sha256 not the recorded one) is replaced from the cache', () => {
  const good = fs.readFileSync(worker);
  // Same length, one byte changed: it may even still start, but it is not the binary that was built.
  const damaged = Buffer.from(good);
  damaged[damaged.length - 1] = damaged.at(-1)! ^ 0xff;
  fs.writeFileSync(`${worker}.damaged`, damaged, { mode: 0o755 });
  fs.renameSync(`${worker}.damaged`, worker);

  const out = ensureWorker();

  expect(out).toContain('does not match its record');
  expect(fs.readFileSync(worker).equals(good)).toBe(true);
});

test('bench:worker-build refuses an unknown flavour, and a profile-guided build without a training run', () => {
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cloud-ship-inspection');
  const entries = () => fs.readdirSync(cache).sort();
  const before = entries();
  const call = (flavour: string) => {
    const script = `import(${JSON.stringify(path.join(root, 'scripts', 'mediasoup-worker.mjs'))}).then((m) => m.workerOfFlavour(${JSON.stringify(root)}, ${JSON.stringify(flavour)}))`;
    return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  };
  const unknown = call('turbo');
  expect(unknown.status).not.toBe(0);
  expect(unknown.stdout + unknown.stderr).toContain('unknown worker flavour turbo (flavours: release, lto, native, pgo)');
  const untrained = call('pgo');
  expect(untrained.status).not.toBe(0);
  expect(untrained.stdout + untrained.stderr).toContain('the pgo worker needs a training run');
  // Nothing was built or started in the cache.
  expect(entries()).toEqual(before);
});
