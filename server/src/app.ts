// Composition of the whole server: database -> mediasoup workers -> services -> HTTP + signaling.
// `startServer(config)` is both what main.ts runs and the seam integration tests use (port 0, a
// temporary data directory, a real worker and a real SQLite file).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Server as IoServer } from 'socket.io';
import { AccountService } from './auth/account-service';
import { CrewTokenSigner } from './auth/crew-tokens';
import { loadOrCreateSecret } from './auth/secret';
import type { Config } from './config/config';
import { apiRouter } from './http/api-routes';
import { errorHandler, notFound } from './http/errors';
import { pagesRouter } from './http/pages';
import { LocalEvidenceStore, ObjectEvidenceStore } from './inspections/evidence-store';
import { createRecordModule } from './inspections/record-module';
import { InspectionService } from './inspections/inspection-service';
import { Logger, setLogLevel } from './logger';
import { MetricsRegistry, registerCoreMetrics } from './metrics/metrics';
import { metricsHandler } from './metrics/metrics-route';
import { webRtcTransportOptions } from './media/media-config';
import { WorkerPool } from './media/worker-pool';
import { openDatabase } from './persistence/data-source';
import { MediaWatchdog } from './session/media-watchdog';
import { createFieldFeatures } from './field/field-features';
import { RoomRegistry } from './session/room-registry';
import { createRecordingModule, type RecordingModule } from './recording/recording-module';
import { attachSignaling } from './signaling/socket-server';
import { loadOrCreateCertificate } from './tls';

const logger = new Logger('app');

/** How often evidence stills staged during an object-store outage are offered to the store again. */
const EVIDENCE_RETRY_MS = 30_000;

export const CLIENT_DIST = path.resolve(__dirname, '..', '..', 'client', 'dist');

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
  io: IoServer;
  /** Recording (issue #3): recorder, upload queue, object store, replay. */
  recording: RecordingModule;
  /** Prometheus metrics; features register their own gauges here. */
  metrics: MetricsRegistry;
  /** Offers evidence stills staged during an object-store outage to the store now (also on a timer). */
  retryStagedEvidence(): Promise<number>;
  /** Set when the first admin's password was generated: print it once. */
  oneTimeAdminPassword: string | null;
  close(): Promise<void>;
}

export async function startServer(config: Config, options: { clientDist?: string } = {}): Promise<RunningServer> {
  setLogLevel(config.logLevel);
  const db = await openDatabase(config.dbPath);
  const signer = new CrewTokenSigner(loadOrCreateSecret(config.dataDir));
  const accounts = new AccountService(db, config.sessionTtlMs);
  const inspections = new InspectionService(db, signer, config.crewLinkTtlMs);
  await inspections.closeDanglingParticipants();
  const oneTimeAdminPassword = await accounts.ensureFirstAdmin(config.admin.username, config.admin.password);

  const pool = await WorkerPool.create({ size: config.workers, rtcMinPort: config.rtc.minPort, rtcMaxPort: config.rtc.maxPort });
  const rooms = new RoomRegistry(pool, webRtcTransportOptions(config), config.reconnectGraceMs, {
    participantJoined: (p) =>
      inspections.participantJoined({
        inspectionId: p.inspectionId,
        role: p.identity.role,
        accountId: p.identity.accountId,
        crewLinkId: p.identity.crewLinkId,
        displayName: p.displayName,
        device: p.device,
      }),
    participantLeft: (id, reason) => inspections.participantLeft(id, reason),
    roomWentLive: (id) => inspections.markLive(id),
  });

  // Notices media stalls/resumptions from packet counters and asks for key frames on resumption.
  const watchdog = new MediaWatchdog().attach(rooms);
  // Crew phone in the field (issue #6): positions, camera control, video profiles, TURN.
  const field = createFieldFeatures(db, inspections, rooms, config.field);

  /** Ending is one operation for REST and signaling: persist, revoke links, close the room. */
  async function endInspection(inspectionId: string): Promise<void> {
    await inspections.end(inspectionId);
    await rooms.get(inspectionId)?.close('inspection-ended', 'inspection.ended');
  }

  // Recording (issue #3): starts the embedded object store unless S3_ENDPOINT is set, recovers
  // what a previous run left, resumes uploads and records every room from now on.
  const recording = await createRecordingModule({ config, db, rooms, accounts, inspections });

  // Inspection record (issue #4): checklist, evidence, conclusion, savings, reports. Evidence goes
  // to the same object store, staged under DATA_DIR until the store confirms it.
  const evidenceStore = new ObjectEvidenceStore(recording.store, new LocalEvidenceStore(config.dataDir));
  const record = await createRecordModule({ db, dataDir: config.dataDir, accounts, inspections, rooms, signer, endInspection, store: evidenceStore });
  void evidenceStore.retryPending();
  const evidenceRetry = setInterval(() => void evidenceStore.retryPending(), EVIDENCE_RETRY_MS);
  evidenceRetry.unref();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = new MetricsRegistry();
  registerCoreMetrics(metrics, rooms, pool);
  metrics.register('cloudship_recording_segments', 'Recording segments by upload state (pending, uploading and failed are the backlog).', 'gauge', async () => {
    const rows: Array<{ state: string; n: number }> = await db.query('SELECT "uploadState" AS state, COUNT(*) AS n FROM "segment" GROUP BY "uploadState"');
    return rows.map((r) => ({ labels: { state: r.state }, value: Number(r.n) }));
  });
  app.get('/metrics', metricsHandler(metrics, config.metricsToken));
  app.get('/healthz', (_req, res) => {
    const workers = pool.list().length;
    res.status(workers > 0 && db.isInitialized ? 200 : 503).json({ ok: workers > 0, workers, rooms: rooms.all().length });
  });
  let server: http.Server | https.Server;
  const publicUrl = (req: express.Request) => config.publicUrl ?? `${config.https ? 'https' : 'http'}://${req.headers.host}`;
  app.use('/api', apiRouter({ accounts, inspections, endInspection, publicUrl, secureCookies: config.https }));
  app.use('/api', record.router);
  app.use('/api', recording.router);
  app.use(pagesRouter(options.clientDist ?? CLIENT_DIST, inspections));
  app.use(notFound);
  app.use(errorHandler);

  if (config.https) {
    const announced = config.rtc.listenIps.map((l) => l.announcedIp ?? l.ip).filter((ip) => ip !== '0.0.0.0');
    server = https.createServer(loadOrCreateCertificate(config.tls, config.dataDir, announced), app);
  } else {
    server = http.createServer(app);
  }
  const io = attachSignaling(server, { accounts, inspections, rooms, endInspection, field, recording: recording.service, evidence: record.evidence });

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
      clearInterval(evidenceRetry);
      await recording.close(); // after the rooms: their last segments are written and registered
      watchdog.close();
      io.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
      await db.destroy();
      logger.info('close() | stopped');
    })();
    return closing;
  }

  return { url, port, config, db, pool, rooms, accounts, inspections, io, recording, metrics, retryStagedEvidence: () => evidenceStore.retryPending(), oneTimeAdminPassword, close };
}
