// The verifier's crypto on Node: node:crypto for SHA-256 and Ed25519, PKI.js for RFC 3161 tokens.
// Files are hashed as streams (hashStream), never read whole into memory.
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FileDigest, SealCrypto } from '@cloudship/shared';
import { verifyTimestampToken } from './timestamp-token';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519PublicKeyFromRaw(raw: Uint8Array) {
  if (raw.length !== 32) throw new TypeError(`an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export const nodeSealCrypto: SealCrypto = {
  sha256: (bytes) => Promise.resolve(createHash('sha256').update(bytes).digest('hex')),
  verifyEd25519: (raw, message, signature) => {
    try {
      return Promise.resolve(verify(null, message, ed25519PublicKeyFromRaw(raw), signature));
    } catch {
      return Promise.resolve(false);
    }
  },
  verifyTimestamp: verifyTimestampToken,
};

export async function hashStream(stream: Readable): Promise<FileDigest> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}
