// Wires the inspection record feature (issue #4) so that the composition root (app.ts) needs only
// three lines: create it, mount its router under /api, hand `evidence` to the signaling layer.
import path from 'node:path';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { CrewTokenSigner } from '../auth/crew-tokens';
import { recordRouter } from '../http/record-routes';
import { reportRouter } from '../http/report-routes';
import { ReportService } from '../reports/report-service';
import type { RoomRegistry } from '../session/room-registry';
import { ChecklistService } from './checklist-service';
import { EvidenceService } from './evidence-service';
import { LocalEvidenceStore, type EvidenceStore } from './evidence-store';
import type { InspectionService } from './inspection-service';
import { roomNotifier } from './record-notifier';
import { RecordService } from './record-service';

export interface RecordModuleDeps {
  db: DataSource;
  dataDir: string;
  accounts: AccountService;
  inspections: InspectionService;
  rooms: RoomRegistry;
  signer: CrewTokenSigner;
  endInspection(inspectionId: string): Promise<void>;
  /** Debian's Chromium, used to print the per-inspection report as PDF. */
  chromiumPath?: string;
  /**
   * Where evidence bytes go. Defaults to DATA_DIR/evidence on the local disk; to move to the
   * S3-compatible object store of issue #3 once it exists, pass an adapter here.
   */
  store?: EvidenceStore;
}

export interface RecordModule {
  checklist: ChecklistService;
  records: RecordService;
  evidence: EvidenceService;
  reports: ReportService;
  router: express.Router;
}

export async function createRecordModule(deps: RecordModuleDeps): Promise<RecordModule> {
  const notifier = roomNotifier(deps.rooms);
  const checklist = new ChecklistService(deps.db);
  await checklist.seedTemplates();
  const records = new RecordService(deps.db, deps.inspections, checklist, notifier);
  // The store root is DATA_DIR; keys all start with "evidence/".
  const store = deps.store ?? new LocalEvidenceStore(path.resolve(deps.dataDir));
  const evidence = new EvidenceService(deps.db, store, records, checklist, notifier);
  const reports = new ReportService(deps.db, deps.inspections, records, evidence);
  const router = express.Router();
  router.use(recordRouter({ ...deps, checklist, records, evidence }));
  router.use(reportRouter({ accounts: deps.accounts, reports, chromiumPath: deps.chromiumPath ?? '/usr/bin/chromium' }));
  return { checklist, records, evidence, reports, router };
}
