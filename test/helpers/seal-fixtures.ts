// Hand-made evidence logs and packages for the verifier's tests: entries chained with
// shared/src/seal.ts, checkpoints signed with a throw-away Ed25519 key from node:crypto. No
// server, no database: what the verifier must accept or refuse, built byte by byte.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  GENESIS_HASH,
  PACKAGE_FORMAT,
  checkpointBytes,
  entryBytes,
  sealedFileOf,
  type CheckpointCore,
  type JsonObject,
  type PackageManifest,
  type SealCheckpoint,
  type SealEntry,
  type SealEntryType,
  type SealPublicKey,
} from '@cloudship/shared';

export const sha256hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export interface TestKey {
  privateKey: KeyObject;
  keyId: string;
  published: SealPublicKey;
}

export function makeKey(createdAt = '2026-01-01T00:00:00.000Z'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // The raw key is the last 32 bytes of the SPKI DER.
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const keyId = sha256hex(raw);
  return { privateKey, keyId, published: { keyId, alg: 'Ed25519', publicKey: raw.toString('base64'), createdAt, retiredAt: null } };
}

export function chain(
  inspectionId: string,
  items: Array<{ type: SealEntryType; body: JsonObject }>,
  startAt = Date.UTC(2026, 0, 5, 8),
): SealEntry[] {
  const out: SealEntry[] = [];
  items.forEach((item, i) => {
    const core = {
      v: 1,
      inspectionId,
      seq: i + 1,
      type: item.type,
      at: new Date(startAt + i * 1000).toISOString(),
      prev: out[i - 1]?.hash ?? GENESIS_HASH,
      body: item.body,
    };
    out.push({ ...core, hash: sha256hex(entryBytes(core)) });
  });
  return out;
}

/** Recomputes every hash and prev from `from` on: what someone re-chaining a forged log would do. */
export function rechain(entries: SealEntry[], from = 0): SealEntry[] {
  return entries.reduce<SealEntry[]>((acc, e, i) => {
    if (i < from) return [...acc, e];
    const core = {
      v: e.v,
      inspectionId: e.inspectionId,
      seq: e.seq,
      type: e.type,
      at: e.at,
      prev: acc[i - 1]?.hash ?? GENESIS_HASH,
      body: e.body,
    };
    return [...acc, { ...core, hash: sha256hex(entryBytes(core)) }];
  }, []);
}

export function checkpoint(
  entries: SealEntry[],
  count: number,
  key: TestKey,
  final: boolean,
  at = '2026-01-05T09:00:00.000Z',
): SealCheckpoint {
  const head = entries[count - 1]?.hash ?? GENESIS_HASH;
  const core: CheckpointCore = { v: 1, kind: 'checkpoint', inspectionId: entries[0]?.inspectionId ?? '', count, head, at, final };
  return { ...core, keyId: key.keyId, signature: sign(null, checkpointBytes(core), key.privateKey).toString('base64') };
}

export const fileBody = (bytes: Uint8Array, name: string, extra: JsonObject = {}): JsonObject => ({
  file: { sha256: sha256hex(bytes), sizeBytes: bytes.length, name, contentType: 'application/octet-stream' },
  ...extra,
});

export interface TestPackage {
  manifest: PackageManifest;
  files: Map<string, Uint8Array>;
  key: TestKey;
}

/** A small finished inspection: created, a crew member, two segments, a still, a conclusion, acknowledgement, report. */
export function samplePackage(inspectionId = 'insp-1', key = makeKey()): TestPackage {
  const seg1 = new Uint8Array(Buffer.from('segment one bytes'));
  const seg2 = new Uint8Array(Buffer.from('segment two bytes, a little longer'));
  const still = new Uint8Array(Buffer.from('a jpeg, honestly'));
  const pdf = new Uint8Array(Buffer.from('%PDF-1.7 report'));
  const text = 'Hull plating sound; renew the port anchor light.';
  const entries = chain(inspectionId, [
    {
      type: 'inspection.created',
      body: { particulars: { vesselName: 'Min Hai 7', registrationNumber: 'CN-1', kind: 'annual' }, leadSurveyorId: 'u1' },
    },
    {
      type: 'participant.joined',
      body: { participantId: 'p1', role: 'crew', displayName: 'Li Wei', device: 'phone', consentSha256: sha256hex('consent') },
    },
    {
      type: 'segment',
      body: fileBody(seg1, 'a.webm', {
        recordingId: 'r1',
        track: 'crew-video',
        index: 0,
        startAt: '2026-01-05T08:00:01.000Z',
        endAt: '2026-01-05T08:00:11.000Z',
        durationMs: 10000,
      }),
    },
    {
      type: 'segment',
      body: fileBody(seg2, 'b.webm', {
        recordingId: 'r1',
        track: 'crew-video',
        index: 1,
        startAt: '2026-01-05T08:00:11.000Z',
        endAt: '2026-01-05T08:00:21.000Z',
        durationMs: 10000,
      }),
    },
    { type: 'still', body: fileBody(still, 'still.jpg', { evidenceId: 'ev1', takenBy: 'u1' }) },
    { type: 'conclusion', body: { outcome: 'pass', text, textSha256: sha256hex(text), by: 'u1' } },
    { type: 'acknowledgement', body: { name: 'Li Wei', acknowledgedAt: '2026-01-05T08:10:00.000Z', conclusionSha256: sha256hex(text) } },
    { type: 'inspection.ended', body: { status: 'completed' } },
    {
      type: 'report',
      body: { file: { sha256: sha256hex(pdf), sizeBytes: pdf.length, name: 'report.pdf', contentType: 'application/pdf' } },
    },
  ]);
  const files = new Map<string, Uint8Array>([
    ['segments/crew-video/00000-s1.webm', seg1],
    ['segments/crew-video/00001-s2.webm', seg2],
    ['evidence/ev1-still.jpg', still],
    ['report.pdf', pdf],
  ]);
  const paths = [...files.keys()];
  const manifest: PackageManifest = {
    v: 1,
    format: PACKAGE_FORMAT,
    inspectionId,
    exportedAt: '2026-01-05T09:00:00.000Z',
    entries,
    checkpoints: [checkpoint(entries, 5, key, false, '2026-01-05T08:05:00.000Z'), checkpoint(entries, entries.length, key, true)],
    publicKeys: [key.published],
    files: entries.filter((e) => sealedFileOf(e)).map((e, i) => ({ seq: e.seq, path: paths[i] ?? '' })),
  };
  return { manifest, files, key };
}

/** Writes a package as the server would lay it out (manifest.json first), for the CLI's tests. */
export async function writePackageZip(
  path: string,
  manifest: unknown,
  files: Map<string, Uint8Array>,
  extra: Array<[string, Uint8Array]> = [],
): Promise<void> {
  const { ZipFile } = await import('yazl');
  const { createWriteStream } = await import('node:fs');
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'manifest.json');
  zip.addBuffer(Buffer.from('README'), 'README.txt');
  for (const [name, bytes] of [...files, ...extra]) zip.addBuffer(Buffer.from(bytes), name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    out.once('close', resolve);
    out.once('error', reject);
    zip.outputStream.pipe(out);
  });
}
