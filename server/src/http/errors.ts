// Error handling for the REST API: coded AppErrors become `{ error: { code, message } }` with the
// matching HTTP status; anything else is logged and answered as INTERNAL.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, HTTP_STATUS } from '@cloudship/shared';
import { Logger } from '../logging/logger';

const logger = new Logger('http');

export const notFound: RequestHandler = (_req, _res, next) => next(new AppError('NOT_FOUND', 'No such resource.'));

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  // body-parser marks its own errors with a `type`.
  const type = typeof err === 'object' && err !== null && 'type' in err ? err.type : undefined;
  let error: AppError;
  if (err instanceof AppError) error = err;
  else if (type === 'entity.too.large') error = new AppError('PAYLOAD_TOO_LARGE', 'Request body too large.');
  else if (type === 'entity.parse.failed') error = new AppError('BAD_REQUEST', 'Request body is not valid JSON.');
  else {
    logger.error('errorHandler() | unexpected error', { method: req.method, path: req.path }, err);
    error = new AppError('INTERNAL', 'Internal error.');
  }
  res.status(HTTP_STATUS[error.code]).json({ error: error.toWire() });
};
