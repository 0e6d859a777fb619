// The shapes a verifier accepts, checked before anything is hashed. Objects are strict: a field that
// the hash or the signature does not cover (an extra "note" beside an entry, say) would be read by
// a person as part of the record without being sealed, so it is refused rather than ignored.
// The parsed values are only used to decide; what is hashed is the object as it came.
import { PACKAGE_FORMAT, SEAL_ENTRY_TYPES, SEAL_VERSION, type SealCheckpoint, type SealEntry, type SealPublicKey } from './seal';
import { z } from './zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO 8601 UTC time with milliseconds');

const entrySchema = z.strictObject({
  v: z.number().int(),
  inspectionId: z.string().min(1),
  seq: z.number().int().positive(),
  type: z.enum(SEAL_ENTRY_TYPES),
  at: isoTime,
  prev: hex64,
  body: z.record(z.string(), z.unknown()),
  hash: hex64,
});

const checkpointSchema = z.strictObject({
  v: z.number().int(),
  kind: z.literal('checkpoint'),
  inspectionId: z.string().min(1),
  count: z.number().int(),
  head: hex64,
  at: isoTime,
  final: z.boolean(),
  keyId: hex64,
  signature: z.string().min(1),
  timestamp: z.strictObject({ tsaUrl: z.string(), token: z.string().min(1) }).optional(),
});

const publicKeySchema = z.object({
  keyId: hex64,
  alg: z.literal('Ed25519'),
  publicKey: z.string().min(1),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
});

const keySetSchema = z.object({ v: z.literal(SEAL_VERSION), keys: z.array(publicKeySchema) });

const manifestShellSchema = z.strictObject({
  v: z.number(),
  format: z.string(),
  inspectionId: z.string().min(1),
  exportedAt: z.string(),
  entries: z.array(z.unknown()),
  checkpoints: z.array(z.unknown()),
  publicKeys: z.array(z.unknown()),
  files: z.array(z.unknown()),
});
export type ManifestShell = z.infer<typeof manifestShellSchema>;

const describe = (err: z.ZodError): string =>
  err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');

export function parseManifestShell(raw: unknown): { manifest: ManifestShell } | { error: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { error: 'manifest.json is not a JSON object' };
  const { v, format } = raw as { v?: unknown; format?: unknown };
  if (v !== SEAL_VERSION) return { error: `manifest version ${JSON.stringify(v)}; this verifier reads version ${SEAL_VERSION}` };
  if (format !== PACKAGE_FORMAT) return { error: `manifest format ${JSON.stringify(format)}, expected "${PACKAGE_FORMAT}"` };
  const r = manifestShellSchema.safeParse(raw);
  return r.success ? { manifest: r.data } : { error: `manifest.json: ${describe(r.error)}` };
}

export function parseEntry(raw: unknown): { entry: SealEntry } | { error: string } {
  const r = entrySchema.safeParse(raw);
  return r.success ? { entry: raw as SealEntry } : { error: `malformed entry: ${describe(r.error)}` };
}

export function parseCheckpoint(raw: unknown): { checkpoint: SealCheckpoint } | { error: string } {
  const r = checkpointSchema.safeParse(raw);
  return r.success ? { checkpoint: raw as SealCheckpoint } : { error: `malformed: ${describe(r.error)}` };
}

/** The well-known key file (`--keys`): `{ v: 1, keys: [...] }`. */
export function parseKeySet(raw: unknown): { keys: SealPublicKey[]; error?: undefined } | { keys?: undefined; error: string } {
  const r = keySetSchema.safeParse(raw);
  return r.success ? { keys: r.data.keys } : { error: `not a seal key set: ${describe(r.error)}` };
}

/** Strict base64 (standard alphabet, padded); null for anything else. */
export function fromBase64(s: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return null;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) out[i] = bin.charCodeAt(i);
  return out;
}
