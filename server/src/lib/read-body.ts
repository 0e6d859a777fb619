// Reads a raw request body (an uploaded still or document) with a size limit, for the routes that
// take a file as the body (inspection-record/, chat/).
import type { Request } from 'express';
import type { AppError } from '@cloudship/shared';

/**
 * Reads a raw request body of at most `limit` bytes; larger: rejects with `tooLarge()` (a 413 with
 * a clear message). A body declared larger than `drainLimit` is refused before a byte is read; one
 * somewhat over the limit is drained first: answering while the client is still sending makes many
 * clients report a broken connection instead of our message.
 */
export function readBody(req: Request, limit: number, tooLarge: () => AppError, drainLimit = 4 * limit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > drainLimit) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drainLimit) req.destroy();
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    req.on('close', () => size > limit && reject(tooLarge()));
  });
}
