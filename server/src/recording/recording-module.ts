// Composition of the recording feature for startServer: object store (embedded s3rver unless
// S3_ENDPOINT is set) -> recovery of what a previous run left -> upload queue (segments; app.ts
// adds the evidence stills to the same queue) -> recorder attached to the rooms -> replay routes.
// close() ends in the reverse order, after the rooms are closed.
import fs from 'node:fs';
import path from 'node:path';
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { Config } from '../config/config';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionService } from '../inspection/inspection-service';
import { Logger } from '../logging/logger';
import type { MetricsRegistry } from '../metrics/metrics';
import type { RoomRegistry } from '../session/room-registry';
import { EMBEDDED_CREDENTIALS, startEmbeddedStore, type EmbeddedStore } from '../storage/embedded-store';
import { ObjectStore } from '../storage/object-store';
import { UploadQueue } from '../storage/upload-queue';
import { RecordingService } from './recording-service';
import { replayRouter } from './replay-routes';
import { ReplayService } from './replay-service';
import { SegmentCatalog } from './segment-catalog';
import { SegmentUploadSource } from './segment-upload-source';

const logger = new Logger('recording-module');

export interface RecordingModule {
  service: RecordingService;
  /** The durable upload queue to the object store: segments, and whatever else app.ts adds to it. */
  queue: UploadQueue;
  store: ObjectStore;
  catalog: SegmentCatalog;
  replay: ReplayService;
  router: express.Router;
  /** The embedded store's endpoint, or the configured S3_ENDPOINT. */
  storeEndpoint: string;
  /** Adds the recording's gauges (the upload backlog) to /metrics. */
  registerMetrics(metrics: MetricsRegistry): void;
  close(): Promise<void>;
}

export async function createRecordingModule(deps: {
  config: Config;
  db: DataSource;
  rooms: RoomRegistry;
  accounts: AccountService;
  inspections: InspectionService;
  /** Who may replay what (access by ownership). */
  access: InspectionAccess;
}): Promise<RecordingModule> {
  const rc = deps.config.recording;
  const stagingDir = path.join(rc.dir, 'staging');
  fs.mkdirSync(stagingDir, { recursive: true });
  let embedded: EmbeddedStore | null = null;
  if (!rc.s3) embedded = await startEmbeddedStore(path.join(rc.dir, 'store'));
  const endpoint = rc.s3?.endpoint ?? embedded!.endpoint;
  const store = new ObjectStore({
    endpoint,
    region: rc.region,
    bucket: rc.bucket,
    accessKeyId: rc.s3?.accessKeyId ?? EMBEDDED_CREDENTIALS.accessKeyId,
    secretAccessKey: rc.s3?.secretAccessKey ?? EMBEDDED_CREDENTIALS.secretAccessKey,
  });
  await store.ensureBucket().catch((e) => logger.warn('createRecordingModule() | store unreachable; uploads will retry', { endpoint }, e));

  const queue = new UploadQueue(store, { retryMaxMs: rc.uploadRetryMaxMs });
  await queue.addSource(new SegmentUploadSource(deps.db, stagingDir));
  const catalog = new SegmentCatalog(deps.db, stagingDir, () => void queue.kick());
  const recovered = await catalog.recoverInterrupted();
  if (recovered.recordings) logger.warn('createRecordingModule() | recordings interrupted by the last stop', recovered);
  await queue.start();

  const service = new RecordingService(deps.db, catalog, { segmentSeconds: rc.segmentSeconds });
  service.attach(deps.rooms);
  const replay = new ReplayService(deps.db, deps.inspections, deps.access);
  const router = replayRouter({
    accounts: deps.accounts,
    access: deps.access,
    replay,
    store,
    stagingDir,
    presignedSeconds: rc.presignedSeconds,
  });

  let closing: Promise<void> | null = null;
  return {
    service,
    queue,
    store,
    catalog,
    replay,
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
    },
    close() {
      closing ??= (async () => {
        await service.close();
        await queue.close();
        store.close();
        await embedded?.close();
      })();
      return closing;
    },
  };
}
