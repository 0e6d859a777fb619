// Composition of the reports (dashboard totals, CSV, printable report as HTML and PDF) for app.ts.
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { ChatService } from '../chat/chat-service';
import type { EvidenceService } from '../inspection-record/evidence-service';
import type { RecordService } from '../inspection-record/record-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionService } from '../inspection/inspection-service';
import { PrintQueue } from './print-queue';
import { reportRouter } from './report-routes';
import { ReportService } from './report-service';

export interface ReportsModule {
  reports: ReportService;
  /** The PDF print queue (its `maxRunning` is what the tests observe). */
  printQueue: PrintQueue;
  router: express.Router;
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
  return {
    reports,
    printQueue,
    router: reportRouter({
      accounts: deps.accounts,
      access: deps.access,
      reports,
      printQueue,
      chromiumPath: deps.chromiumPath ?? '/usr/bin/chromium',
      timeZone: deps.timeZone,
    }),
  };
}
