// Inspection record (inspection-record/): its REST calls, typed like api.ts.
import { isClientErrorCode } from '../error-codes';
import type {
  BookmarkRequest,
  ConcludeRequest,
  ConclusionView,
  CrewConclusionView,
  EvidenceView,
  InspectionRecordView,
  ReportQuery,
  ReportView,
  SaveAnnotationRequest,
  SavingsInputs,
  SavingsProfileName,
  UpdateChecklistItemRequest,
  ChecklistItemView,
} from '@cloudship/shared';
import { ApiError, call } from '../api';

const enc = encodeURIComponent;
const base = (id: string) => `/api/inspections/${enc(id)}`;

export function reportQueryString(q: ReportQuery): string {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const recordApi = {
  get: (id: string) => call<{ record: InspectionRecordView }>('GET', `${base(id)}/record`),
  updateItem: (id: string, itemId: string, body: UpdateChecklistItemRequest) =>
    call<{ item: ChecklistItemView }>('PATCH', `${base(id)}/checklist/${enc(itemId)}`, body),
  bookmark: (id: string, body: BookmarkRequest) => call<{ evidence: EvidenceView }>('POST', `${base(id)}/evidence/bookmarks`, body),
  attach: (id: string, evidenceId: string, checklistItemId: string | null) =>
    call<{ evidence: EvidenceView }>('PATCH', `${base(id)}/evidence/${enc(evidenceId)}`, { checklistItemId }),
  conclude: (id: string, body: ConcludeRequest) => call<{ conclusion: ConclusionView }>('POST', `${base(id)}/conclusion`, body),
  saveSavings: (id: string, inputs: SavingsInputs, profile: SavingsProfileName) =>
    call<{ record: InspectionRecordView }>('PUT', `${base(id)}/savings`, { inputs, profile }),
  report: (q: ReportQuery) => call<{ report: ReportView }>('GET', `/api/reports/savings${reportQueryString(q)}`),

  crewConclusion: (token: string) => call<CrewConclusionView>('GET', '/api/crew/conclusion', undefined, { Authorization: `Crew ${token}` }),
  acknowledge: (token: string, name: string) =>
    call<{ conclusion: ConclusionView }>('POST', '/api/crew/acknowledgement', { name }, { Authorization: `Crew ${token}` }),

  /** The phone's upload: raw image body, position as optional query fields. */
  uploadEvidence: (token: string, blob: Blob, meta: Record<string, string | number | undefined>) =>
    postImage(`/api/crew/evidence`, blob, meta, { Authorization: `Crew ${token}` }),
  /** The surveyor froze the live picture: the frame becomes a photo of the record. */
  uploadFrame: (id: string, blob: Blob, checklistItemId: string | null) =>
    postImage(`${base(id)}/evidence/frames`, blob, { checklistItemId: checklistItemId ?? undefined }),
  /** An annotated still: the drawing and the flattened JPEG, next to the untouched original. */
  saveAnnotation: (id: string, evidenceId: string, body: SaveAnnotationRequest) =>
    call<{ evidence: EvidenceView }>('POST', `${base(id)}/evidence/${enc(evidenceId)}/annotations`, body),
};

/** POSTs an image as the raw body (query fields beside it) and answers the stored evidence. */
async function postImage(
  path: string,
  blob: Blob,
  meta: Record<string, string | number | undefined>,
  headers: Record<string, string> = {},
): Promise<EvidenceView> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) params.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(`${path}?${params.toString()}`, {
      method: 'POST',
      cache: 'no-store',
      headers: { ...headers, 'Content-Type': blob.type || 'image/jpeg' },
      body: blob,
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  const payload = (await res.json().catch(() => null)) as {
    evidence?: EvidenceView;
    error?: { code?: unknown; message?: string };
  } | null;
  if (!res.ok || !payload?.evidence) {
    const code = isClientErrorCode(payload?.error?.code) ? payload.error.code : 'INTERNAL';
    throw new ApiError(res.status, code, payload?.error?.message ?? res.statusText);
  }
  return payload.evidence;
}
