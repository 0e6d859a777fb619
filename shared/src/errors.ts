// The small error taxonomy that crosses the wire. Only a stable code and a safe message leave the
// server; stack traces and internal details stay in its log.

import type { ZodType } from 'zod';

export const ERROR_CODES = [
  'BAD_REQUEST', // payload fails validation
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED', // no or invalid credential
  'LINK_EXPIRED',
  'LINK_REVOKED',
  'FORBIDDEN', // authenticated, but the role lacks the permission
  'NOT_FOUND', // unknown inspection, transport, producer, consumer ...
  'INVALID_STATE', // right request, wrong moment (produce before connect, join twice, room ended)
  'INSPECTION_ENDED',
  'CONFLICT',
  'RECORD_LOCKED', // the inspection record was acknowledged by the crew: read-only
  'UNSUPPORTED_MEDIA_TYPE', // an upload that is not an accepted image
  'PASSWORD_CHANGE_REQUIRED', // signed in with a generated password: change it first
  'ACCOUNT_DISABLED', // an admin disabled this account
  'TOO_MANY_REQUESTS', // throttled (sign-in attempts, crew links, uploads, PDF queue): try again later
  'SEAT_TAKEN', // another phone holds this crew link's seat: join with takeOver to replace it
  'LIMIT_REACHED', // a cap of the live session (sockets, participants, ...): the message names it
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
}

/** An error whose code and message are safe to send to a client. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** HTTP status for each code, used by the REST layer. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  LINK_EXPIRED: 410,
  LINK_REVOKED: 410,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  INSPECTION_ENDED: 410,
  CONFLICT: 409,
  RECORD_LOCKED: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PASSWORD_CHANGE_REQUIRED: 403,
  ACCOUNT_DISABLED: 403,
  TOO_MANY_REQUESTS: 429,
  SEAT_TAKEN: 409,
  // A capacity, not a rate: waiting does not help until someone leaves.
  LIMIT_REACHED: 409,
  INTERNAL: 500,
};

/**
 * Parses untrusted input with its schema or throws BAD_REQUEST naming the first few problems
 * (`field: message; ...`). REST bodies and queries and signaling payloads all go through here.
 */
export function parseInput<T>(
  schema: ZodType<T>,
  value: unknown,
  options: { label?: string; prefix?: string; maxIssues?: number } = {},
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const detail = r.error.issues
    .slice(0, options.maxIssues ?? 5)
    .map((i) => `${i.path.join('.') || (options.label ?? 'body')}: ${i.message}`)
    .join('; ');
  throw new AppError('BAD_REQUEST', `${options.prefix ?? ''}${detail}`);
}

/** Maps anything thrown to what may cross the wire: coded AppErrors as they are, the rest INTERNAL. */
export function toWireError(e: unknown): WireError {
  if (e instanceof AppError) return e.toWire();
  // mediasoup throws TypeError for malformed RTP/DTLS parameters: the client's fault.
  if (e instanceof TypeError) return { code: 'BAD_REQUEST', message: e.message.slice(0, 300) };
  return { code: 'INTERNAL', message: 'Internal error.' };
}
