// Composition of the reports (dashboard totals, CSV, printable report as HTML and PDF) for app.ts.
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { ChatService } from '../chat/chat-service';
import type { EvidenceService } from '../inspection-record/evidence-service';
import type { RecordService } from '../inspection-record/record-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionService } from '../inspection/inspection-service';
import type { Sealer } from '../seal/sealer';
import type { ObjectStore } from '../storage/object-store';
import { EvidencePackager } from './evidence-package';
import { packageRouter } from './package-routes';
import { PrintQueue } from './print-queue';
import { reportRouter } from './report-routes';
import { ReportService } from './report-service';

export interface ReportsModule {
  reports: ReportService;
  /** The PDF print queue (its `maxRunning` is what the tests observe). */
  printQueue: PrintQueue;
  router: express.Router;
  packager: EvidencePackager;
}

export function createReportsModule(deps: {
  db: DataSource;
  accounts: AccountService;
  inspections: InspectionService;
  access: InspectionAccess;
  records: RecordService;
  evidence: EvidenceService;
  chat?: ChatService;
  /** Debian's Chromium, used to print the per-inspection report as PDF. */
  chromiumPath?: string;
  /** PDF_CONCURRENCY and PDF_QUEUE_PER_USER. */
  pdf: { concurrency: number; queuePerUser: number };
  /** TIME_ZONE: the printed report's times, the dashboard's days and months. */
  timeZone: string;
  /** The evidence log's checkpoints: the package seals its report and signs a final head. */
  sealer: Sealer;
  /** The object store: segments are streamed from it, exported PDFs kept in it. */
  store: Pick<ObjectStore, 'getRange' | 'putFile' | 'head'>;
}): ReportsModule {
  const reports = new ReportService(deps.db, {
    inspections: deps.inspections,
    records: deps.records,
    evidence: deps.evidence,
    access: deps.access,
    timeZone: deps.timeZone,
    chat: deps.chat,
  });
  const printQueue = new PrintQueue(deps.pdf.concurrency, deps.pdf.queuePerUser);
  const chromiumPath = deps.chromiumPath ?? '/usr/bin/chromium';
  const packager = new EvidencePackager({ db: deps.db, seal: deps.sealer, store: deps.store, evidence: deps.evidence });
  const router = reportRouter({ accounts: deps.accounts, access: deps.access, reports, printQueue, chromiumPath, timeZone: deps.timeZone });
  router.use(
    packageRouter({
      accounts: deps.accounts,
      access: deps.access,
      reports,
      printQueue,
      chromiumPath,
      timeZone: deps.timeZone,
      packager,
      sealer: deps.sealer,
    }),
  );
  return { reports, printQueue, router, packager };
}
