// The REST API as typed functions. Errors become `ApiError` with the server's stable code
// (`{ error: { code, message } }`), or a client code: NETWORK when the server cannot be reached.
import type {
  AccountView,
  ChecklistItemRef,
  ChecklistRefusalReason,
  CreateAccountRequest,
  CreateInspectionRequest,
  DrawSampleRequest,
  CrewInvitationView,
  CrewLinkView,
  EndInspectionRequest,
  InspectionDetailView,
  InspectionMembersView,
  InspectionPage,
  InspectionView,
  LoginRequest,
  ReviewSampleItemView,
  ReviewSampleView,
  UpdateAccountRequest,
} from '@cloudship/shared';
import { isClientErrorCode, type ClientErrorCode } from './error-codes';
import { getLanguage } from './i18n';

/** A refusal that names checklist items (ChecklistRefusalWire): why, and the items at fault. */
export interface ChecklistRefusalDetails {
  reason: ChecklistRefusalReason;
  items: ChecklistItemRef[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly refusal: ChecklistRefusalDetails | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The error code of anything thrown by the API or the live session (or UNKNOWN). */
export function errorCode(err: unknown): ClientErrorCode {
  const code = err && typeof err === 'object' && 'code' in err ? err.code : undefined;
  return isClientErrorCode(code) ? code : 'UNKNOWN';
}

/**
 * Only when the answer carries no code (a proxy's error page): the status says this much. 410 is
 * not guessed: it can be an expired or withdrawn link as well as an ended inspection.
 */
const CODE_BY_STATUS: Record<number, ClientErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
};

export async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      // API answers are never reused: a 410 for one crew token must not be served from the HTTP
      // cache for another (the token travels in a header, so the URL is the same).
      cache: 'no-store',
      // The server words what it says (a refusal naming checklist items) in the page's language.
      headers: {
        Accept: 'application/json',
        'Accept-Language': getLanguage(),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  if (response.status === 204) return undefined as T;
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    // A proxy error page or an empty body: fall back to the status code below.
  }
  if (!response.ok) {
    const wire = (payload as { error?: { code?: unknown; message?: unknown; reason?: unknown; items?: unknown } } | null)?.error;
    const code = isClientErrorCode(wire?.code) ? wire.code : (CODE_BY_STATUS[response.status] ?? 'INTERNAL');
    const refusal = typeof wire?.reason === 'string' && Array.isArray(wire.items) ? (wire as ChecklistRefusalDetails) : null;
    throw new ApiError(response.status, code, typeof wire?.message === 'string' ? wire.message : response.statusText, refusal);
  }
  return payload as T;
}

const enc = encodeURIComponent;

export const api = {
  login: (body: LoginRequest) => call<{ account: AccountView }>('POST', '/api/auth/login', body),
  logout: () => call<void>('POST', '/api/auth/logout'),
  me: () => call<{ account: AccountView }>('GET', '/api/me'),
  staffDirectory: () =>
    call<{ people: Array<{ id: string; displayName: string; role: 'surveyor' | 'auditor' }> }>('GET', '/api/staff-directory'),
  addCoSurveyor: (id: string, accountId: string) =>
    call<{ members: InspectionMembersView }>('POST', `/api/inspections/${enc(id)}/co-surveyors`, { accountId }),
  removeCoSurveyor: (id: string, accountId: string) =>
    call<{ members: InspectionMembersView }>('DELETE', `/api/inspections/${enc(id)}/co-surveyors/${enc(accountId)}`),
  assignAuditor: (id: string, accountId: string) => call<void>('POST', `/api/inspections/${enc(id)}/auditors`, { accountId }),
  changePassword: (body: { currentPassword: string; newPassword: string }) => call<void>('POST', '/api/auth/password', body),
  listAccounts: () => call<{ accounts: AccountView[] }>('GET', '/api/accounts'),
  createAccount: (body: CreateAccountRequest) => call<{ account: AccountView }>('POST', '/api/accounts', body),
  disableAccount: (id: string) => call<{ account: AccountView }>('POST', `/api/accounts/${enc(id)}/disable`),
  enableAccount: (id: string) => call<{ account: AccountView }>('POST', `/api/accounts/${enc(id)}/enable`),
  updateAccount: (id: string, body: UpdateAccountRequest) => call<{ account: AccountView }>('PATCH', `/api/accounts/${enc(id)}`, body),
  drawSample: (body: DrawSampleRequest) => call<{ sample: ReviewSampleView }>('POST', '/api/review-samples', body),
  listSamples: () => call<{ samples: ReviewSampleView[] }>('GET', '/api/review-samples'),
  getSample: (id: string, offset = 0) =>
    call<{ sample: ReviewSampleView; items: ReviewSampleItemView[]; nextOffset: number | null }>(
      'GET',
      `/api/review-samples/${enc(id)}${offset ? `?offset=${offset}` : ''}`,
    ),
  resetPassword: (id: string) => call<{ account: AccountView; oneTimePassword: string }>('POST', `/api/accounts/${enc(id)}/reset-password`),

  /** One page of the list: `params` are the list query's keys (shared/src/inspection-list.ts). */
  listInspections: (params: URLSearchParams = new URLSearchParams()) =>
    call<InspectionPage>('GET', `/api/inspections${params.size ? `?${params.toString()}` : ''}`),
  createInspection: (body: CreateInspectionRequest) => call<{ inspection: InspectionView }>('POST', '/api/inspections', body),
  getInspection: (id: string) => call<{ inspection: InspectionDetailView }>('GET', `/api/inspections/${enc(id)}`),
  endInspection: (id: string, body: EndInspectionRequest = {}) =>
    call<{ inspection: InspectionView }>('POST', `/api/inspections/${enc(id)}/end`, body),
  /** The inspection's current crew link, made when there is none (the server hands the same one out again). */
  crewLink: (id: string) => call<CrewLinkView>('POST', `/api/inspections/${enc(id)}/crew-link`),
  revokeCrewLinks: (id: string) => call<void>('DELETE', `/api/inspections/${enc(id)}/crew-links`),

  crewInvitation: (token: string) => call<CrewInvitationView>('GET', '/api/crew/invitation', undefined, { Authorization: `Crew ${token}` }),
};
