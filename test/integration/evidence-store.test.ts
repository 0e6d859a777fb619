// Evidence stills live in the same S3-compatible object store as the recordings, and an outage of
// that store loses nothing: the still is staged on disk, served from there, and uploaded (hash
// checked) by the upload queue once the store is back.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedStore, type EmbeddedStore } from '../../server/src/storage/embedded-store';
import { startTestServer, ADMIN, type TestServer } from '../helpers/test-server';
import { crewUpload, TINY_JPEG } from '../helpers/record-fixtures';
import { until } from '../helpers/recording';
import { sql } from '../helpers/sql';

let server: TestServer;
let store: EmbeddedStore | null = null;
let storeDir: string;
let surveyorCookie: string;
const sha = crypto.createHash('sha256').update(TINY_JPEG).digest('hex');

beforeAll(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-store-'));
  store = await startEmbeddedStore(storeDir);
  // Retries at most 1 s apart, so the test does not wait out a long backoff once the store is back.
  server = await startTestServer({
    S3_ENDPOINT: store.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    RECORDING_UPLOAD_RETRY_MAX_SECONDS: '1',
  });
  const admin = await server.signIn(ADMIN.username, ADMIN.password);
  surveyorCookie = (await server.createAccount(admin, 'surveyor', 'evidence1')).cookie;
});

afterAll(async () => {
  await server.stop();
  await store?.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

async function upload(): Promise<{ id: string; key: string; url: string }> {
  const inspection = await server.createInspection(surveyorCookie);
  const { token } = await server.crewLink(surveyorCookie, inspection.id);
  const up = await crewUpload(server, token, TINY_JPEG, { query: { initiative: 'crew' } });
  expect(up.status).toBe(201);
  expect(up.body.evidence.sha256).toBe(sha);
  const [row] = await sql(server.db, 'SELECT "storageKey" AS key FROM "evidence" WHERE "id" = ?', [up.body.evidence.id]);
  return { id: up.body.evidence.id, key: row.key, url: `/api/inspections/${inspection.id}/evidence/${up.body.evidence.id}/file` };
}

const staged = (key: string) => fs.existsSync(path.join(server.dataDir, key));

/** The evidence row's upload state, as the upload queue leaves it. */
async function uploadOf(id: string): Promise<{ state: string | null; attempts: number; localPath: string | null }> {
  const [row] = await sql(server.db, 'SELECT "uploadState" AS state, "attempts", "localPath" FROM "evidence" WHERE "id" = ?', [id]);
  return row;
}

/** Polls the row until it is in `state`. */
async function reaches(id: string, state: 'uploaded' | 'failed') {
  return until(
    async () => {
      const u = await uploadOf(id);
      return u.state === state ? u : null;
    },
    `the still ${state}`,
    30_000,
    100,
  );
}

async function served(url: string): Promise<Buffer> {
  const r = await fetch(`${server.url}${url}`, { headers: { cookie: surveyorCookie } });
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

test('an uploaded still is in the object store with its SHA-256, and not left on local disk', async () => {
  const { id, key, url } = await upload();
  expect(await reaches(id, 'uploaded')).toMatchObject({ attempts: 1, localPath: null });
  expect(key).toMatch(/^evidence\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.jpg$/);
  const head = await server.recording.store.head(key);
  expect(head).toMatchObject({ size: TINY_JPEG.length, sha256: sha });
  expect(staged(key)).toBe(false);
  expect((await served(url)).equals(TINY_JPEG)).toBe(true);
});

test('with the store down the upload still succeeds, is kept on disk, and reaches the store once it is back', async () => {
  const port = store!.port;
  await store!.close();
  store = null;
  const { id, key, url } = await upload();
  expect(staged(key)).toBe(true);
  expect((await served(url)).equals(TINY_JPEG)).toBe(true);
  // The queue tries, fails and keeps it staged for a retry.
  expect(await reaches(id, 'failed')).toMatchObject({ localPath: key });
  expect(staged(key)).toBe(true);
  expect((await served(url)).equals(TINY_JPEG)).toBe(true);

  store = await startEmbeddedStore(storeDir, { port });
  // The queue's next attempt (at most RECORDING_UPLOAD_RETRY_MAX_SECONDS later) succeeds.
  expect((await reaches(id, 'uploaded')).attempts).toBeGreaterThanOrEqual(2);
  expect(await server.recording.store.head(key)).toMatchObject({ size: TINY_JPEG.length, sha256: sha });
  expect(staged(key)).toBe(false);
  expect((await served(url)).equals(TINY_JPEG)).toBe(true);
});
