// `npm run verify -- --inspection <id>`: the evidence log against what the database and the store
// hold now. The log is append-only and sealed; the rows beside it are not. A row edited by hand
// after the fact (a segment's SHA-256, a verdict, the conclusion, the acknowledging name) or an
// object changed in the store no longer matches the newest entry about it, and is reported with
// that entry's number. The log itself is checked first, with the same verifier as a package.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { In, type DataSource } from 'typeorm';
import {
  labelOf,
  verifyPackage,
  PACKAGE_FORMAT,
  SEAL_VERSION,
  sealedFileOf,
  webSealCrypto,
  type SealEntry,
  type SealPublicKey,
  bodyText,
} from '@cloudship/shared';
import { ChecklistItemEntity, EvidenceEntity, InspectionRecordEntity } from '../inspection-record/entities';
import { SegmentEntity } from '../recording/entities';
import { hashStream } from '../seal/node-seal-crypto';
import type { Sealer } from '../seal/sealer';

export interface LiveFinding {
  ok: boolean;
  /** `#seq type`, or the table when no entry is concerned. */
  label: string;
  message: string;
}

export interface LiveCheckDeps {
  db: DataSource;
  sealer: Pick<Sealer, 'manifestParts'>;
  /** Reads an object from the store, whole range. */
  readObject(key: string, sizeBytes: number): Promise<Readable | Buffer>;
  trustedKeys?: SealPublicKey[];
}

/** Size and SHA-256 of what the store returned: hashed as it streams (seal/node-seal-crypto.ts). */
const digest = (body: Readable | Buffer): Promise<{ sha256: string; sizeBytes: number }> =>
  Buffer.isBuffer(body)
    ? Promise.resolve({ sha256: createHash('sha256').update(body).digest('hex'), sizeBytes: body.length })
    : hashStream(body);

/** Every finding, ok ones included; the check passes when none is `ok: false`. */
export async function checkLive(deps: LiveCheckDeps, inspectionId: string): Promise<LiveFinding[]> {
  const out: LiveFinding[] = [];
  const parts = await deps.sealer.manifestParts(inspectionId);
  if (parts.entries.length === 0) return [{ ok: false, label: inspectionId, message: 'no evidence log for this inspection' }];
  const report = await verifyPackage(
    { v: SEAL_VERSION, format: PACKAGE_FORMAT, inspectionId, exportedAt: new Date().toISOString(), files: [], ...parts },
    { crypto: webSealCrypto(globalThis.crypto.subtle), trustedKeys: deps.trustedKeys ?? parts.publicKeys, requireFinal: false },
  );
  // Files are checked below, against the rows and the store; "not sealed yet" is said, not failed.
  for (const e of report.entries) {
    const problems = e.problems.filter((p) => p.rule !== 5);
    const unsealedOnly = problems.every((p) => p.rule === 3 && p.message.startsWith('not sealed: no valid checkpoint'));
    if (problems.length === 0) continue;
    out.push({
      ok: unsealedOnly,
      label: e.label,
      message: unsealedOnly
        ? 'not sealed yet (the next checkpoint covers it)'
        : problems.map((p) => `rule ${p.rule}: ${p.message}`).join('; '),
    });
  }
  for (const c of report.checkpoints)
    if (!c.ok) out.push({ ok: false, label: `checkpoint ${c.index + 1}`, message: c.problems.map((p) => p.message).join('; ') });
  out.push({
    ok: report.checkpoints.every((c) => c.ok),
    label: 'log',
    message: `${parts.entries.length} entries, ${parts.checkpoints.length} checkpoints`,
  });

  const segIds = parts.entries.filter((e) => e.type === 'segment').map((e) => bodyText(e.body.segmentId));
  const segments = new Map(
    segIds.length ? (await deps.db.getRepository(SegmentEntity).findBy({ id: In(segIds) })).map((s) => [s.id, s]) : [],
  );
  const evidence = new Map((await deps.db.getRepository(EvidenceEntity).findBy({ inspectionId })).map((e) => [e.id, e]));
  for (const e of parts.entries) {
    const file = sealedFileOf(e);
    if (!file || e.type === 'report') continue;
    const label = labelOf(e);
    const row = e.type === 'segment' ? segments.get(bodyText(e.body.segmentId)) : evidence.get(bodyText(e.body.evidenceId));
    const key = row && ('objectKey' in row ? row.objectKey : row.storageKey);
    if (!row || !key) {
      out.push({ ok: false, label, message: 'its row is gone from the database' });
      continue;
    }
    if (row.sha256 !== file.sha256 || row.sizeBytes !== file.sizeBytes) {
      out.push({
        ok: false,
        label,
        message: `the database says ${row.sizeBytes ?? '?'} bytes, SHA-256 ${row.sha256 ?? '?'}; the log says ${file.sizeBytes} bytes, ${file.sha256}`,
      });
      continue;
    }
    const stored = await deps.readObject(key, file.sizeBytes).then(digest, (err: unknown) => err as Error);
    if (stored instanceof Error) out.push({ ok: false, label, message: `${key} cannot be read from the store: ${stored.message}` });
    else if (stored.sha256 !== file.sha256 || stored.sizeBytes !== file.sizeBytes)
      out.push({
        ok: false,
        label,
        message: `the store's ${key} is ${stored.sizeBytes} bytes, SHA-256 ${stored.sha256}; the log says ${file.sha256}`,
      });
    else out.push({ ok: true, label, message: `${key} matches` });
  }

  // The newest entry about each verdict, the conclusion and the acknowledgement against the rows.
  const newest = new Map<string, SealEntry>();
  for (const e of parts.entries) {
    if (e.type === 'checklist.verdict') newest.set(`item:${bodyText(e.body.itemId)}`, e);
    if (e.type === 'conclusion' || e.type === 'acknowledgement') newest.set(e.type, e);
  }
  const items = await deps.db.getRepository(ChecklistItemEntity).findBy({ inspectionId });
  for (const item of items) {
    const e = newest.get(`item:${item.id}`);
    const row = { result: item.result, note: item.note, deficiencyDeadline: item.deficiencyDeadline };
    if (!e) {
      if (item.result !== null || item.note !== '')
        out.push({
          ok: false,
          label: `checklist ${item.code}`,
          message: `the database has a verdict (${item.result ?? 'unset'}) the log never recorded`,
        });
      continue;
    }
    const sealed = { result: e.body.result ?? null, note: e.body.note ?? '', deficiencyDeadline: e.body.deficiencyDeadline ?? null };
    const same = JSON.stringify(sealed) === JSON.stringify(row);
    out.push({
      ok: same,
      label: labelOf(e),
      message: same
        ? `checklist ${item.code} matches`
        : `checklist ${item.code}: the database says ${JSON.stringify(row)}, the log says ${JSON.stringify(sealed)}`,
    });
  }
  const record = await deps.db.getRepository(InspectionRecordEntity).findOneBy({ inspectionId });
  const conclusion = newest.get('conclusion');
  if (record && conclusion) {
    const same = record.outcome === conclusion.body.outcome && record.remarks === conclusion.body.remarks;
    out.push({
      ok: same,
      label: labelOf(conclusion),
      message: same
        ? 'the conclusion matches'
        : `the conclusion in the database (${record.outcome ?? 'none'}: "${record.remarks}") is not the sealed one`,
    });
  }
  const ack = newest.get('acknowledgement');
  if (record && ack) {
    const same = record.acknowledgedName === ack.body.name;
    out.push({
      ok: same,
      label: labelOf(ack),
      message: same
        ? 'the acknowledgement matches'
        : `the acknowledging name in the database ("${record.acknowledgedName ?? ''}") is not the sealed one`,
    });
  }
  return out;
}
