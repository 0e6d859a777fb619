// The upload backlog after an object store outage goes up at the store's pace, not as each item's
// backoff runs out; while the store is down it is probed one upload at a time. A real s3rver (the
// embedded store), stopped and started again on the same port, the real ObjectStore and
// UploadQueue; the queue's clock is the test's (`now`), so a backoff runs out only when the test
// moves the clock, and nothing here waits for time to pass.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { EvidenceEntity, INSPECTION_RECORD_ENTITIES } from '../../server/src/inspection-record/entities';
import { EvidenceUploadSource } from '../../server/src/inspection-record/evidence-upload-source';
import { setLogLevel } from '../../server/src/logging/logger';
import { openDatabase } from '../../server/src/persistence/data-source';
import { RECORDING_ENTITIES, SegmentEntity } from '../../server/src/recording/entities';
import { SegmentUploadSource } from '../../server/src/recording/segment-upload-source';
import { EMBEDDED_CREDENTIALS, startEmbeddedStore, type EmbeddedStore } from '../../server/src/storage/embedded-store';
import { ObjectStore } from '../../server/src/storage/object-store';
import { retryDelayMs, UploadQueue, type UploadItem, type UploadSource } from '../../server/src/storage/upload-queue';

setLogLevel('error');
jest.setTimeout(120_000);

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
  /** The backoff the queue gave the last failure: nextAttemptAt minus the clock at that moment. */
  lastDelay: number | null;
  uploadedAt: number | null;
  /** Whether the staged file still existed when the row was marked uploaded. */
  fileAtUploaded?: boolean;
}

/** What the segment table does, in a Map; counts the attempts and how many run at once. */
class MapSource implements UploadSource {
  readonly name = 'segment';
  readonly rows = new Map<string, Row>();
  /** Attempts started (markUploading) and, of them, how many at once at most. */
  started = 0;
  uploading = 0;
  maxUploading = 0;
  readonly retries: Array<{ at: number; made: number }> = [];

  constructor(
    readonly stagingDir: string,
    private readonly clock: () => number,
  ) {}

  stage(bytes: Buffer): Row {
    const id = crypto.randomUUID();
    const localPath = `${id}.webm`;
    fs.writeFileSync(path.join(this.stagingDir, localPath), bytes);
    const row: Row = {
      id,
      objectKey: `recordings/upload-drain/${id}.webm`,
      localPath,
      sizeBytes: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      uploadState: 'pending',
      attempts: 0,
      lastError: null,
      nextAttemptAt: 0,
      lastDelay: null,
      uploadedAt: null,
    };
    this.rows.set(id, row);
    return row;
  }

  file(row: Row): string {
    return path.join(this.stagingDir, `${row.id}.webm`);
  }

  async due(limit: number, now: Date): Promise<UploadItem[]> {
    return [...this.rows.values()]
      .filter((r) => (r.uploadState === 'pending' || r.uploadState === 'failed') && r.nextAttemptAt <= now.getTime())
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .slice(0, limit)
      .map((r) => ({ ...r, contentType: 'video/webm' }));
  }

  async markUploading(id: string): Promise<void> {
    this.rows.get(id)!.uploadState = 'uploading';
    this.started++;
    this.maxUploading = Math.max(this.maxUploading, ++this.uploading);
  }

  async markUploaded(id: string, attempts: number, at: Date): Promise<void> {
    this.uploading--;
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
    this.uploading--;
    const at = nextAttemptAt.getTime();
    Object.assign(this.rows.get(id)!, {
      uploadState: 'failed',
      attempts,
      lastError: error,
      nextAttemptAt: at,
      lastDelay: at - this.clock(),
    });
  }

  async resetInterrupted(): Promise<{ interrupted: number; waiting: number }> {
    return { interrupted: 0, waiting: [...this.rows.values()].filter((r) => r.uploadState !== 'uploaded').length };
  }

  async retryNow(now: Date): Promise<number> {
    let made = 0;
    for (const r of this.rows.values()) {
      if (r.uploadState === 'failed' && r.nextAttemptAt > now.getTime()) {
        r.nextAttemptAt = now.getTime();
        made++;
      }
    }
    this.retries.push({ at: now.getTime(), made });
    return made;
  }
}

let tmp: string;
let store: EmbeddedStore | null = null;
let target: ObjectStore | null = null;
let queue: UploadQueue | null = null;
let db: DataSource | null = null;
let clock: number;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-drain-'));
  fs.mkdirSync(path.join(tmp, 'staging'));
  clock = 1_700_000_000_000;
});

afterEach(async () => {
  await queue?.close();
  queue = null;
  target?.close();
  target = null;
  await store?.close();
  store = null;
  await db?.destroy();
  db = null;
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('after a store outage the whole backlog goes up as soon as the store answers, not as each backoff runs out', async () => {
  const ITEMS = 30;
  const ROUNDS = 6; // failed attempts per item during the outage: the backoff reaches 32 s
  const RETRY_MAX_MS = 60_000;
  store = await startEmbeddedStore(path.join(tmp, 'store'));
  const port = store.port;
  target = new ObjectStore({ endpoint: store.endpoint, region: 'us-east-1', bucket: 'upload-drain', ...EMBEDDED_CREDENTIALS });
  await target.ensureBucket();
  await store.close();
  store = null;

  const source = new MapSource(path.join(tmp, 'staging'), () => clock);
  const rows = Array.from({ length: ITEMS }, (_, i) => source.stage(crypto.randomBytes(20_000 + i * 997)));
  // No poll in this test: every scan is a kick(), so each attempt is one the test asked for.
  queue = new UploadQueue(target, { retryMaxMs: RETRY_MAX_MS, concurrency: 2, pollMs: 3_600_000, now: () => clock });
  await queue.addSource(source);
  // Its first scan starts two uploads (as far as the queue knows the store takes them); both refused.
  await queue.start();
  await queue.idle();
  expect(source.started).toBe(2);
  expect(rows.filter((r) => r.uploadState === 'failed')).toHaveLength(2);

  // The outage: each round the clock goes to where every item is due, and every item is tried once;
  // the clock moves a second per attempt, so the items' next attempts end up spread over 30 s.
  source.maxUploading = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    clock = Math.max(...rows.map((r) => r.nextAttemptAt));
    while (rows.some((r) => r.attempts < round)) {
      const before = source.started;
      await queue.kick();
      await queue.idle();
      // Every item is due, yet a scan starts one probe: the down store is not hammered.
      expect(source.started - before).toBe(1);
      clock += 1000;
    }
  }
  expect(source.started).toBe(ITEMS * ROUNDS);
  expect(source.maxUploading).toBe(1);
  for (const r of rows) {
    expect(r).toMatchObject({ uploadState: 'failed', attempts: ROUNDS, lastDelay: retryDelayMs(ROUNDS, RETRY_MAX_MS) });
    expect(r.lastError).toBeTruthy();
    expect(fs.existsSync(source.file(r))).toBe(true);
  }
  expect(retryDelayMs(ROUNDS, RETRY_MAX_MS)).toBe(32_000);

  // The store comes back on the same port. The clock goes to the first item whose backoff runs
  // out (where the poll would find the store back) and stays there: by the old rule that one item
  // is uploaded now and the last one 29 s later.
  store = await startEmbeddedStore(path.join(tmp, 'store'), { port });
  clock = Math.min(...rows.map((r) => r.nextAttemptAt));
  const returnedAt = clock;
  expect(rows.filter((r) => r.nextAttemptAt <= clock)).toHaveLength(1);
  expect(Math.max(...rows.map((r) => r.nextAttemptAt)) - clock).toBe((ITEMS - 1) * 1000);
  const startedBefore = source.started;
  source.maxUploading = 0;
  await queue.kick();
  // idle(): each upload that ends starts the next due one, so this is the backlog being empty.
  await queue.idle();

  expect(clock).toBe(returnedAt);
  expect(rows.map((r) => r.uploadState)).toEqual(Array(ITEMS).fill('uploaded'));
  // The probe that got through made the 29 others due at once; each went up once, two at a time.
  expect(source.retries).toEqual([{ at: returnedAt, made: ITEMS - 1 }]);
  expect(source.started - startedBefore).toBe(ITEMS);
  expect(source.maxUploading).toBe(2);
  // And a file went only once the store held its bytes.
  for (const r of rows) {
    expect(r).toMatchObject({ attempts: ROUNDS + 1, uploadedAt: returnedAt, localPath: null, fileAtUploaded: true });
    expect(fs.existsSync(source.file(r))).toBe(false);
    expect(await target.head(r.objectKey)).toMatchObject({ size: r.sizeBytes, sha256: r.sha256 });
  }
});

test('the segment and evidence tables make their failed rows waiting for a retry due now, attempts kept, and nothing else', async () => {
  db = await openDatabase(path.join(tmp, 'db.sqlite'), [...RECORDING_ENTITIES, ...INSPECTION_RECORD_ENTITIES]);
  // Rows on their own: no inspection, recording or track around them.
  await db.query('PRAGMA foreign_keys = OFF');
  const now = new Date(clock);
  const at = (ms: number) => new Date(clock + ms);
  const states = [
    { key: 'waiting', uploadState: 'failed', nextAttemptAt: at(45_000) },
    { key: 'due', uploadState: 'failed', nextAttemptAt: at(-1000) },
    { key: 'pending', uploadState: 'pending', nextAttemptAt: at(-5000) },
    { key: 'uploading', uploadState: 'uploading', nextAttemptAt: at(30_000) },
    { key: 'uploaded', uploadState: 'uploaded', nextAttemptAt: at(30_000) },
  ] as const;
  const segments = db.getRepository(SegmentEntity);
  const evidence = db.getRepository(EvidenceEntity);
  for (const [i, s] of states.entries()) {
    await segments.save({
      id: `seg-${s.key}`,
      recordingId: 'r',
      trackId: 't',
      trackKey: 'crew-x-camera',
      index: i,
      startedAt: now,
      endedAt: now,
      mediaStartMs: 0,
      durationMs: 10_000,
      sizeBytes: 100,
      sha256: 'a'.repeat(64),
      objectKey: `recordings/i/r/crew-x-camera/${i}.webm`,
      localPath: s.uploadState === 'uploaded' ? null : `t/seg-0000${i}.webm`,
      uploadState: s.uploadState,
      attempts: 4,
      lastError: null,
      nextAttemptAt: s.nextAttemptAt,
      uploadedAt: null,
    });
    await evidence.save({
      id: `ev-${s.key}`,
      inspectionId: 'i',
      checklistItemId: null,
      type: 'photo',
      storageKey: `evidence/i/${i}.jpg`,
      contentType: 'image/jpeg',
      sizeBytes: 100,
      sha256: 'b'.repeat(64),
      capturedAt: now,
      lat: null,
      lon: null,
      accuracy: null,
      note: '',
      authorRole: 'crew',
      authorId: 'c',
      authorName: 'crew',
      requestId: null,
      uploadState: s.uploadState,
      attempts: 4,
      lastError: null,
      nextAttemptAt: s.nextAttemptAt,
      localPath: s.uploadState === 'uploaded' ? null : `evidence/i/${i}.jpg`,
      uploadedAt: null,
    });
  }
  for (const source of [new SegmentUploadSource(db, tmp), new EvidenceUploadSource(db, tmp)]) {
    const prefix = source.name === 'segment' ? 'seg' : 'ev';
    expect((await source.due(10, now)).map((x) => x.id).sort()).toEqual([`${prefix}-due`, `${prefix}-pending`]);
    expect(await source.retryNow(now)).toBe(1);
    const due = await source.due(10, now);
    expect(due.map((x) => x.id).sort()).toEqual([`${prefix}-due`, `${prefix}-pending`, `${prefix}-waiting`]);
    expect(due.every((x) => x.attempts === 4)).toBe(true);
    // Already due: nothing left to pull forward.
    expect(await source.retryNow(now)).toBe(0);
  }
  const waiting = await segments.findOneByOrFail({ id: 'seg-waiting' });
  expect(waiting).toMatchObject({ uploadState: 'failed', attempts: 4, nextAttemptAt: now });
  expect((await segments.findOneByOrFail({ id: 'seg-uploading' })).nextAttemptAt).toEqual(at(30_000));
  expect((await evidence.findOneByOrFail({ id: 'ev-uploaded' })).nextAttemptAt).toEqual(at(30_000));
});
