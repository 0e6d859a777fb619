// The mediasoup worker the set-up builds (scripts/mediasoup-worker.mjs). Its libsrtp must be the
// one compiled in with OpenSSL crypto: Debian's shared libsrtp2 (NSS crypto) costs the worker about
// 3 µs more per forwarded packet and 40% of its capacity (README, Benchmarks).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const worker = path.join(root, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker');

test('the worker links libsrtp statically, with OpenSSL crypto (not the NSS-backed system libsrtp2)', () => {
  const needed = execFileSync('readelf', ['-d', worker], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('(NEEDED)'))
    .map((l) => /\[(.+)\]/.exec(l)![1]!);
  expect(needed).toContain('libcrypto.so.3');
  expect(needed.filter((n) => /srtp|nss/.test(n))).toEqual([]);
  const symbols = execFileSync('nm', ['-D', worker], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // libsrtp's OpenSSL back end: AES-128-CTR and HMAC-SHA1 through EVP.
  expect(symbols).toMatch(/ U EVP_aes_128_ctr@/);
  expect(symbols).toMatch(/ U EVP_sha1@/);
  expect(symbols).not.toMatch(/PK11_/);
});

test('a worker built from another recipe is replaced by the set-up', () => {
  const stamp = `${worker}.recipe`;
  const current = fs.readFileSync(stamp, 'utf8');
  expect(current).toMatch(/^mediasoup-worker-\d+\.\d+\.\d+-[0-9a-f]{12}$/);
  fs.writeFileSync(stamp, 'mediasoup-worker-0.0.0-000000000000');
  const before = fs.statSync(worker).mtimeMs;
  try {
    const script = `import(${JSON.stringify(path.join(root, 'scripts', 'mediasoup-worker.mjs'))}).then((m) => m.ensureMediasoupWorker(${JSON.stringify(root)}))`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    // The cache holds the current recipe's binary (the set-up before this run put it there).
    expect(out).toContain('using the cached mediasoup worker');
    expect(fs.readFileSync(stamp, 'utf8')).toBe(current);
    expect(fs.statSync(worker).mtimeMs).toBeGreaterThan(before);
  } finally {
    fs.writeFileSync(stamp, current);
  }
});
