// The inspection record (inspection-record/): checklist, evidence, conclusion, crew acknowledgement, savings
// estimate and reports. Request schemas are validated by the server and reused by the browser
// forms; view types are what the REST API answers with.
import { z } from './zod';
import type { InspectionKind, InspectionView, Role } from './domain';
import { annotationLayerSchema, type AnnotationLayer } from './guide-protocol';
import { isSavingsProfileName, savingsInputsSchema, type SavingsEstimate, type SavingsInputs, type SavingsProfileName } from './savings';

/** Unset (null) until the surveyor decides. */
export const CHECKLIST_RESULTS = ['pass', 'deficiency', 'not-applicable'] as const;
export type ChecklistResult = (typeof CHECKLIST_RESULTS)[number];

export const CONCLUSION_OUTCOMES = ['passed', 'passed-with-deficiencies', 'failed', 'continue-on-site'] as const;
export type ConclusionOutcome = (typeof CONCLUSION_OUTCOMES)[number];

/**
 * The outcomes of an inspection done online: what the dashboard counts and sums (the savings
 * model counts "vessel inspections done online"). "To be continued on site" is not among them: the
 * visit it calls for is what a remote inspection saves. Acknowledged or not does not matter.
 */
export const COMPLETED_ONLINE_OUTCOMES: readonly ConclusionOutcome[] = ['passed', 'passed-with-deficiencies', 'failed'];

/** A checklist item as a refusal names it: by its titles (the page shows the one of its language). */
export interface ChecklistItemRef {
  id: string;
  code: string;
  titleZh: string;
  titleEn: string;
}

/** Why a conclusion was refused because of some checklist items (`ChecklistRefusalWire.items`). */
export const CHECKLIST_REFUSAL_REASONS = ['deficiency-without-deadline', 'deficiencies-marked'] as const;
export type ChecklistRefusalReason = (typeof CHECKLIST_REFUSAL_REASONS)[number];

/** The wire form of a refusal that names checklist items (BAD_REQUEST plus the items at fault). */
export interface ChecklistRefusalWire {
  code: 'BAD_REQUEST';
  message: string;
  reason: ChecklistRefusalReason;
  items: ChecklistItemRef[];
}

/** Images the phone may upload (checked by magic bytes on the server, not by the header alone). */
export const EVIDENCE_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type EvidenceImageType = (typeof EVIDENCE_IMAGE_TYPES)[number];
export const MAX_EVIDENCE_BYTES = 15 * 1024 * 1024;
/** The flattened JPEG of an annotated still (drawn by the browser at the still's size). */
export const MAX_FLATTENED_BYTES = 4 * 1024 * 1024;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a real date');

export const checklistTemplateItemSchema = z
  .object({
    code: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and - only'),
    sectionZh: z.string().trim().min(1).max(80),
    sectionEn: z.string().trim().min(1).max(80),
    titleZh: z.string().trim().min(1).max(300),
    titleEn: z.string().trim().min(1).max(300),
  })
  .strict();
export type ChecklistTemplateItem = z.infer<typeof checklistTemplateItemSchema>;

export const updateChecklistTemplateSchema = z
  .object({
    items: z
      .array(checklistTemplateItemSchema)
      .min(1)
      .max(200)
      .refine((items) => new Set(items.map((i) => i.code)).size === items.length, 'item codes must be unique'),
  })
  .strict();

export const updateChecklistItemSchema = z
  .object({
    result: z.enum(CHECKLIST_RESULTS).nullable().optional(),
    note: z.string().max(2000).optional(),
    /** Deadline to rectify a deficiency; required when concluding "passed with deficiencies". */
    deficiencyDeadline: isoDate.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateChecklistItemRequest = z.infer<typeof updateChecklistItemSchema>;

export const bookmarkSchema = z
  .object({
    note: z.string().trim().min(1).max(2000),
    checklistItemId: z.string().min(1).max(64).nullable().optional(),
    /** The moment bookmarked; defaults to now. */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type BookmarkRequest = z.infer<typeof bookmarkSchema>;

export const concludeSchema = z
  .object({
    outcome: z.enum(CONCLUSION_OUTCOMES),
    remarks: z.string().max(4000).default(''),
  })
  .strict();
export type ConcludeRequest = z.input<typeof concludeSchema>;

export const acknowledgeSchema = z.object({ name: z.string().trim().min(1).max(80) }).strict();
export type AcknowledgeRequest = z.infer<typeof acknowledgeSchema>;

export const updateSavingsSchema = z
  .object({
    inputs: savingsInputsSchema,
    profile: z.string().refine(isSavingsProfileName, 'unknown savings profile').optional(),
  })
  .strict();
export type UpdateSavingsRequest = { inputs: SavingsInputs; profile?: SavingsProfileName };

export const reportQuerySchema = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    surveyorId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Optional position fields of an upload (the crew may or may not share its position). */
export const evidenceUploadQuerySchema = z
  .object({
    requestId: z.string().min(1).max(64).optional(),
    /** 'crew': the crew chose to send this photo ("send a photo"), no capture was requested. */
    initiative: z.enum(['crew']).optional(),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lon: z.coerce.number().min(-180).max(180).optional(),
    accuracy: z.coerce.number().min(0).max(100_000).optional(),
    capturedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/**
 * The surveyor saves an annotated still: the drawing (vector layer) and the picture with the
 * drawing burnt in (JPEG, base64), attached to a checklist item (the original's by default).
 */
export const saveAnnotationSchema = z
  .object({
    layer: annotationLayerSchema,
    flattenedJpegBase64: z
      .string()
      .min(4)
      .max(Math.ceil((MAX_FLATTENED_BYTES * 4) / 3) + 4)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
    checklistItemId: z.string().min(1).max(64).nullable().default(null),
  })
  .strict();
export type SaveAnnotationRequest = z.input<typeof saveAnnotationSchema>;

export interface ChecklistTemplateView {
  kind: InspectionKind;
  version: number;
  items: ChecklistTemplateItem[];
  updatedAt: string;
}

export interface ChecklistItemView extends ChecklistTemplateItem {
  id: string;
  position: number;
  result: ChecklistResult | null;
  note: string;
  deficiencyDeadline: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface EvidenceView {
  id: string;
  inspectionId: string;
  checklistItemId: string | null;
  /** 'document': a photo or PDF the crew sent from the phone's gallery or files (chat-protocol.ts). */
  type: 'photo' | 'bookmark' | 'document';
  contentType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  capturedAt: string;
  lat: number | null;
  lon: number | null;
  accuracy: number | null;
  note: string;
  authorRole: Role;
  authorName: string;
  /** An annotated still: the photo it was drawn on (unchanged), and the drawing as a vector layer. */
  annotationOf: string | null;
  annotation: AnnotationLayer | null;
  /** Staff-only URL of the file (photos and documents). */
  url: string | null;
}

export interface ConclusionView {
  outcome: ConclusionOutcome;
  remarks: string;
  concludedAt: string;
  concludedBy: string;
  acknowledgedName: string | null;
  acknowledgedAt: string | null;
}

export interface SavingsChangeView {
  changedAt: string;
  changedBy: string;
  before: { inputs: SavingsInputs; profile: SavingsProfileName; co2SavedT: number | null; costSavedCny: number | null };
  after: { inputs: SavingsInputs; profile: SavingsProfileName; co2SavedT: number; costSavedCny: number };
}

export interface InspectionRecordView {
  inspection: InspectionView;
  checklist: ChecklistItemView[];
  evidence: EvidenceView[];
  conclusion: ConclusionView | null;
  /** True once the crew acknowledged: only savings corrections (logged) are still accepted. */
  readOnly: boolean;
  savingsInputs: SavingsInputs;
  savingsProfile: SavingsProfileName;
  /** Stored at conclusion and on every later correction; null before the conclusion. */
  savings: SavingsEstimate | null;
  savingsLog: SavingsChangeView[];
}

/** What the crew page learns about the conclusion it is asked to acknowledge. */
export interface CrewConclusionView {
  conclusion: ConclusionView | null;
  deficiencies: Array<{ titleZh: string; titleEn: string; note: string; deadline: string | null }>;
}

export interface ReportTotals {
  count: number;
  /** How many used the calibrated-average fallback (no inputs). */
  estimatedCount: number;
  co2SavedT: number;
  costSavedCny: number;
}

export interface ReportView {
  from: string | null;
  to: string | null;
  overall: ReportTotals;
  bySurveyor: Array<ReportTotals & { surveyorId: string; surveyorName: string }>;
  /** YYYY-MM, ascending, every month of the range that has inspections. */
  byMonth: Array<ReportTotals & { month: string }>;
  headline: { zh: string; en: string };
}

/** Capture requested by a surveyor, pushed to the crew phone(s). */
export interface CaptureRequestedEvent {
  requestId: string;
  checklistItemId: string | null;
}
