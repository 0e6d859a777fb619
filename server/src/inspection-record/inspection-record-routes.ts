// REST routes of the inspection record: checklist templates and items, evidence (HD
// stills uploaded by the crew phone, bookmarks), conclusion, crew acknowledgement, savings inputs.
// Reports and the printable report live in reports/report-routes.ts.
import express, { type Request } from 'express';
import {
  z,
  AppError,
  INSPECTION_KINDS,
  MAX_EVIDENCE_BYTES,
  MAX_FLATTENED_BYTES,
  saveAnnotationSchema,
  acknowledgeSchema,
  bookmarkSchema,
  can,
  concludeSchema,
  evidenceUploadQuerySchema,
  updateChecklistItemSchema,
  updateChecklistTemplateSchema,
  updateSavingsSchema,
  type InspectionKind,
  parseInput,
} from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import type { CrewTokenSigner } from '../auth/crew-tokens';
import type { ChecklistService } from './checklist-service';
import { tooLarge, type EvidenceService } from './evidence-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import { inspectionRoute } from '../inspection/inspection-guard';
import type { InspectionLifecycle } from '../inspection/inspection-lifecycle';
import type { CrewCredential, InspectionService } from '../inspection/inspection-service';
import { readBody } from '../lib/read-body';
import { requestLanguage } from '../lib/request-language';
import type { RecordService } from './record-service';
import type { RoomRegistry } from '../session/room-registry';
import { crewToken, staffRoute } from '../auth/staff-route';

export interface RecordRouteDeps {
  access: InspectionAccess;
  accounts: AccountService;
  inspections: InspectionService;
  checklist: ChecklistService;
  records: RecordService;
  evidence: EvidenceService;
  signer: CrewTokenSigner;
  lifecycle: InspectionLifecycle;
  /** The live rooms: which still a crew is shown. */
  rooms: Pick<RoomRegistry, 'get'>;
}

/** An uploaded still's body: at most MAX_EVIDENCE_BYTES, or 413 with a clear message. */
const readImage = (req: Request) => readBody(req, MAX_EVIDENCE_BYTES, tooLarge);

const frameQuerySchema = z.object({ checklistItemId: z.string().min(1).max(64).optional() }).strict();
const attachSchema = z.object({ checklistItemId: z.string().min(1).max(64).nullable() }).strict();

/** An annotated still carries its flattened JPEG (base64): the one body above 64 kB (app.ts, http/json-body.ts). */
export const RECORD_LARGE_BODIES = [
  {
    method: 'POST' as const,
    path: /^\/inspections\/[^/]+\/evidence\/[^/]+\/annotations$/,
    limit: Math.ceil((MAX_FLATTENED_BYTES * 4) / 3) + 64 * 1024,
  },
];

export function recordRouter(deps: RecordRouteDeps): express.Router {
  const router = express.Router();
  const authed = staffRoute(deps.accounts);
  const scoped = inspectionRoute(deps.accounts, deps.access);
  const id = (req: Request, name = 'id') => String(req.params[name]);

  router.post(
    '/inspections/:id/evidence/:evidenceId/annotations',
    scoped('record.edit', async (req, res) => {
      const body = parseInput(saveAnnotationSchema, req.body ?? {});
      const flattened = Buffer.from(body.flattenedJpegBase64, 'base64');
      if (flattened.length > MAX_FLATTENED_BYTES) throw tooLarge();
      const evidence = await deps.evidence.annotate(
        id(req),
        id(req, 'evidenceId'),
        { layer: body.layer, flattened, checklistItemId: body.checklistItemId },
        req.account,
      );
      res.status(201).json({ evidence });
    }),
  );

  router.get(
    '/checklist-templates',
    authed('inspection.read', async (_req, res) => {
      res.json({ templates: await deps.checklist.listTemplates() });
    }),
  );

  router.put(
    '/checklist-templates/:kind',
    authed('checklist.manage', async (req, res) => {
      const kind = id(req, 'kind');
      if (!(INSPECTION_KINDS as readonly string[]).includes(kind)) throw new AppError('NOT_FOUND', 'No such inspection kind.');
      const { items } = parseInput(updateChecklistTemplateSchema, req.body ?? {});
      res.json({ template: await deps.checklist.updateTemplate(kind as InspectionKind, items, req.account.id) });
    }),
  );

  router.get(
    '/inspections/:id/record',
    scoped('inspection.read', async (req, res) => {
      res.json({ record: await deps.records.view(id(req), await deps.evidence.list(id(req))) });
    }),
  );

  router.patch(
    '/inspections/:id/checklist/:itemId',
    scoped('record.edit', async (req, res) => {
      const change = parseInput(updateChecklistItemSchema, req.body ?? {});
      res.json({ item: await deps.records.updateChecklistItem(id(req), id(req, 'itemId'), change, req.account) });
    }),
  );

  router.post(
    '/inspections/:id/evidence/bookmarks',
    scoped('record.edit', async (req, res) => {
      res.status(201).json({ evidence: await deps.evidence.bookmark(id(req), parseInput(bookmarkSchema, req.body ?? {}), req.account) });
    }),
  );

  // The surveyor froze the live picture: the frame (raw image body) is stored as a photo.
  router.post(
    '/inspections/:id/evidence/frames',
    scoped('record.edit', async (req, res) => {
      const { checklistItemId } = parseInput(frameQuerySchema, req.query ?? {});
      const bytes = await readImage(req);
      res.status(201).json({ evidence: await deps.evidence.uploadFrame(id(req), bytes, checklistItemId ?? null, req.account) });
    }),
  );

  router.patch(
    '/inspections/:id/evidence/:evidenceId',
    scoped('record.edit', async (req, res) => {
      const { checklistItemId } = parseInput(attachSchema, req.body ?? {});
      res.json({ evidence: await deps.evidence.attach(id(req), id(req, 'evidenceId'), checklistItemId) });
    }),
  );

  router.get(
    '/inspections/:id/evidence/:evidenceId/file',
    scoped('inspection.read', async (req, res) => {
      const file = await deps.evidence.file(id(req), id(req, 'evidenceId'));
      // Evidence never changes under its id: private caching is safe and keeps galleries fast. The
      // type is the one sniffed from the magic bytes at upload, and nosniff keeps a browser from
      // second-guessing it (a JPEG carrying HTML stays an image). A PDF is downloaded, never shown
      // by the browser under our origin.
      const disposition = file.contentType === 'application/pdf' ? 'attachment' : 'inline';
      res.set({
        'Content-Type': file.contentType,
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': `${disposition}; filename="${file.id}.${file.extension}"`,
        'Cache-Control': 'private, max-age=86400',
        ETag: `"${file.sha256}"`,
        'X-Content-SHA256': file.sha256,
      });
      res.send(file.bytes);
    }),
  );

  router.post(
    '/inspections/:id/conclusion',
    scoped('record.edit', async (req, res) => {
      const body = parseInput(concludeSchema, req.body ?? {});
      res.json({ conclusion: await deps.records.conclude(id(req), body, req.account, requestLanguage(req)) });
    }),
  );

  router.put(
    '/inspections/:id/savings',
    scoped('record.edit', async (req, res) => {
      // Field-level messages for the model inputs come from the shared schema (FieldError).
      const body = parseInput(z.object({ inputs: z.unknown(), profile: z.string().optional() }).strict(), req.body ?? {});
      const parsed = updateSavingsSchema.safeParse(body);
      const profileIssue = parsed.success ? null : parsed.error.issues.find((i) => i.path[0] === 'profile');
      if (profileIssue) throw new AppError('BAD_REQUEST', `profile: ${profileIssue.message}`);
      await deps.records.updateSavings(id(req), { inputs: body.inputs ?? {}, profile: body.profile as never }, req.account);
      res.json({ record: await deps.records.view(id(req), await deps.evidence.list(id(req))) });
    }),
  );

  // ---- crew phone (Authorization: Crew <token>) ----

  router.post('/crew/evidence', async (req, res) => {
    const cred: CrewCredential = await deps.inspections.resolveCrewToken(crewToken(req));
    if (!can('crew', 'evidence.upload')) throw new AppError('FORBIDDEN', 'Your role may not upload evidence.');
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type && !type.startsWith('image/') && type !== 'application/octet-stream') {
      req.resume();
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Only JPEG, PNG or WebP images are accepted as evidence.');
    }
    const meta = parseInput(evidenceUploadQuerySchema, req.query ?? {});
    const bytes = await readImage(req);
    res.status(201).json({ evidence: await deps.evidence.upload(cred, bytes, meta) });
  });

  // The still the surveyor shows frozen on the phone (guide.frozen names it), and no other: a crew
  // link does not read the inspection's evidence. Not shown (any more) reads as not found.
  router.get('/crew/evidence/:evidenceId/file', async (req, res) => {
    const { inspection } = await deps.inspections.resolveCrewToken(crewToken(req));
    const evidenceId = id(req, 'evidenceId');
    if (deps.rooms.get(inspection.id)?.shownStill !== evidenceId) {
      throw new AppError('NOT_FOUND', 'This picture is not being shown to you.');
    }
    const photo = await deps.evidence.photo(inspection.id, evidenceId);
    const file = await deps.evidence.file(inspection.id, photo.id);
    res.set({ 'Content-Type': file.contentType, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' });
    res.send(file.bytes);
  });

  router.get('/crew/conclusion', async (req, res) => {
    const { inspection } = await deps.inspections.resolveCrewToken(crewToken(req));
    res.json(await deps.records.crewConclusion(inspection));
  });

  router.post('/crew/acknowledgement', async (req, res) => {
    const token = crewToken(req);
    // Acknowledging ends the inspection (and revokes the link): a second try must still hear
    // "already acknowledged", not just "ended". The signature is checked before anything is read.
    const claims = deps.signer.verify(token);
    const inspection = await deps.inspections.get(claims.i);
    const { name } = parseInput(acknowledgeSchema, req.body ?? {});
    const current = await deps.records.crewConclusion(inspection);
    if (current.conclusion?.acknowledgedAt) {
      throw new AppError(
        'CONFLICT',
        `Already acknowledged by ${current.conclusion.acknowledgedName} at ${current.conclusion.acknowledgedAt}.`,
      );
    }
    const cred = await deps.inspections.resolveCrewToken(token);
    const conclusion = await deps.records.acknowledge(cred.inspection, name);
    // Concluded and acknowledged: nothing more happens live. End it for everyone (links revoked).
    await deps.lifecycle.end(cred.inspection.id).catch((e) => {
      if (!(e instanceof AppError && e.code === 'INSPECTION_ENDED')) throw e;
    });
    res.json({ conclusion });
  });

  return router;
}
