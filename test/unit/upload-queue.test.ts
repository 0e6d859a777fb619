// The upload queue's rules on their own: an in-memory source (what the segment and evidence tables
// do) and an in-memory object store that can be down, slow, or answer with other bytes than it was
// given. No server, no SQLite, no S3.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setLogLevel } from '../../server/src/logging/logger';
import type { LocalDigest, StoredObject } from '../../server/src/storage/file-digest';
import { retryDelayMs, UploadQueue, type UploadItem, type UploadSource, type UploadTarget } from '../../server/src/storage/upload-queue';

setLogLevel('error');

interface Row {
  id: string;
  objectKey: string;
  localPath: string | null;
  sizeBytes: number;
  sha256: string;
  uploadState: 'pending' | 'uploading' | 'uploaded' | 'failed';
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number;
  uploadedAt: number | null;
  /** Whether the staged file still existed when the row was marked uploaded. */
  fileAtUploaded?: boolean;
}

class FakeSource implements UploadSource {
  readonly rows = new Map<string, Row>();
  readonly calls: string[] = [];

  constructor(
    readonly name: string,
    readonly stagingDir: string,
  ) {}

  /** Stages a file with `bytes` and a pending row for it. */
  stage(bytes: Buffer, state: Row['uploadState'] = 'pending'): Row {
    const id = crypto.randomUUID();
    const localPath = `${this.name}-${id}.bin`;
    fs.writeFileSync(path.join(this.stagingDir, localPath), bytes);
    const row: Row = {
      id,
      objectKey: `recordings/${this.name}/${id}.bin`,
      localPath,
      sizeBytes: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      uploadState: state,
      attempts: 0,
      lastError: null,
      nextAttemptAt: 0,
      uploadedAt: null,
    };
    this.rows.set(id, row);
    return row;
  }

  file(row: Row): string {
    return path.join(this.stagingDir, `${this.name}-${row.id}.bin`);
  }

  async due(limit: number, now: Date): Promise<UploadItem[]> {
    this.calls.push('due');
    return [...this.rows.values()]
      .filter((r) => (r.uploadState === 'pending' || r.uploadState === 'failed') && r.nextAttemptAt <= now.getTime())
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .slice(0, limit)
      .map((r) => ({
        id: r.id,
        objectKey: r.objectKey,
        localPath: r.localPath,
        sizeBytes: r.sizeBytes,
        sha256: r.sha256,
        contentType: 'video/webm',
        attempts: r.attempts,
      }));
  }

  async markUploading(id: string): Promise<void> {
    this.calls.push('uploading');
    this.rows.get(id)!.uploadState = 'uploading';
  }

  async markUploaded(id: string, attempts: number, at: Date): Promise<void> {
    this.calls.push('uploaded');
    const row = this.rows.get(id)!;
    Object.assign(row, {
      uploadState: 'uploaded',
      attempts,
      uploadedAt: at.getTime(),
      lastError: null,
      fileAtUploaded: fs.existsSync(this.file(row)),
      localPath: null,
    });
  }

  async markFailed(id: string, attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
    this.calls.push('failed');
    Object.assign(this.rows.get(id)!, { uploadState: 'failed', attempts, lastError: error, nextAttemptAt: nextAttemptAt.getTime() });
  }

  async resetInterrupted(): Promise<{ interrupted: number; waiting: number }> {
    this.calls.push('resetInterrupted');
    let interrupted = 0;
    for (const r of this.rows.values()) {
      if (r.uploadState === 'uploading') {
        r.uploadState = 'pending';
        interrupted++;
      }
    }
    return { interrupted, waiting: [...this.rows.values()].filter((r) => r.uploadState !== 'uploaded').length };
  }
}

/** Holds objects in memory; HeadObject answers what it holds, unless told to answer otherwise. */
class FakeStore implements UploadTarget {
  readonly objects = new Map<string, { bytes: Buffer; sha256: string }>();
  readonly calls: string[] = [];
  down = false;
  /** Added to the size HeadObject reports. */
  sizeSkew = 0;
  /** Replaces the sha256 metadata HeadObject reports. */
  shaOverride: string | null = null;
  /** While set, putFile waits for it. */
  gate: Promise<void> | null = null;
  inFlight = 0;
  maxInFlight = 0;

  async ensureBucket(): Promise<void> {
    this.calls.push('ensureBucket');
    if (this.down) throw new Error('connect ECONNREFUSED');
  }

  async head(key: string): Promise<StoredObject | null> {
    this.calls.push(`head ${key}`);
    if (this.down) throw new Error('connect ECONNREFUSED');
    const o = this.objects.get(key);
    if (!o) return null;
    return {
      size: o.bytes.length + this.sizeSkew,
      etag: crypto.createHash('md5').update(o.bytes).digest('hex'),
      sha256: this.shaOverride ?? o.sha256,
    };
  }

  async putFile(key: string, file: string, digest: LocalDigest): Promise<void> {
    this.calls.push(`put ${key}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      if (this.down) throw new Error('connect ECONNREFUSED');
      this.objects.set(key, { bytes: fs.readFileSync(file), sha256: digest.sha256 });
    } finally {
      this.inFlight--;
    }
  }
}

let dir: string;
let clock: number;
const queues: UploadQueue[] = [];

function queueOf(store: UploadTarget, options: { concurrency?: number; retryMaxMs?: number } = {}): UploadQueue {
  // A poll far away: every scan in these tests is a kick().
  const q = new UploadQueue(store, {
    retryMaxMs: options.retryMaxMs ?? 60_000,
    concurrency: options.concurrency,
    pollMs: 3_600_000,
    now: () => clock,
  });
  queues.push(q);
  return q;
}

/** A started queue over `sources`. */
async function startedQueue(
  store: UploadTarget,
  sources: UploadSource[],
  options: { concurrency?: number; retryMaxMs?: number } = {},
): Promise<UploadQueue> {
  const q = queueOf(store, options);
  for (const source of sources) await q.addSource(source);
  await q.start();
  await q.idle();
  return q;
}

/** Scans once and waits for the uploads it started. */
async function run(q: UploadQueue): Promise<void> {
  await q.kick();
  await q.idle();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-queue-'));
  clock = 1_700_000_000_000;
});

afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a staged file is uploaded, confirmed by HeadObject, marked uploaded, and only then deleted', async () => {
  const source = new FakeSource('segment', dir);
  const store = new FakeStore();
  const q = await startedQueue(store, [source]);
  const bytes = crypto.randomBytes(5000);
  const row = source.stage(bytes);
  await run(q);

  expect(row).toMatchObject({
    uploadState: 'uploaded',
    attempts: 1,
    lastError: null,
    localPath: null,
    uploadedAt: clock,
    fileAtUploaded: true,
  });
  expect(fs.existsSync(source.file(row))).toBe(false);
  expect(store.objects.get(row.objectKey)!.bytes.equals(bytes)).toBe(true);
  // Asked before (not there yet), put, asked again to confirm.
  expect(store.calls).toEqual(['ensureBucket', `head ${row.objectKey}`, `put ${row.objectKey}`, `head ${row.objectKey}`]);
});

test('a store that reports another size than the file has: failed, the file kept', async () => {
  const source = new FakeSource('segment', dir);
  const store = new FakeStore();
  store.sizeSkew = 1;
  const q = await startedQueue(store, [source]);
  const row = source.stage(crypto.randomBytes(3000));
  await run(q);

  expect(row).toMatchObject({ uploadState: 'failed', attempts: 1, localPath: row.localPath, nextAttemptAt: clock + 1000 });
  expect(row.lastError).toBe('store did not confirm the upload (size 3001)');
  expect(fs.existsSync(source.file(row))).toBe(true);
  expect(source.calls).not.toContain('uploaded');
});

test('a store whose SHA-256 metadata differs: failed, the file kept; once it matches: uploaded and deleted', async () => {
  const source = new FakeSource('evidence', dir);
  const store = new FakeStore();
  store.shaOverride = '0'.repeat(64);
  const q = await startedQueue(store, [source]);
  const row = source.stage(crypto.randomBytes(2000));
  await run(q);
  expect(row).toMatchObject({ uploadState: 'failed', attempts: 1, lastError: 'store did not confirm the upload (size 2000)' });
  expect(fs.existsSync(source.file(row))).toBe(true);

  store.shaOverride = null;
  clock = row.nextAttemptAt;
  await run(q);
  expect(row).toMatchObject({ uploadState: 'uploaded', attempts: 2, fileAtUploaded: true });
  expect(fs.existsSync(source.file(row))).toBe(false);
});

test('a staged file that no longer has its recorded hash is never uploaded', async () => {
  const source = new FakeSource('segment', dir);
  const store = new FakeStore();
  const q = await startedQueue(store, [source]);
  const row = source.stage(Buffer.from('recorded bytes'));
  fs.writeFileSync(source.file(row), 'changed bytes!');
  await run(q);
  expect(row).toMatchObject({ uploadState: 'failed', attempts: 1, lastError: 'local file differs from its recorded hash' });
  expect(store.calls).toEqual([]);
  expect(fs.existsSync(source.file(row))).toBe(true);
});

test('backoff: 1 s, 2 s, 4 s ... doubling up to the configured maximum; nothing is tried before it is due', async () => {
  expect([1, 2, 3, 4, 5, 6, 30].map((n) => retryDelayMs(n, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  const source = new FakeSource('segment', dir);
  const store = new FakeStore();
  store.down = true;
  const q = await startedQueue(store, [source], { retryMaxMs: 10_000 });
  const row = source.stage(crypto.randomBytes(100));
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    await run(q);
    expect(row.uploadState).toBe('failed');
    delays.push(row.nextAttemptAt - clock);
    // 1 ms before it is due: not attempted.
    clock = row.nextAttemptAt - 1;
    await run(q);
    expect(row.attempts).toBe(i + 1);
    clock = row.nextAttemptAt;
  }
  expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  expect(row.lastError).toBe('connect ECONNREFUSED');
  expect(fs.existsSync(source.file(row))).toBe(true);

  store.down = false;
  await run(q);
  expect(row).toMatchObject({ uploadState: 'uploaded', attempts: 7 });
  expect(fs.existsSync(source.file(row))).toBe(false);
});

test('concurrency is bounded over all sources together', async () => {
  const segments = new FakeSource('segment', dir);
  const evidence = new FakeSource('evidence', dir);
  const store = new FakeStore();
  let release!: () => void;
  store.gate = new Promise((resolve) => (release = resolve));
  const q = await startedQueue(store, [segments, evidence], { concurrency: 2 });
  for (let i = 0; i < 5; i++) segments.stage(crypto.randomBytes(200));
  const still = evidence.stage(crypto.randomBytes(200));

  const all = () => [...segments.rows.values(), ...evidence.rows.values()];
  try {
    await q.kick();
    for (let i = 0; i < 200 && store.inFlight < 2; i++) await new Promise((r) => setTimeout(r, 5));
    // Two uploads hang in the store; further scans start nothing more.
    for (let i = 0; i < 3; i++) await q.kick();
    await new Promise((r) => setTimeout(r, 20));
    expect(store.inFlight).toBe(2);
    expect(all().filter((r) => r.uploadState === 'uploading')).toHaveLength(2);
  } finally {
    // Also when an expectation failed: close() waits for the uploads hanging in the store.
    release();
    store.gate = null;
  }
  for (let i = 0; i < 10 && all().some((r) => r.uploadState !== 'uploaded'); i++) await run(q);
  expect(all().map((r) => r.uploadState)).toEqual(Array(6).fill('uploaded'));
  expect(still.uploadState).toBe('uploaded');
  expect(store.maxInFlight).toBe(2);
});

test('uploads a previous process left "uploading" are reset at start, before anything is uploaded, and then uploaded', async () => {
  const source = new FakeSource('segment', dir);
  const interrupted = source.stage(crypto.randomBytes(300), 'uploading');
  const pending = source.stage(crypto.randomBytes(300));
  const store = new FakeStore();
  const q = queueOf(store);
  await q.addSource(source);
  // Not started: nothing is looked at, let alone uploaded.
  await run(q);
  expect(source.calls).toEqual([]);

  await q.start();
  await q.idle();
  await run(q);
  expect(source.calls[0]).toBe('resetInterrupted');
  expect(interrupted).toMatchObject({ uploadState: 'uploaded', attempts: 1 });
  expect(pending).toMatchObject({ uploadState: 'uploaded', attempts: 1 });
  expect(store.objects.size).toBe(2);

  // A source added to a started queue is reset as well.
  const late = new FakeSource('evidence', dir);
  const lateRow = late.stage(crypto.randomBytes(300), 'uploading');
  await q.addSource(late);
  expect(late.calls[0]).toBe('resetInterrupted');
  await run(q);
  expect(lateRow.uploadState).toBe('uploaded');
});
