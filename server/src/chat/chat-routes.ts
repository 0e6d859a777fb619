// REST routes of the chat: the history (staff, through the one access check of inspection routes;
// the crew, by its link), and the crew's document upload (the body is the file: a photo or PDF from
// the phone's gallery or files), stored as evidence and announced in the chat.
import express, { type Request } from 'express';
import { AppError, can, documentUploadQuerySchema, parseInput, type EvidenceView } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { crewToken } from '../auth/staff-route';
import type { InspectionAccess } from '../inspection/inspection-access';
import { inspectionRoute } from '../inspection/inspection-guard';
import type { CrewCredential, InspectionService } from '../inspection/inspection-service';
import { readBody } from '../lib/read-body';
import type { ChatService } from './chat-service';

/** Where the crew's documents are stored (app.ts: the inspection record's evidence service). */
export interface DocumentIntake {
  readonly maxDocumentBytes: number;
  uploadDocument(cred: CrewCredential, bytes: Buffer, meta: { requestId?: string; name?: string }): Promise<EvidenceView>;
  /** The refusals, in the evidence service's words. */
  tooLarge(): AppError;
  notADocument(): AppError;
}

export interface ChatRouteDeps {
  accounts: AccountService;
  access: InspectionAccess;
  inspections: InspectionService;
  chat: ChatService;
  documents: DocumentIntake;
}

/** Content-Type headers a document upload may carry (the bytes decide; these only pre-filter). */
function plausibleDocumentType(req: Request): boolean {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  return !type || type.startsWith('image/') || type === 'application/pdf' || type === 'application/octet-stream';
}

export function chatRouter(deps: ChatRouteDeps): express.Router {
  const router = express.Router();
  const scoped = inspectionRoute(deps.accounts, deps.access);

  router.get(
    '/inspections/:id/chat',
    scoped('inspection.read', async (req, res) => {
      res.json({ messages: await deps.chat.history(req.inspection.id) });
    }),
  );

  router.get('/crew/chat', async (req, res) => {
    const { inspection } = await deps.inspections.resolveCrewToken(crewToken(req));
    res.json({ messages: await deps.chat.history(inspection.id) });
  });

  router.post('/crew/documents', async (req, res) => {
    const cred = await deps.inspections.resolveCrewToken(crewToken(req));
    if (!can('crew', 'evidence.upload')) throw new AppError('FORBIDDEN', 'Your role may not send documents.');
    if (!plausibleDocumentType(req)) {
      req.resume();
      throw deps.documents.notADocument();
    }
    const query = parseInput(documentUploadQuerySchema, req.query ?? {});
    const bytes = await readBody(req, deps.documents.maxDocumentBytes, () => deps.documents.tooLarge());
    const requestId = await deps.chat.requestOf(cred.inspection.id, query.requestId);
    const evidence = await deps.documents.uploadDocument(cred, bytes, { requestId: requestId ?? undefined, name: query.name });
    const sender = { role: 'crew' as const, id: cred.link.id, name: deps.chat.crewName(cred.inspection.id, cred.link.id) };
    const message = await deps.chat.documentReceived(evidence, sender, requestId);
    res.status(201).json({ evidence, message });
  });

  return router;
}
