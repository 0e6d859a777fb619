// REST for replay and storage state. Staff only (session cookie): a crew token is never a
// credential here. Every route checks a permission and, for one inspection, its scope.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import { assignAuditorSchema, inspectionListQuerySchema, parseInput } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { staffRoute } from '../auth/staff-route';
import type { InspectionAccess } from '../inspection/inspection-access';
import { inspectionRoute } from '../inspection/inspection-guard';
import { Logger } from '../logging/logger';
import type { DiskGuard } from '../storage/disk-space';
import { resolveInside } from '../storage/object-keys';
import type { ObjectStore } from '../storage/object-store';
import { resolveRange } from './http-range';
import type { ReplayService } from './replay-service';

const logger = new Logger('replay-routes');

export interface ReplayRouteDeps {
  accounts: AccountService;
  access: InspectionAccess;
  replay: ReplayService;
  store: ObjectStore;
  stagingDir: string;
  /** > 0: uploaded segments are answered with a redirect to a presigned URL (REPLAY_PRESIGNED_SECONDS). */
  presignedSeconds?: number;
  /** The staging disk's guard, shown on the admin storage view. */
  disk: Pick<DiskGuard, 'state' | 'freeBytes' | 'lowBytes' | 'minFreeBytes'>;
}

const MiB = 1024 * 1024;

export function replayRouter(deps: ReplayRouteDeps): express.Router {
  const router = express.Router();

  const authed = staffRoute(deps.accounts);
  const scoped = inspectionRoute(deps.accounts, deps.access);

  router.get(
    '/replay/inspections',
    authed('recording.replay', async (req, res) => {
      res.json(await deps.replay.list(req.account, parseInput(inspectionListQuerySchema, req.query ?? {})));
    }),
  );

  router.post(
    '/inspections/:id/auditors',
    scoped('inspection.members', async (req, res) => {
      const body = parseInput(assignAuditorSchema, req.body ?? {});
      await deps.access.assignAuditor(req.account, req.inspection.id, body.accountId);
      res.status(204).end();
    }),
  );

  router.get(
    '/inspections/:id/replay-log',
    scoped('recording.storage', async (req, res) => {
      res.json({ entries: await deps.replay.replayLog(req.inspection.id) });
    }),
  );

  router.get(
    '/recordings/:id/timeline',
    authed('recording.replay', async (req, res) => {
      res.json(await deps.replay.timeline(req.account, String(req.params.id)));
    }),
  );

  router.get(
    '/recordings/:id/segments/:segmentId',
    authed('recording.replay', async (req, res) => {
      const { segment, inspectionId } = await deps.replay.segmentFor(req.account, String(req.params.id), String(req.params.segmentId));
      const size = segment.sizeBytes;
      const range = resolveRange(req.headers.range, size);
      res.set('Accept-Ranges', 'bytes');
      if (range.kind === 'unsatisfiable') {
        res.status(416).set('Content-Range', `bytes */${size}`).end();
        return;
      }
      await deps.replay.logReplay(req.account, inspectionId, segment.recordingId, segment.id, 'segment');
      // Large deployments: once uploaded, let the browser fetch from the store directly (access was
      // checked and the replay logged above; the URL expires). Staged segments are still streamed.
      if (deps.presignedSeconds && segment.uploadState === 'uploaded' && !segment.localPath) {
        res.redirect(302, await deps.store.presignGet(segment.objectKey, deps.presignedSeconds));
        return;
      }
      res.status(range.kind === 'partial' ? 206 : 200);
      res.set('Content-Type', 'video/webm');
      res.set('Content-Length', String(range.end - range.start + 1));
      if (range.kind === 'partial') res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      // Not uploaded yet: serve the staged file (an open descriptor survives the upload's delete).
      let body: Readable | null = null;
      if (segment.localPath) {
        const file = resolveInside(deps.stagingDir, segment.localPath);
        const handle = await fs.promises.open(file, 'r').catch(() => null);
        if (handle) body = handle.createReadStream({ start: range.start, end: range.end });
      }
      body ??= await deps.store.getRange(segment.objectKey, range.start, range.end);
      await pipeline(body, res).catch((e) => {
        if ((e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE')
          logger.warn('segment | stream ended early', { segmentId: segment.id }, e);
      });
    }),
  );

  router.get(
    '/admin/storage',
    authed('recording.storage', async (_req, res) => {
      const { disk } = deps;
      res.json({
        disk: { state: disk.state, freeBytes: disk.freeBytes, lowMb: disk.lowBytes / MiB, minFreeMb: disk.minFreeBytes / MiB },
        recordings: await deps.replay.storageState(),
        objectLock: deps.store.objectLock,
      });
    }),
  );

  return router;
}
