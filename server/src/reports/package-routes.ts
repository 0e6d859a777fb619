// GET /api/inspections/:id/package: the sealed evidence package as a streamed ZIP. For the people
// answerable for the record: its lead surveyor, assigned auditors and admins (evidence.package;
// anyone who may not read the inspection gets 404 from the one access check).
// GET /api/inspections/:id/seal: the log, its checkpoints and the published keys as JSON, for the
// replay page's verifier (inspection.read: whoever may replay it may check it).
import express from 'express';
import type { AccountService } from '../auth/account-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import { inspectionRoute } from '../inspection/inspection-guard';
import { Logger } from '../logging/logger';
import type { EvidencePackager } from './evidence-package';
import type { Sealer } from '../seal/sealer';
import type { PrintQueue } from './print-queue';
import { renderReportPdf, type ReportPdfDeps } from './report-pdf';

const logger = new Logger('package-routes');

export interface PackageRouteDeps extends ReportPdfDeps {
  access: InspectionAccess;
  accounts: AccountService;
  printQueue: PrintQueue;
  packager: EvidencePackager;
  sealer: Sealer;
}

export function packageRouter(deps: PackageRouteDeps): express.Router {
  const router = express.Router();
  const scoped = inspectionRoute(deps.accounts, deps.access);
  router.get(
    '/inspections/:id/package',
    scoped('evidence.package', async (req, res) => {
      const id = req.inspection.id;
      // Sealed before a byte is sent: a refusal (segments still uploading, no log) is a clean error.
      const prepared = await deps.packager.prepare(id, (inspectionId) =>
        deps.printQueue.run(req.account.id, () => renderReportPdf(deps, inspectionId)),
      );
      res.set({
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="evidence-${id}.zip"`,
        'Cache-Control': 'no-store',
      });
      try {
        await deps.packager.write(prepared, res);
      } catch (e) {
        // Bytes are out: the connection is cut, so the ZIP is visibly incomplete, never silently short.
        logger.error('package() | failed after the answer began, connection cut', { inspectionId: id }, e);
        res.destroy();
      }
    }),
  );
  router.get(
    '/inspections/:id/seal',
    scoped('inspection.read', async (req, res) => {
      res.json(await deps.sealer.manifestParts(req.inspection.id));
    }),
  );
  return router;
}
