// The composition root: database -> mediasoup workers -> features -> HTTP + signaling edges.
// `startServer(config)` is both what main.ts runs and the seam integration tests use (port 0, a
// temporary data directory, a real worker and a real SQLite file). Features are created here and
// handed to each other; none of them imports this file or the edges (see README, Architecture).
import { jsonBodies } from './http/json-body';
import { RECORD_LARGE_BODIES } from './inspection-record/inspection-record-routes';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Server as IoServer } from 'socket.io';
import { AccountService } from './auth/account-service';
import { authRouter } from './auth/auth-routes';
import { CrewTokenSigner } from './auth/crew-tokens';
import { createChatModule } from './chat/chat-module';
import { CHAT_ENTITIES } from './chat/entities';
import { AUTH_ENTITIES } from './auth/entities';
import { OriginPolicy } from './auth/same-origin';
import { loadOrCreateSecret } from './auth/secret';
import { Throttles } from './auth/throttle';
import type { Config } from './config/config';
import { FIELD_ENTITIES } from './field/entities';
import { createFieldFeatures } from './field/field-features';
import { positionTimeline } from './field/position-timeline';
import { errorHandler, notFound, rejectMalformedUrl } from './http/errors';
import { pagesRouter } from './http/pages';
import { securityHeaders } from './http/security-headers';
import { loadOrCreateCertificate } from './http/tls';
import { INSPECTION_RECORD_ENTITIES } from './inspection-record/entities';
import { documentTooLarge, notADocument } from './inspection-record/evidence-service';
import { LocalEvidenceStore, ObjectEvidenceStore } from './inspection-record/evidence-store';
import { EvidenceUploadSource } from './inspection-record/evidence-upload-source';
import { createInspectionRecordModule } from './inspection-record/inspection-record-module';
import { recordTimeline } from './inspection-record/record-timeline';
import { INSPECTION_ENTITIES } from './inspection/entities';
import { createInspectionFeature } from './inspection/inspection-feature';
import type { InspectionLifecycle } from './inspection/inspection-lifecycle';
import type { InspectionService } from './inspection/inspection-service';
import { Logger, setLogLevel } from './logging/logger';
import { webRtcTransportOptions } from './media/media-config';
import { WorkerPool } from './media/worker-pool';
import { MetricsRegistry, registerCoreMetrics } from './metrics/metrics';
import { metricsHandler } from './metrics/metrics-route';
import { openDatabase } from './persistence/data-source';
import { RECORDING_ENTITIES } from './recording/entities';
import { createRecordingModule, type RecordingModule } from './recording/recording-module';
import type { PrintQueue } from './reports/print-queue';
import { createReportsModule } from './reports/reports-module';
import { REVIEW_SAMPLE_ENTITIES } from './reports/review-sample-entities';
import { reviewSampleRouter } from './reports/review-sample-routes';
import { ReviewSampleService } from './reports/review-sample-service';
import { SEAL_ENTITIES } from './seal/entities';
import { createSealModule, type SealModule } from './seal/seal-module';
import { MediaWatchdog } from './session/media-watchdog';
import { RoomRegistry } from './session/room-registry';
import { attachSignaling } from './signaling/socket-server';

const logger = new Logger('app');

export const CLIENT_DIST = path.resolve(__dirname, '..', '..', 'client', 'dist');

/** Every feature's tables, for the one DataSource (and `npm run verify -- --inspection`). */
export const ENTITIES = [
  ...AUTH_ENTITIES,
  ...INSPECTION_ENTITIES,
  ...INSPECTION_RECORD_ENTITIES,
  ...RECORDING_ENTITIES,
  ...FIELD_ENTITIES,
  ...CHAT_ENTITIES,
  ...REVIEW_SAMPLE_ENTITIES,
  ...SEAL_ENTITIES,
];

export interface RunningServer {
  /** Base URL the server listens on, e.g. https://127.0.0.1:8443 */
  url: string;
  port: number;
  config: Config;
  db: DataSource;
  pool: WorkerPool;
  rooms: RoomRegistry;
  accounts: AccountService;
  inspections: InspectionService;
  lifecycle: InspectionLifecycle;
  io: IoServer;
  /** Recording: recorder, upload queue, object store, replay. */
  recording: RecordingModule;
  /** Prometheus metrics; features register their own gauges here. */
  metrics: MetricsRegistry;
  /** Sign-in, crew link and evidence upload throttles. */
  throttles: Throttles;
  /** The PDF print queue (`maxRunning`: the most Chromiums that ran at once). */
  printQueue: PrintQueue;
  /** The evidence log, its checkpoints and the signing key. */
  seal: SealModule;
  /** Set when the first admin's password was generated: print it once. */
  oneTimeAdminPassword: string | null;
  close(): Promise<void>;
}

export async function startServer(config: Config, options: { clientDist?: string } = {}): Promise<RunningServer> {
  setLogLevel(config.logLevel);
  const db = await openDatabase(config.database, ENTITIES);
  // The evidence log first: every feature below appends to it in the transactions of its facts.
  const seal = await createSealModule({ db, config });
  const { log } = seal;
  const signer = new CrewTokenSigner(loadOrCreateSecret(config.dataDir));
  const accounts = new AccountService(db, config.sessionTtlMs);
  const oneTimeAdminPassword = await accounts.ensureFirstAdmin(config.admin.username, config.admin.password);
  const publicUrl = (req: express.Request) => config.publicUrl ?? `${config.https ? 'https' : 'http'}://${req.headers.host}`;
  const inspection = await createInspectionFeature({
    db,
    accounts,
    signer,
    crewLinkTtlMs: config.crewLinkTtlMs,
    publicUrl,
    publicUrlConfigured: config.publicUrl !== null,
    timeZone: config.timeZone,
    log,
  });

  // A role change asks the inspections first (an account leading open ones does not become an auditor).
  accounts.useRoleChangeRule(inspection.access.roleChangeRule());

  const pool = await WorkerPool.create({ size: config.workers });
  const rooms = new RoomRegistry(
    pool,
    webRtcTransportOptions(config),
    config.reconnectGraceMs,
    inspection.roomHooks,
    config.simulcastOnlyConsumed,
  );
  inspection.attach(rooms);

  // Notices media stalls/resumptions from packet counters and asks for key frames on resumption.
  const watchdog = new MediaWatchdog().attach(rooms);
  const field = createFieldFeatures(db, inspection.inspections, rooms, config.field, log);

  // Starts the embedded object store unless S3_ENDPOINT is set, recovers what a previous run left,
  // resumes uploads and records every room from now on.
  const recording = await createRecordingModule({
    config,
    db,
    rooms,
    accounts,
    inspections: inspection.inspections,
    inspectionList: inspection.list,
    access: inspection.access,
    log,
  });

  // The final checkpoint once an ended inspection's room has closed and its recording has ended
  // (recording.off and the last segments are in the log). Not awaited by the end: ending does not
  // wait for a switch still in flight, nor for a time-stamping authority (TSA_URL) that may be slow.
  inspection.lifecycle.on('settled', (id) => {
    recording.service
      .whenIdle(id)
      .then(() => seal.sealer.sealEnded(id))
      .catch((e: unknown) => logger.error('settled | final checkpoint failed', { inspectionId: id }, e));
  });

  // Evidence goes to the same object store through the same upload queue, staged under DATA_DIR
  // until the store confirms it.
  await recording.queue.addSource(new EvidenceUploadSource(db, config.dataDir));
  const evidenceStore = new ObjectEvidenceStore(recording.store, new LocalEvidenceStore(config.dataDir), () => void recording.queue.kick());
  const record = await createInspectionRecordModule({
    db,
    accounts,
    inspections: inspection.inspections,
    lifecycle: inspection.lifecycle,
    access: inspection.access,
    rooms,
    signer,
    store: evidenceStore,
    evidenceQuota: config.evidenceQuota,
    maxDocumentBytes: config.maxDocumentBytes,
    log,
  });
  // The chat; the crew's documents are evidence of the inspection record.
  const { evidence } = record;
  const chat = createChatModule({
    db,
    accounts,
    access: inspection.access,
    inspections: inspection.inspections,
    rooms,
    documents: {
      maxDocumentBytes: evidence.maxDocumentBytes,
      uploadDocument: (cred, bytes, meta) => evidence.uploadDocument(cred, bytes, meta),
      tooLarge: () => documentTooLarge(evidence.maxDocumentBytes),
      notADocument,
      list: (id) => evidence.list(id),
    },
    log,
  });
  recording.replay.useChat((id) => chat.chat.history(id));
  // The replay timeline's lanes of what the record and the field stored while a recording ran.
  recording.replay.useMarks(recordTimeline(db));
  recording.replay.useMarks(positionTimeline(db));
  recording.replay.useMarks(field.linkQuality.timeline());
  const reports = createReportsModule({
    db,
    accounts,
    inspections: inspection.inspections,
    access: inspection.access,
    records: record.records,
    evidence: record.evidence,
    chat: chat.chat,
    pdf: config.pdf,
    timeZone: config.timeZone,
    sealer: seal.sealer,
    store: recording.store,
  });
  const samples = new ReviewSampleService(db, { access: inspection.access, timeZone: config.timeZone });
  const throttles = new Throttles(config.throttle);
  const origins = new OriginPolicy(config.https, config.publicUrl);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Before anything answers: the security headers (CSP, frame protection, nosniff, no referrer,
  // HSTS over HTTPS), and a 400 for a path whose percent-escapes do not decode.
  app.use(securityHeaders({ https: config.https, origins }));
  app.use(rejectMalformedUrl);
  const metrics = new MetricsRegistry();
  registerCoreMetrics(metrics, rooms, pool);
  recording.registerMetrics(metrics);
  app.get('/metrics', metricsHandler(metrics, config.metricsToken));
  // The seal's public keys, for anyone who verifies a package (no sign-in).
  app.use(seal.router);
  // The status code is liveness only (workers, database); the recording's health (staging disk,
  // upload backlog) is reported beside it, so a full disk alarms without the process being restarted.
  app.get('/healthz', (_req, res, next) => {
    const workers = pool.list().length;
    const live = workers > 0 && db.isInitialized;
    recording
      .health()
      .then((r) => res.status(live ? 200 : 503).json({ ok: workers > 0, workers, rooms: rooms.all().length, recording: r }))
      .catch(next);
  });
  // API answers depend on cookies and tokens in headers: never let a browser cache them.
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // A cookie-authenticated POST/PUT/PATCH/DELETE from a foreign origin is refused (same-origin.ts).
  app.use('/api', origins.crossSiteGuard());
  // Throttles of the crew routes (auth/throttle.ts); sign-in's is in authRouter, /join in pagesRouter.
  app.get('/api/crew/invitation', throttles.crewLinkMiddleware());
  app.post('/api/crew/evidence', throttles.evidenceMiddleware(signer));
  app.post('/api/crew/documents', throttles.evidenceMiddleware(signer));
  // JSON bodies, once for every router (http/json-body.ts): 64 kB, an annotated still's more.
  app.use('/api', jsonBodies(RECORD_LARGE_BODIES));
  app.use('/api', authRouter({ accounts, secureCookies: config.https, loginThrottle: throttles.login }));
  app.use('/api', inspection.router);
  app.use('/api', record.router);
  app.use('/api', chat.router);
  app.use('/api', reports.router);
  app.use('/api', reviewSampleRouter({ accounts, samples }));
  app.use('/api', recording.router);
  app.use(pagesRouter(options.clientDist ?? CLIENT_DIST, inspection.inspections, throttles));
  app.use(notFound);
  app.use(errorHandler);

  let server: http.Server | https.Server;
  if (config.https) {
    const announced = config.rtc.listenAddresses.map((l) => l.announcedAddress ?? l.ip).filter((ip) => ip !== '0.0.0.0');
    server = https.createServer(loadOrCreateCertificate(config.tls, config.dataDir, announced), app);
  } else {
    server = http.createServer(app);
  }
  const io = attachSignaling(server, {
    origins,
    accounts,
    access: inspection.access,
    inspections: inspection.inspections,
    rooms,
    field,
    recording: recording.service,
    inspection: inspection.handlers,
    inspectionRecord: record.handlers,
    chat: chat.handlers,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${config.https ? 'https' : 'http'}://${host}:${port}`;
  logger.info('startServer() | listening', { url });

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    closing ??= (async () => {
      await rooms.closeAll('server-shutdown');
      await recording.close(); // after the rooms: their last segments are written and registered
      await seal.close();
      watchdog.close();
      // io.close() disconnects every socket and closes the HTTP server; open keep-alive
      // connections would hold that close back, so they are cut.
      const stopped = new Promise<void>((resolve) => server.once('close', () => resolve()));
      await io.close();
      server.closeAllConnections?.();
      await stopped;
      pool.close();
      await db.destroy();
      logger.info('close() | stopped');
    })();
    return closing;
  }

  return {
    url,
    port,
    config,
    db,
    pool,
    rooms,
    accounts,
    inspections: inspection.inspections,
    lifecycle: inspection.lifecycle,
    io,
    recording,
    metrics,
    throttles,
    printQueue: reports.printQueue,
    seal,
    oneTimeAdminPassword,
    close,
  };
}
