// The verifier of an evidence package (seal format v1), shared by the stand-alone Node CLI and the
// replay page. It implements the six rules written in README ("Verifying an evidence package") and
// nothing else; crypto and file access are injected, so that this file runs unchanged under
// node:crypto and WebCrypto and never pulls in a node: module.
//
// An entry is "ok" only when its own hash recomputes, it links to its predecessor, a checkpoint
// whose signature verifies under a trusted key covers it through an unbroken chain, and (for a
// file-bearing entry) the file's size and SHA-256 match. Entries past the last valid checkpoint
// are "not sealed": anyone could have appended them.
import {
  GENESIS_HASH,
  SEAL_VERSION,
  checkpointBytes,
  entryBytes,
  sealedFileOf,
  type SealCheckpoint,
  type SealEntry,
  type SealPublicKey,
} from './seal';
import { fromBase64, parseCheckpoint, parseEntry, parseManifestShell, parseKeySet } from './seal-shape';

export { parseKeySet };

export interface TimestampCheck {
  ok: boolean;
  /** The TSA's genTime (ISO), when the token could be read. */
  genTime?: string;
  /** The TSA certificate's subject, for the printout. */
  signer?: string;
  reason?: string;
}

export interface SealCrypto {
  sha256(bytes: Uint8Array): Promise<string>;
  verifyEd25519(publicKeyRaw: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * RFC 3161: the token's imprint equals `imprintSha256` (the SHA-256 of `data`, the checkpoint core's
   * bytes) and its CMS signature verifies under the certificate the token carries.
   */
  verifyTimestamp?(token: Uint8Array, imprintSha256: string, data: Uint8Array): Promise<TimestampCheck>;
}

/** A package member's size and SHA-256 (the Node side hashes it as a stream), or its bytes. */
export type FileDigest = { sizeBytes: number; sha256: string };
export type FileContent = FileDigest | Uint8Array | null;

export interface VerifyOptions {
  crypto: SealCrypto;
  /** The authority's published keys (`--keys`); without them the package's own keys are used, unpinned. */
  trustedKeys?: SealPublicKey[];
  /** Reads a package member; null when the package has no such member. Without it files are not checked. */
  readFile?(path: string): Promise<FileContent>;
  /** Every member path of the package, to report those the manifest does not list. */
  members?: string[];
  /** A package ends with the export's final checkpoint; a live log (replay page) may not. Default true. */
  requireFinal?: boolean;
}

export type Rule = 1 | 2 | 3 | 4 | 5;

export interface Problem {
  rule: Rule;
  /** `#seq type` when the problem belongs to an entry. */
  entry?: string;
  message: string;
}

export interface EntryVerdict {
  seq: number;
  type: string;
  label: string;
  ok: boolean;
  problems: Problem[];
  /** Index (in manifest.checkpoints) of the checkpoint that seals it. */
  sealedBy?: number;
  file?: { path?: string; checked: boolean };
}

export interface CheckpointVerdict {
  index: number;
  count: number;
  keyId: string;
  final: boolean;
  at: string;
  ok: boolean;
  problems: Problem[];
  timestamp?: TimestampCheck & { checked: boolean };
}

export interface VerifyReport {
  ok: boolean;
  inspectionId?: string;
  /** False when no trusted keys were given: the package vouches for its own key. */
  keysPinned: boolean;
  keyIds: string[];
  entries: EntryVerdict[];
  checkpoints: CheckpointVerdict[];
  /** Problems that belong to no single entry (format, unlisted members, checkpoints). */
  problems: Problem[];
}

const ALWAYS_PRESENT = new Set(['manifest.json', 'README.txt']);

export const labelOf = (e: { seq: unknown; type: unknown }): string => `#${String(e.seq)} ${String(e.type)}`;

export async function verifyPackage(manifestJson: unknown, opts: VerifyOptions): Promise<VerifyReport> {
  const { crypto } = opts;
  const report: VerifyReport = { ok: false, keysPinned: !!opts.trustedKeys, keyIds: [], entries: [], checkpoints: [], problems: [] };

  // Rule 1: the manifest's version and format.
  const shell = parseManifestShell(manifestJson);
  if ('error' in shell) {
    report.problems.push({ rule: 1, message: shell.error });
    return report;
  }
  const manifest = shell.manifest;
  report.inspectionId = manifest.inspectionId;

  // Rule 2: the chain. `intact[i]` = entry i's hash recomputes and it links to entry i-1.
  const entries: Array<SealEntry | null> = [];
  const intact: boolean[] = [];
  const recomputed: string[] = [];
  for (let i = 0; i < manifest.entries.length; i += 1) {
    const raw = manifest.entries[i];
    const parsed = parseEntry(raw);
    const label = labelOf(typeof raw === 'object' && raw ? (raw as SealEntry) : { seq: i + 1, type: '?' });
    const v: EntryVerdict = { seq: i + 1, type: '?', label, ok: false, problems: [] };
    report.entries.push(v);
    const fail = (message: string) => v.problems.push({ rule: 2, entry: label, message });
    if ('error' in parsed) {
      fail(parsed.error);
      entries.push(null);
      intact.push(false);
      recomputed.push('');
      continue;
    }
    const e = parsed.entry;
    v.seq = e.seq;
    v.type = e.type;
    entries.push(e);
    if (e.v !== SEAL_VERSION) fail(`entry version ${e.v}, expected ${SEAL_VERSION}`);
    if (e.seq !== i + 1) fail(`out of place: seq ${e.seq} at position ${i + 1} (seq must run 1..n without gaps)`);
    if (e.inspectionId !== manifest.inspectionId) fail(`belongs to inspection ${e.inspectionId}, not ${manifest.inspectionId}`);
    const expectedPrev = i === 0 ? GENESIS_HASH : (entries[i - 1]?.hash ?? '');
    if (e.prev !== expectedPrev) fail(i === 0 ? 'prev of the first entry is not 64 zeros' : `prev does not equal the hash of entry #${i}`);
    const hash = await crypto.sha256(entryBytes(e));
    recomputed.push(hash);
    if (hash !== e.hash) fail('hash does not recompute: the entry was changed after it was written');
    intact.push(v.problems.length === 0);
  }
  const n = manifest.entries.length;

  // Rule 3 (and 4): checkpoints, each checked on its own, then the entries each one seals.
  const keys = opts.trustedKeys ?? manifest.publicKeys.flatMap((k) => parseKeySet({ v: 1, keys: [k] }).keys ?? []);
  const keyById = new Map<string, Uint8Array>();
  for (const k of keys) {
    const raw = fromBase64(k.publicKey);
    // A key whose id is not the hash of its bytes is a mislabelled key, never trusted.
    if (raw && raw.length === 32 && (await crypto.sha256(raw)) === k.keyId) keyById.set(k.keyId, raw);
    else report.problems.push({ rule: 3, message: `public key ${k.keyId}: keyId is not the SHA-256 of a 32-byte Ed25519 key` });
  }
  report.keyIds = [...keyById.keys()];
  for (let c = 0; c < manifest.checkpoints.length; c += 1) {
    report.checkpoints.push(await checkCheckpoint(manifest.checkpoints[c], c, manifest.inspectionId, n, recomputed, keyById, opts));
  }
  const valid = report.checkpoints.filter((c) => c.ok);
  if (report.checkpoints.length === 0) report.problems.push({ rule: 3, message: 'the package has no checkpoint: nothing is signed' });
  const last = report.checkpoints.at(-1);
  if (last && (opts.requireFinal ?? true) && !last.final)
    report.problems.push({ rule: 3, message: `the last checkpoint (${last.index + 1}) is not final: the log may have been cut short` });
  if (last && last.count !== n)
    report.problems.push({ rule: 3, message: `the last checkpoint covers ${last.count} entries but the log has ${n}` });
  if (last && last.count > n)
    report.problems.push({ rule: 3, message: `entries #${n + 1}..#${last.count} are missing: the log was truncated` });

  // Walk back from each valid checkpoint's head while the chain is intact: those entries are sealed.
  for (const cp of valid) {
    for (let i = cp.count - 1; i >= 0 && intact[i]; i -= 1) {
      const v = report.entries[i];
      if (v && v.sealedBy === undefined) v.sealedBy = cp.index;
    }
  }
  report.entries.forEach((v, i) => {
    if (v.sealedBy !== undefined || v.problems.length > 0) return;
    const covering = valid.find((c) => c.count > i);
    const broken = covering ? intact.findIndex((ok, j) => j > i && j < covering.count && !ok) : -1;
    const message = covering
      ? `not sealed: the chain to checkpoint ${covering.index + 1} is broken at ${report.entries[broken]?.label ?? '?'}`
      : valid.length === 0 || v.seq > Math.max(...valid.map((c) => c.count))
        ? 'not sealed: no valid checkpoint covers this entry'
        : 'not sealed';
    v.problems.push({ rule: 3, entry: v.label, message });
  });

  // Rule 5: files.
  await checkFiles(manifest.files, entries, report, opts);

  for (const v of report.entries) v.ok = v.problems.length === 0;
  report.ok = report.problems.length === 0 && report.entries.every((v) => v.ok) && report.checkpoints.every((c) => c.ok) && n > 0;
  if (n === 0) report.problems.push({ rule: 2, message: 'the log has no entries' });
  return report;
}

async function checkCheckpoint(
  raw: unknown,
  index: number,
  inspectionId: string,
  n: number,
  recomputed: string[],
  keyById: Map<string, Uint8Array>,
  opts: VerifyOptions,
): Promise<CheckpointVerdict> {
  const parsed = parseCheckpoint(raw);
  const name = `checkpoint ${index + 1}`;
  if ('error' in parsed)
    return { index, count: 0, keyId: '', final: false, at: '', ok: false, problems: [{ rule: 3, message: `${name}: ${parsed.error}` }] };
  const cp: SealCheckpoint = parsed.checkpoint;
  const v: CheckpointVerdict = { index, count: cp.count, keyId: cp.keyId, final: cp.final, at: cp.at, ok: false, problems: [] };
  const fail = (rule: Rule, message: string) => v.problems.push({ rule, message: `${name} (#${cp.count}): ${message}` });
  if (cp.v !== SEAL_VERSION) fail(3, `version ${cp.v}, expected ${SEAL_VERSION}`);
  if (cp.inspectionId !== inspectionId) fail(3, `signed for inspection ${cp.inspectionId}`);
  if (cp.count < 1 || cp.count > n) fail(3, `covers ${cp.count} entries but the log has ${n}`);
  else if (recomputed[cp.count - 1] !== cp.head) fail(3, `head does not equal the hash of entry #${cp.count}`);
  const bytes = checkpointBytes(cp);
  const key = keyById.get(cp.keyId);
  const sig = fromBase64(cp.signature);
  if (!key) fail(3, `signed with key ${cp.keyId}, which is not among the trusted keys`);
  else if (!sig || !(await opts.crypto.verifyEd25519(key, bytes, sig))) fail(3, 'the signature does not verify');

  // Rule 4: the timestamp token, when there is one.
  if (cp.timestamp) {
    const token = fromBase64(cp.timestamp.token);
    if (!opts.crypto.verifyTimestamp) {
      v.timestamp = { ok: true, checked: false, reason: 'timestamp tokens are not checked here' };
    } else if (!token) {
      v.timestamp = { ok: false, checked: true, reason: 'the token is not base64' };
    } else {
      const imprint = await opts.crypto.sha256(bytes);
      const t = await opts.crypto
        .verifyTimestamp(token, imprint, bytes)
        .catch((err: unknown): TimestampCheck => ({ ok: false, reason: err instanceof Error ? err.message : String(err) }));
      v.timestamp = { ...t, checked: true };
    }
    if (!v.timestamp.ok) fail(4, `timestamp token: ${v.timestamp.reason ?? 'does not verify'}`);
  }
  v.ok = v.problems.length === 0;
  return v;
}

async function checkFiles(files: unknown[], entries: Array<SealEntry | null>, report: VerifyReport, opts: VerifyOptions): Promise<void> {
  const bySeq = new Map<number, string[]>();
  const listed = new Set<string>();
  for (const f of files) {
    const ok =
      typeof f === 'object' &&
      f !== null &&
      Number.isInteger((f as { seq: unknown }).seq) &&
      typeof (f as { path: unknown }).path === 'string';
    if (!ok) {
      report.problems.push({ rule: 5, message: `files[] has a malformed item: ${JSON.stringify(f)}` });
      continue;
    }
    const { seq, path } = f as { seq: number; path: string };
    if (listed.has(path)) report.problems.push({ rule: 5, message: `${path} is listed twice in files[]` });
    listed.add(path);
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), path]);
  }
  for (const [seq, paths] of bySeq) {
    const e = entries[seq - 1];
    if (!e || e.seq !== seq || !sealedFileOf(e))
      report.problems.push({ rule: 5, message: `files[] lists ${paths.join(', ')} for #${seq}, which is not a file-bearing entry` });
  }
  for (let i = 0; i < entries.length; i += 1) {
    const e = entries[i];
    const sealed = e && sealedFileOf(e);
    if (!e || !sealed) continue;
    const v = report.entries[i];
    if (!v) continue;
    const fail = (message: string) => v.problems.push({ rule: 5, entry: v.label, message });
    const paths = bySeq.get(e.seq) ?? [];
    v.file = { path: paths[0], checked: false };
    if (paths.length !== 1) {
      fail(paths.length === 0 ? 'no files[] path for this entry' : `${paths.length} files[] paths for this entry`);
      continue;
    }
    const path = paths[0];
    if (!opts.readFile || path === undefined) continue;
    let content: FileContent;
    try {
      content = await opts.readFile(path);
    } catch (err) {
      fail(`${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    v.file.checked = true;
    if (content === null) {
      fail(`${path} is missing from the package`);
      continue;
    }
    const digest = content instanceof Uint8Array ? { sizeBytes: content.length, sha256: await opts.crypto.sha256(content) } : content;
    if (digest.sizeBytes !== sealed.sizeBytes) fail(`${path}: ${digest.sizeBytes} bytes, the log says ${sealed.sizeBytes}`);
    else if (digest.sha256 !== sealed.sha256) fail(`${path}: SHA-256 ${digest.sha256} differs from the log's ${sealed.sha256}`);
  }
  const seen = new Set<string>();
  for (const m of opts.members ?? []) {
    // Two members of one name: which one a reader opens depends on their tool.
    if (seen.has(m)) report.problems.push({ rule: 5, message: `${m} is in the package more than once` });
    seen.add(m);
    if (m.endsWith('/') || ALWAYS_PRESENT.has(m) || listed.has(m)) continue;
    report.problems.push({ rule: 5, message: `${m} is in the package but not listed in the manifest` });
  }
}

/** SealCrypto over WebCrypto (browsers, and Node's globalThis.crypto); no timestamp check. */
export function webSealCrypto(subtle: SubtleCrypto): SealCrypto {
  const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  // A copy, never `.buffer` itself: a view (a Node Buffer, a subarray) shares a larger buffer.
  const ab = (u: Uint8Array) => new Uint8Array(u).buffer;
  return {
    sha256: async (bytes) => hex(await subtle.digest('SHA-256', ab(bytes))),
    verifyEd25519: async (raw, message, signature) => {
      const key = await subtle.importKey('raw', ab(raw), { name: 'Ed25519' }, false, ['verify']);
      return subtle.verify({ name: 'Ed25519' }, key, ab(signature), ab(message));
    },
  };
}
