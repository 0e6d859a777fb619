// Composition of the inspection record (checklist, evidence, conclusion, savings) for app.ts:
// create it, mount its router under /api, hand its socket handlers to the signaling edge.
import express from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { CrewTokenSigner } from '../auth/crew-tokens';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionLifecycle } from '../inspection/inspection-lifecycle';
import type { InspectionService } from '../inspection/inspection-service';
import type { EvidenceLog } from '../seal/evidence-log';
import type { RoomRegistry } from '../session/room-registry';
import { ChecklistService } from './checklist-service';
import { EvidenceService, type EvidenceQuota } from './evidence-service';
import type { EvidenceStore } from './evidence-store';
import { inspectionRecordHandlers } from './inspection-record-handlers';
import { recordRouter } from './inspection-record-routes';
import { roomNotifier } from './record-notifier';
import { RecordService } from './record-service';

export interface InspectionRecordDeps {
  db: DataSource;
  accounts: AccountService;
  inspections: InspectionService;
  lifecycle: InspectionLifecycle;
  access: InspectionAccess;
  rooms: RoomRegistry;
  signer: CrewTokenSigner;
  /** Per inspection: at most this many crew stills and bytes. */
  evidenceQuota: EvidenceQuota;
  /** Where evidence bytes go (app.ts: the object store, staged on local disk). */
  store: EvidenceStore;
  /** The largest document the crew may send (DOCUMENT_MAX_MB). */
  maxDocumentBytes?: number;
  /** The evidence log: verdicts, stills, annotations, documents, conclusion, acknowledgement, savings. */
  log: EvidenceLog;
}

export interface InspectionRecordModule {
  checklist: ChecklistService;
  records: RecordService;
  evidence: EvidenceService;
  router: express.Router;
  handlers: ReturnType<typeof inspectionRecordHandlers>;
}

export async function createInspectionRecordModule(deps: InspectionRecordDeps): Promise<InspectionRecordModule> {
  const notifier = roomNotifier(deps.rooms);
  const checklist = new ChecklistService(deps.db, deps.log);
  await checklist.seedTemplates();
  const records = new RecordService(deps.db, deps.inspections, checklist, notifier, deps.log);
  const evidence = new EvidenceService(
    deps.db,
    deps.store,
    records,
    checklist,
    notifier,
    deps.log,
    deps.evidenceQuota,
    deps.maxDocumentBytes,
  );
  const router = express.Router();
  router.use(recordRouter({ ...deps, checklist, records, evidence }));
  return { checklist, records, evidence, router, handlers: inspectionRecordHandlers(deps.inspections, evidence) };
}
