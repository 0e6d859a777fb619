// Sealed evidence, format version 1: what the server writes into an inspection's evidence log, what
// it signs, and what a package's manifest holds. The same functions build the bytes that the server
// hashes and signs and that a verifier (Node or browser) checks, so both sides cannot drift apart.
// Hashing and signing are left to the caller: node:crypto on the server and in the CLI, WebCrypto
// in the browser. README ("Verifying an evidence package") states these rules in words.

export const SEAL_VERSION = 1;
export const PACKAGE_FORMAT = 'cloudship-evidence-package';
export const WELL_KNOWN_KEYS_PATH = '/.well-known/cloudship-seal-keys.json';
/** `prev` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const SEAL_ENTRY_TYPES = [
  'inspection.created',
  'participant.joined',
  'participant.left',
  'consent',
  'recording.on',
  'recording.off',
  'segment',
  'still',
  'annotation',
  'document',
  'report',
  'checklist.verdict',
  'chat.message',
  'position',
  'conclusion',
  'acknowledgement',
  'savings',
  'savings.correction',
  'inspection.ended',
] as const;
export type SealEntryType = (typeof SEAL_ENTRY_TYPES)[number];

/** The bytes of a file an entry vouches for: a segment, a still, an annotation, a document, the report. */
export interface SealedFile {
  sha256: string;
  sizeBytes: number;
  name: string;
  contentType?: string;
}

/** What is hashed: every field of an entry but its own hash. */
export interface SealEntryCore {
  v: number;
  inspectionId: string;
  seq: number;
  type: SealEntryType;
  at: string;
  prev: string;
  body: JsonObject;
}

export interface SealEntry extends SealEntryCore {
  hash: string;
}

/** What is signed. */
export interface CheckpointCore {
  v: number;
  kind: 'checkpoint';
  inspectionId: string;
  count: number;
  head: string;
  at: string;
  final: boolean;
}

export interface SealTimestamp {
  tsaUrl: string;
  /** base64 of the DER TimeStampToken (RFC 3161) over SHA-256 of the checkpoint core's bytes. */
  token: string;
}

export interface SealCheckpoint extends CheckpointCore {
  keyId: string;
  /** base64 Ed25519 signature over the checkpoint core's bytes. */
  signature: string;
  timestamp?: SealTimestamp;
}

export interface SealPublicKey {
  keyId: string;
  alg: 'Ed25519';
  /** base64 of the raw 32-byte public key. */
  publicKey: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface SealKeySet {
  v: number;
  keys: SealPublicKey[];
}

export interface PackageManifest {
  v: number;
  format: typeof PACKAGE_FORMAT;
  inspectionId: string;
  exportedAt: string;
  entries: SealEntry[];
  checkpoints: SealCheckpoint[];
  publicKeys: SealPublicKey[];
  /** Where each file-bearing entry's bytes are in the ZIP. */
  files: Array<{ seq: number; path: string }>;
}

/**
 * JSON with object keys sorted (JS default sort, UTF-16 code units) and no whitespace. Only finite
 * numbers; `undefined` fields are refused rather than dropped, so that what is hashed is exactly
 * what is stored.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: a number must be finite');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      return `{${keys
        .map((k) => {
          if (obj[k] === undefined) throw new TypeError(`canonicalJson: field "${k}" is undefined`);
          return `${JSON.stringify(k)}:${canonicalJson(obj[k])}`;
        })
        .join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

const encoder = new TextEncoder();

/** The bytes whose SHA-256 is an entry's hash. */
export function entryBytes(e: SealEntryCore): Uint8Array {
  const core: SealEntryCore = { v: e.v, inspectionId: e.inspectionId, seq: e.seq, type: e.type, at: e.at, prev: e.prev, body: e.body };
  return encoder.encode(canonicalJson(core));
}

/** The bytes a checkpoint's signature (and its timestamp token's imprint) covers. */
export function checkpointBytes(c: CheckpointCore): Uint8Array {
  const core: CheckpointCore = {
    v: c.v,
    kind: 'checkpoint',
    inspectionId: c.inspectionId,
    count: c.count,
    head: c.head,
    at: c.at,
    final: c.final,
  };
  return encoder.encode(canonicalJson(core));
}

/** The file an entry vouches for, if any. */
export function sealedFileOf(e: Pick<SealEntryCore, 'body'>): SealedFile | null {
  const f = e.body.file;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return null;
  const { sha256, sizeBytes, name } = f as Record<string, JsonValue>;
  if (typeof sha256 !== 'string' || typeof sizeBytes !== 'number' || typeof name !== 'string') return null;
  const contentType = (f as Record<string, JsonValue>).contentType;
  return { sha256, sizeBytes, name, ...(typeof contentType === 'string' ? { contentType } : {}) };
}

/** A string field of an entry's body, or '' (a body is JSON: a field may be anything). */
export const bodyText = (v: unknown): string => (typeof v === 'string' ? v : '');

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
