// Error handling for the REST API: coded AppErrors become `{ error: { code, message } }` with the
// matching HTTP status; anything else is logged and answered as INTERNAL. A throttled request
// (TooManyRequests) also gets `Retry-After`; a path with a malformed percent-escape is BAD_REQUEST
// (on a crew link's path, as the link's error page).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, HTTP_STATUS } from '@cloudship/shared';
import { TooManyRequests } from '../auth/throttle';
import { Logger } from '../logging/logger';
import { isCrewLinkPath, sendLinkErrorPage } from './link-error-page';

const logger = new Logger('http');

const malformedUrl = () => new AppError('BAD_REQUEST', 'The URL is not valid: malformed percent-encoding.');

export const notFound: RequestHandler = (_req, _res, next) => next(new AppError('NOT_FOUND', 'No such resource.'));

/**
 * First of all: a path that does not decode (`/api/inspections/%E0%A4%A`) is refused here, before
 * a router's parameter decoding or the static files meet it.
 */
export const rejectMalformedUrl: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    return next(malformedUrl());
  }
  next();
};

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  // body-parser marks its own errors with a `type`.
  const type = typeof err === 'object' && err !== null && 'type' in err ? err.type : undefined;
  let error: AppError;
  if (err instanceof AppError) error = err;
  else if (type === 'entity.too.large') error = new AppError('PAYLOAD_TOO_LARGE', 'Request body too large.');
  else if (type === 'entity.parse.failed') error = new AppError('BAD_REQUEST', 'Request body is not valid JSON.');
  // The router's parameter decoding (decodeURIComponent) throws URIError with status 400.
  else if (err instanceof URIError) error = malformedUrl();
  else {
    logger.error('errorHandler() | unexpected error', { method: req.method, path: req.path }, err);
    error = new AppError('INTERNAL', 'Internal error.');
  }
  // A crew link that fails before its route (a malformed percent-escape): the phone's page, not JSON.
  if ((req.method === 'GET' || req.method === 'HEAD') && isCrewLinkPath(req.path)) return sendLinkErrorPage(res, error);
  if (err instanceof TooManyRequests && err.retryAfterSeconds !== null) res.set('Retry-After', String(err.retryAfterSeconds));
  res.status(HTTP_STATUS[error.code]).json({ error: error.toWire() });
};
