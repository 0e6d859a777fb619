// Composition of the reports (dashboard totals, CSV, printable report as HTML and PDF) for app.ts.
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { EvidenceService } from '../inspection-record/evidence-service';
import type { RecordService } from '../inspection-record/record-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionService } from '../inspection/inspection-service';
import { reportRouter } from './report-routes';
import { ReportService } from './report-service';

export interface ReportsModule {
  reports: ReportService;
  router: express.Router;
}

export function createReportsModule(deps: {
  db: DataSource;
  accounts: AccountService;
  inspections: InspectionService;
  access: InspectionAccess;
  records: RecordService;
  evidence: EvidenceService;
  /** Debian's Chromium, used to print the per-inspection report as PDF. */
  chromiumPath?: string;
}): ReportsModule {
  const reports = new ReportService(deps.db, deps.inspections, deps.records, deps.evidence);
  return {
    reports,
    router: reportRouter({ accounts: deps.accounts, access: deps.access, reports, chromiumPath: deps.chromiumPath ?? '/usr/bin/chromium' }),
  };
}
