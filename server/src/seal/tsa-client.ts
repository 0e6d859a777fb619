// The RFC 3161 client: asks the time-stamping authority at TSA_URL to sign the SHA-256 of a
// checkpoint's bytes, and keeps the token only after checking it (imprint and CMS signature), so
// that a package never carries a token its own verifier would refuse. Handed to the seal service
// through its timestamper hook; a TSA that is down delays nothing else: the checkpoint is still
// signed, without a token, and the error is logged by the caller.
import { createHash } from 'node:crypto';
import type { SealTimestamp } from '@cloudship/shared';
import { TimestampError, buildTimestampRequest, tokenFromResponse, verifyTimestampToken } from './timestamp-token';

/** A TimeStampResp is a few KB (token and certificate); anything much larger is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface TsaClientOptions {
  tsaUrl: string;
  timeoutMs?: number;
}

export type Timestamper = (checkpointBytes: Uint8Array) => Promise<SealTimestamp>;

export function createTsaTimestamper({ tsaUrl, timeoutMs = 10_000 }: TsaClientOptions): Timestamper {
  const url = new URL(tsaUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`TSA_URL must be http(s): ${tsaUrl}`);
  return async (checkpointBytes) => {
    const imprint = createHash('sha256').update(checkpointBytes).digest('hex');
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
        body: Buffer.from(buildTimestampRequest(imprint)),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new TimestampError(`the TSA at ${url.host} cannot be reached: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) throw new TimestampError(`the TSA at ${url.host} answered HTTP ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('application/timestamp-reply'))
      throw new TimestampError(`the TSA answered ${type || 'no content type'}, not a timestamp reply`);
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length > MAX_RESPONSE_BYTES) throw new TimestampError(`the TSA's answer is ${body.length} bytes: too large`);
    const token = tokenFromResponse(body);
    const check = await verifyTimestampToken(token, imprint, checkpointBytes);
    if (!check.ok) throw new TimestampError(`the TSA's token does not verify: ${check.reason ?? ''}`);
    return { tsaUrl, token: Buffer.from(token).toString('base64') };
  };
}
