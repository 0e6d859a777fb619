// Composition of the recording feature for startServer: the staging disk's guard -> object store
// (embedded s3rver unless S3_ENDPOINT is set) -> recovery of what a previous run left -> upload
// queue (segments; app.ts adds the evidence stills to the same queue) -> recorder attached to the
// rooms -> replay routes. close() ends in the reverse order, after the rooms are closed.
import fs from 'node:fs';
import path from 'node:path';
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { Config } from '../config/config';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionList } from '../inspection/inspection-list';
import type { InspectionService } from '../inspection/inspection-service';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import type { MetricsRegistry } from '../metrics/metrics';
import type { RoomRegistry } from '../session/room-registry';
import { DiskGuard, type DiskState, type ReclaimPolicy } from '../storage/disk-space';
import { EMBEDDED_CREDENTIALS, startEmbeddedStore, type EmbeddedStore } from '../storage/embedded-store';
import { ObjectStore } from '../storage/object-store';
import { UploadQueue } from '../storage/upload-queue';
import { SegmentEntity } from './entities';
import { RecordingService } from './recording-service';
import { replayRouter } from './replay-routes';
import { ReplayService } from './replay-service';
import { reviewRouter } from './review-routes';
import { ReviewService } from './review-service';
import { SegmentCatalog } from './segment-catalog';
import { SegmentUploadSource } from './segment-upload-source';

const logger = new Logger('recording-module');

const MiB = 1024 * 1024;
const DISK_STATE_VALUE: Record<DiskState, number> = { ok: 0, low: 1, full: 2 };

/** What /healthz reports of the recording, apart from liveness. */
export interface RecordingHealth {
  disk: DiskState;
  freeBytes: number;
  /** Segments not in the store yet (pending, uploading, failed); null when the database did not answer. */
  uploadBacklog: number | null;
}

/**
 * What the staging disk's guard may delete below its low-water mark: nothing, by construction.
 * The upload queue deletes a staged segment the moment the store confirms its bytes (the row's
 * localPath becomes null first, upload-queue.ts), and nothing else keeps an uploaded copy in
 * staging/: replay streams staged files only for segments not uploaded yet, and evidence stills are
 * staged under DATA_DIR, not here. So no staged file is ever known to be uploaded, and this list is
 * empty; there is no cache of uploaded segments to invent. The rule stays explicit should one be
 * added: a segment a row still names (pending, uploading, failed) is never deleted.
 */
function stagingReclaimPolicy(db: DataSource): ReclaimPolicy {
  return {
    uploadedFiles: () => Promise.resolve([]),
    async isPending(relPath) {
      return db.getRepository(SegmentEntity).existsBy({ localPath: relPath });
    },
  };
}

export interface RecordingModule {
  service: RecordingService;
  /** The durable upload queue to the object store: segments, and whatever else app.ts adds to it. */
  queue: UploadQueue;
  store: ObjectStore;
  catalog: SegmentCatalog;
  replay: ReplayService;
  /**
   * The staging disk's guard: `state` ('ok' | 'low' | 'full'), `check()` (before a run starts, on
   * ENOSPC) and the 'change' event. Recorders should not write while it is 'full'.
   */
  disk: DiskGuard;
  router: express.Router;
  /** The embedded store's endpoint, or the configured S3_ENDPOINT. */
  storeEndpoint: string;
  /** Adds the recording's gauges (the upload backlog, the staging disk) to /metrics. */
  registerMetrics(metrics: MetricsRegistry): void;
  /** The staging disk and the upload backlog, for /healthz (never throws). */
  health(): Promise<RecordingHealth>;
  close(): Promise<void>;
}

export async function createRecordingModule(deps: {
  config: Config;
  db: DataSource;
  rooms: RoomRegistry;
  accounts: AccountService;
  inspections: InspectionService;
  /** Pages of the inspection list: the replay page's list is the same one, in the replay scope. */
  inspectionList: InspectionList;
  /** Who may replay what (access by ownership). */
  access: InspectionAccess;
  /** The evidence log: recordings on and off, every segment, crew consent. */
  log: EvidenceLog;
}): Promise<RecordingModule> {
  const rc = deps.config.recording;
  const stagingDir = path.join(rc.dir, 'staging');
  fs.mkdirSync(stagingDir, { recursive: true });
  // First: a full disk at start-up is reported before anything is recovered or recorded.
  const disk = new DiskGuard({
    dir: stagingDir,
    lowBytes: rc.diskLowMb * MiB,
    minFreeBytes: rc.diskMinFreeMb * MiB,
    reclaim: stagingReclaimPolicy(deps.db),
  });
  await disk.start();
  let embedded: EmbeddedStore | null = null;
  if (!rc.s3) embedded = await startEmbeddedStore(path.join(rc.dir, 'store'));
  const endpoint = rc.s3?.endpoint ?? embedded!.endpoint;
  const store = new ObjectStore({
    endpoint,
    region: rc.region,
    bucket: rc.bucket,
    accessKeyId: rc.s3?.accessKeyId ?? EMBEDDED_CREDENTIALS.accessKeyId,
    secretAccessKey: rc.s3?.secretAccessKey ?? EMBEDDED_CREDENTIALS.secretAccessKey,
    objectLockDays: rc.objectLockDays,
  });
  await store.ensureBucket().catch((e) => logger.warn('createRecordingModule() | store unreachable; uploads will retry', { endpoint }, e));
  await store.probeObjectLock();

  const queue = new UploadQueue(store, { retryMaxMs: rc.uploadRetryMaxMs });
  await queue.addSource(new SegmentUploadSource(deps.db, stagingDir));
  const catalog = new SegmentCatalog(deps.db, stagingDir, () => void queue.kick(), deps.log);
  const recovered = await catalog.recoverInterrupted();
  if (recovered.recordings) logger.warn('createRecordingModule() | recordings interrupted by the last stop', recovered);
  await queue.start();

  const service = new RecordingService(deps.db, catalog, { segmentSeconds: rc.segmentSeconds, disk }, deps.log);
  service.attach(deps.rooms);
  const replay = new ReplayService(deps.db, deps.inspections, deps.access, deps.inspectionList);
  const router = replayRouter({
    accounts: deps.accounts,
    access: deps.access,
    replay,
    store,
    stagingDir,
    presignedSeconds: rc.presignedSeconds,
    disk,
  });
  // The auditor's review: comments pinned to moments of a recording, and the review status.
  const review = new ReviewService(deps.db);
  replay.useReview((recordingId) => review.commentsOf(recordingId));
  router.use(reviewRouter({ accounts: deps.accounts, access: deps.access, review, replay }));

  let closing: Promise<void> | null = null;
  return {
    service,
    queue,
    store,
    catalog,
    replay,
    disk,
    router,
    storeEndpoint: endpoint,
    registerMetrics(metrics) {
      metrics.register(
        'cloudship_recording_segments',
        'Recording segments by upload state (pending, uploading and failed are the backlog).',
        'gauge',
        async () => {
          const rows: Array<{ state: string; n: number }> = await deps.db.query(
            'SELECT "uploadState" AS state, COUNT(*) AS n FROM "segment" GROUP BY "uploadState"',
          );
          return rows.map((r) => ({ labels: { state: r.state }, value: Number(r.n) }));
        },
      );
      // Since start-up (the catalog's counts): a segment file is never turned away unseen.
      metrics.register(
        'cloudship_recording_segments_rejected_total',
        'Segment files not registered for upload, by reason: empty (0 bytes, removed) or unreadable (kept on disk).',
        'counter',
        () => Object.entries(catalog.rejected).map(([reason, value]) => ({ labels: { reason }, value })),
      );
      // From the guard's last check (at most 5 s old, 1 s while not 'ok'): a scrape does not statfs.
      metrics.register(
        'cloudship_recording_disk_free_bytes',
        'Free bytes on the recording staging disk (as an unprivileged writer may use them).',
        'gauge',
        () => [{ value: disk.freeBytes }],
      );
      metrics.register('cloudship_recording_disk_state', 'Recording staging disk: 0 ok, 1 low, 2 full.', 'gauge', () => [
        { value: DISK_STATE_VALUE[disk.state] },
      ]);
    },
    async health() {
      const rows = await deps.db
        .query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM "segment" WHERE "uploadState" != \'uploaded\'')
        .catch(() => null);
      return { disk: disk.state, freeBytes: disk.freeBytes, uploadBacklog: rows ? Number(rows[0]?.n ?? 0) : null };
    },
    close() {
      closing ??= (async () => {
        await service.close();
        await disk.close();
        await queue.close();
        store.close();
        await embedded?.close();
      })();
      return closing;
    },
  };
}
