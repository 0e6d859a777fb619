// S3_OBJECT_LOCK_DAYS with an external store: where the bucket has object lock, every upload carries
// compliance-mode retention; where it has none, uploads go on unlocked and the admin's storage view
// says why. The external store is an s3rver of its own; for a bucket "with" object lock, a small
// proxy in front of it answers GetObjectLockConfiguration as S3 does and records each PUT's headers.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/src/config/config';
import { EMBEDDED_CREDENTIALS, startEmbeddedStore, type EmbeddedStore } from '../../server/src/storage/embedded-store';
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import { crewUpload, TINY_JPEG } from '../helpers/record-fixtures';
import { until } from '../helpers/recording';
import { EvidenceEntity } from '../../server/src/inspection-record/entities';

jest.setTimeout(120_000);

let external: EmbeddedStore;
let storeDir: string;
const puts: http.IncomingHttpHeaders[] = [];
let proxy: http.Server;
let proxyUrl: string;

beforeAll(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-external-store-'));
  external = await startEmbeddedStore(storeDir);
  const target = new URL(external.endpoint);
  proxy = http.createServer((req, res) => {
    if (req.method === 'GET' && /[?&]object-lock(=|&|$)/.test(req.url ?? '')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
      );
      return;
    }
    if (req.method === 'PUT' && !/[?&](uploadId|partNumber)=/.test(req.url ?? '') && (req.url ?? '').split('/').length > 2)
      puts.push(req.headers);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await external?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

const externalEnv = (endpoint: string) => ({
  S3_ENDPOINT: endpoint,
  S3_ACCESS_KEY_ID: EMBEDDED_CREDENTIALS.accessKeyId,
  S3_SECRET_ACCESS_KEY: EMBEDDED_CREDENTIALS.secretAccessKey,
  S3_OBJECT_LOCK_DAYS: '30',
});

async function storageState(server: TestServer) {
  const cookie = await server.signIn(ADMIN.username, ADMIN.password);
  const r = await server.api('GET', '/api/admin/storage', { cookie });
  expect(r.status).toBe(200);
  return { cookie, lock: r.body.objectLock };
}

/** A crew still, uploaded to the store through the queue. */
async function uploadedStill(server: TestServer, cookie: string): Promise<string> {
  const inspection = await server.createInspection(cookie);
  const { token } = await server.crewLink(cookie, inspection.id);
  const up = await crewUpload(server, token, TINY_JPEG, { query: { initiative: 'crew' } });
  expect(up.status).toBe(201);
  const row = await until(async () => {
    const e = await server.db.getRepository(EvidenceEntity).findOneBy({ id: up.body.evidence.id });
    return e?.uploadState === 'uploaded' ? e : null;
  }, 'the still uploaded');
  return row.storageKey!;
}

test('S3_OBJECT_LOCK_DAYS without an external store is refused at start-up, and so is an absurd number', () => {
  expect(() => loadConfig({ S3_OBJECT_LOCK_DAYS: '30' })).toThrow(ConfigError);
  expect(() => loadConfig({ S3_OBJECT_LOCK_DAYS: '30' })).toThrow(/S3_OBJECT_LOCK_DAYS needs S3_ENDPOINT/);
  expect(() => loadConfig({ ...externalEnv('http://127.0.0.1:9'), S3_OBJECT_LOCK_DAYS: '0' })).toThrow(/S3_OBJECT_LOCK_DAYS/);
  expect(() => loadConfig({ ...externalEnv('http://127.0.0.1:9'), S3_OBJECT_LOCK_DAYS: 'forever' })).toThrow(/S3_OBJECT_LOCK_DAYS/);
});

test('a bucket with object lock: every upload carries COMPLIANCE retention for the days set', async () => {
  const server = await startTestServer(externalEnv(proxyUrl));
  try {
    const { cookie, lock } = await storageState(server);
    expect(lock).toEqual({ state: 'active', days: 30 });
    puts.length = 0;
    const before = Date.now();
    const key = await uploadedStill(server, cookie);
    const put = puts.find((h) => h['x-amz-object-lock-mode']);
    expect(put).toBeDefined();
    expect(put!['x-amz-object-lock-mode']).toBe('COMPLIANCE');
    const until30 = Date.parse(String(put!['x-amz-object-lock-retain-until-date']));
    expect(until30).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
    expect(until30).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1000);
    expect(await server.recording.store.head(key)).toMatchObject({ size: TINY_JPEG.length });
  } finally {
    await server.stop();
  }
});

test('a bucket without object lock: uploads go on unlocked, and the storage view says why', async () => {
  const server = await startTestServer(externalEnv(external.endpoint));
  try {
    const { cookie, lock } = await storageState(server);
    expect(lock).toMatchObject({ state: 'unsupported', days: 30, reason: expect.stringMatching(/cannot report object lock|not enabled/) });
    const key = await uploadedStill(server, cookie);
    expect(await server.recording.store.head(key)).toMatchObject({ size: TINY_JPEG.length });
  } finally {
    await server.stop();
  }
});

test('without S3_OBJECT_LOCK_DAYS the storage view says the store does not prevent deletion', async () => {
  const server = await startTestServer();
  try {
    expect((await storageState(server)).lock).toEqual({ state: 'off', days: null });
  } finally {
    await server.stop();
  }
});
