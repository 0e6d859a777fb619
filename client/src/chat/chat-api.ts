// The chat's REST calls (chat/): the history, and the crew's document upload (the file as the raw
// body, with upload progress for a slow 4G link).
import type { ChatMessageView, EvidenceView } from '@cloudship/shared';
import { ApiError, call } from '../api';
import { isClientErrorCode } from '../error-codes';

const enc = encodeURIComponent;

export const chatApi = {
  staffHistory: (inspectionId: string) => call<{ messages: ChatMessageView[] }>('GET', `/api/inspections/${enc(inspectionId)}/chat`),
  crewHistory: (token: string) =>
    call<{ messages: ChatMessageView[] }>('GET', '/api/crew/chat', undefined, { Authorization: `Crew ${token}` }),
  /** The file the surveyor downloads (the evidence's own route). */
  fileUrl: (inspectionId: string, evidenceId: string) => `/api/inspections/${enc(inspectionId)}/evidence/${enc(evidenceId)}/file`,

  /** Sends a photo or PDF from the phone; `progress` gets 0..1 as the bytes leave. */
  uploadDocument(
    token: string,
    file: Blob & { name?: string },
    requestId: string | null,
    progress: (fraction: number) => void,
  ): Promise<{ evidence: EvidenceView; message: ChatMessageView }> {
    const params = new URLSearchParams();
    if (requestId) params.set('requestId', requestId);
    if (file.name) params.set('name', file.name.slice(0, 200));
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/crew/documents?${params.toString()}`);
      xhr.setRequestHeader('Authorization', `Crew ${token}`);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'upload failed'));
      xhr.onload = () => {
        type Answer = { evidence?: EvidenceView; message?: ChatMessageView; error?: { code?: unknown; message?: string } };
        const payload = parseAnswer<Answer>(xhr.responseText);
        if (xhr.status === 201 && payload?.evidence && payload.message)
          return resolve({ evidence: payload.evidence, message: payload.message });
        const code = isClientErrorCode(payload?.error?.code) ? payload.error.code : xhr.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL';
        reject(new ApiError(xhr.status, code, payload?.error?.message ?? xhr.statusText));
      };
      xhr.send(file);
    });
  },
};

/** The JSON of an answer; null when it is not JSON (a proxy's error page). */
function parseAnswer<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
