// Every error code a page can meet: the server's wire codes (shared/src/errors.ts) and the few the
// pages raise themselves (no network, a timeout, camera and browser problems). Each maps to its
// translation here, at compile time: a new wire code without a message is a type error.
import { ERROR_CODES, type ErrorCode } from '@cloudship/shared';
import type { MessageKey } from './i18n-messages';

export const CLIENT_ERROR_CODES = [
  'NETWORK', // the server cannot be reached
  'TIMEOUT', // a request got no answer in time
  'DISCONNECTED', // the live connection dropped
  'MEDIA_DENIED',
  'MEDIA_NOT_FOUND',
  'MEDIA_BUSY',
  'INSECURE_CONTEXT',
  'UNSUPPORTED_BROWSER',
  'SESSION_REPLACED', // another phone took this crew link's seat over (session.replaced)
  'UNKNOWN', // anything else (shown with the raw code)
] as const;
export type ClientErrorCode = ErrorCode | (typeof CLIENT_ERROR_CODES)[number];

export const ERROR_MESSAGES: Record<ClientErrorCode, MessageKey> = {
  BAD_REQUEST: 'error.BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'error.PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'error.UNAUTHENTICATED',
  LINK_EXPIRED: 'error.LINK_EXPIRED',
  LINK_REVOKED: 'error.LINK_REVOKED',
  FORBIDDEN: 'error.FORBIDDEN',
  NOT_FOUND: 'error.NOT_FOUND',
  INVALID_STATE: 'error.INVALID_STATE',
  INSPECTION_ENDED: 'error.INSPECTION_ENDED',
  CONFLICT: 'error.CONFLICT',
  RECORD_LOCKED: 'error.RECORD_LOCKED',
  UNSUPPORTED_MEDIA_TYPE: 'error.UNSUPPORTED_MEDIA_TYPE',
  PASSWORD_CHANGE_REQUIRED: 'error.PASSWORD_CHANGE_REQUIRED',
  ACCOUNT_DISABLED: 'error.ACCOUNT_DISABLED',
  TOO_MANY_REQUESTS: 'error.TOO_MANY_REQUESTS',
  SEAT_TAKEN: 'error.SEAT_TAKEN',
  LIMIT_REACHED: 'error.LIMIT_REACHED',
  SESSION_REPLACED: 'error.SESSION_REPLACED',
  INTERNAL: 'error.INTERNAL',
  NETWORK: 'error.NETWORK',
  TIMEOUT: 'error.TIMEOUT',
  DISCONNECTED: 'error.DISCONNECTED',
  MEDIA_DENIED: 'error.MEDIA_DENIED',
  MEDIA_NOT_FOUND: 'error.MEDIA_NOT_FOUND',
  MEDIA_BUSY: 'error.MEDIA_BUSY',
  INSECURE_CONTEXT: 'error.INSECURE_CONTEXT',
  UNSUPPORTED_BROWSER: 'error.UNSUPPORTED_BROWSER',
  UNKNOWN: 'error.UNKNOWN',
};

const KNOWN = new Set<string>([...ERROR_CODES, ...CLIENT_ERROR_CODES]);

export function isClientErrorCode(code: unknown): code is ClientErrorCode {
  return typeof code === 'string' && KNOWN.has(code);
}
