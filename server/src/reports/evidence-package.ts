// The evidence package of one inspection (seal format v1): the report PDF rendered and sealed with
// a `report` entry and a final checkpoint, then a ZIP streamed with manifest.json, README.txt,
// report.pdf, every segment and every evidence file. Members are opened one at a time as yazl
// reaches them (addReadStreamLazy): a 60-minute inspection's hundreds of segments stream from the
// object store through the response with a few chunks in memory, never a whole file list at once.
//
// Each export seals a new PDF. Earlier exports' PDFs are kept in the object store (by SHA-256), so
// that their `report` entries, which stay in the log, still have their bytes in a later package.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { In, type DataSource, type Repository } from 'typeorm';
import { ZipFile } from 'yazl';
import {
  AppError,
  PACKAGE_FORMAT,
  SEAL_VERSION,
  sealedFileOf,
  type PackageManifest,
  type SealCheckpoint,
  type SealEntry,
  type SealPublicKey,
  type SealedFile,
  bodyText,
} from '@cloudship/shared';
import { SegmentEntity, type Segment } from '../recording/entities';
import type { EvidenceService } from '../inspection-record/evidence-service';
import type { ObjectStore } from '../storage/object-store';
import { Logger } from '../logging/logger';
import { packageReadme } from './package-readme';

const logger = new Logger('evidence-package');

/** What the package needs of the seal service (server/src/seal): append, sign, read the log. */
export interface PackageSeal {
  /** Appends the `report` entry (its own transaction, serialised with every other append). */
  appendReport(inspectionId: string, file: SealedFile): Promise<SealEntry>;
  /** Signs the head (final: true), with a TSA token when TSA_URL is set. */
  checkpoint(inspectionId: string, opts: { final: boolean }): Promise<SealCheckpoint>;
  manifestParts(inspectionId: string): Promise<{ entries: SealEntry[]; checkpoints: SealCheckpoint[]; publicKeys: SealPublicKey[] }>;
}

export interface EvidencePackageDeps {
  db: DataSource;
  seal: PackageSeal;
  store: Pick<ObjectStore, 'getRange' | 'putFile' | 'head'>;
  evidence: Pick<EvidenceService, 'file'>;
}

interface Member {
  path: string;
  sizeBytes: number;
  open(): Promise<Readable | Buffer>;
}

export interface PreparedPackage {
  manifest: PackageManifest;
  members: Member[];
}

const safeName = (s: string) =>
  s
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80) || 'file';
const reportKey = (inspectionId: string, sha256: string) => `evidence/${inspectionId}/report-${sha256}.pdf`;

export class EvidencePackager {
  private readonly segments: Repository<Segment>;

  constructor(private readonly deps: EvidencePackageDeps) {
    this.segments = deps.db.getRepository(SegmentEntity);
  }

  /** Seals a fresh report and lays out the package; nothing is sent yet, so errors are clean answers. */
  async prepare(inspectionId: string, renderPdf: (inspectionId: string) => Promise<Buffer>): Promise<PreparedPackage> {
    // Every segment must be in the store before anything is appended: a package is whole or not made.
    const segments = await this.segmentsOf((await this.deps.seal.manifestParts(inspectionId)).entries);
    const pdf = await renderPdf(inspectionId);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    await this.keepPdf(inspectionId, pdf, sha256);
    await this.deps.seal.appendReport(inspectionId, { sha256, sizeBytes: pdf.length, name: 'report.pdf', contentType: 'application/pdf' });
    const ours = await this.deps.seal.checkpoint(inspectionId, { final: true });
    const parts = await this.deps.seal.manifestParts(inspectionId);
    for (const [k, v] of await this.segmentsOf(parts.entries.slice(0, ours.count))) segments.set(k, v);
    // Appends after our checkpoint (a live inspection goes on) belong to the next package.
    const at = parts.checkpoints.findIndex((c) => c.signature === ours.signature);
    const checkpoints = at >= 0 ? parts.checkpoints.slice(0, at + 1) : [...parts.checkpoints, ours];
    const entries = parts.entries.slice(0, ours.count);

    const members: Member[] = [];
    const files: PackageManifest['files'] = [];
    const latestReport = [...entries].reverse().find((e) => e.type === 'report');
    for (const e of entries) {
      const file = sealedFileOf(e);
      if (!file) continue;
      const member = this.locate(inspectionId, e, file, segments, e === latestReport ? pdf : null);
      files.push({ seq: e.seq, path: member.path });
      members.push(member);
    }
    const manifest: PackageManifest = {
      v: SEAL_VERSION,
      format: PACKAGE_FORMAT,
      inspectionId,
      exportedAt: new Date().toISOString(),
      entries,
      checkpoints,
      publicKeys: parts.publicKeys,
      files,
    };
    logger.info('prepare() | package sealed', { inspectionId, entries: entries.length, files: files.length, count: ours.count });
    return { manifest, members };
  }

  /** Streams the ZIP into `out`; resolves when the last byte is handed over. */
  async write(prepared: PreparedPackage, out: Writable): Promise<void> {
    const zip = new ZipFile();
    const { manifest } = prepared;
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 1)), 'manifest.json');
    zip.addBuffer(Buffer.from(packageReadme(manifest)), 'README.txt');
    for (const m of prepared.members) {
      // Video, stills and PDFs are compressed already: stored as they are, which is also faster.
      zip.addReadStreamLazy(m.path, { compress: false, size: m.sizeBytes }, (cb) => {
        m.open().then(
          (s) => cb(null, Buffer.isBuffer(s) ? bufferStream(s) : s),
          (err: unknown) => cb(err as Error, undefined as unknown as Readable),
        );
      });
    }
    zip.end();
    await pipeline(zip.outputStream, out);
  }

  private async keepPdf(inspectionId: string, pdf: Buffer, sha256: string): Promise<void> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cloudship-report-'));
    try {
      const file = path.join(dir, 'report.pdf');
      await fs.promises.writeFile(file, pdf);
      const md5 = createHash('md5').update(pdf).digest('hex');
      await this.deps.store.putFile(
        reportKey(inspectionId, sha256),
        file,
        { size: pdf.length, sha256, md5, multipartEtag: null },
        'application/pdf',
      );
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  private locate(inspectionId: string, e: SealEntry, file: SealedFile, segments: Map<string, Segment>, latestPdf: Buffer | null): Member {
    const sizeBytes = file.sizeBytes;
    if (e.type === 'report') {
      if (latestPdf) return { path: 'report.pdf', sizeBytes, open: () => Promise.resolve(latestPdf) };
      const key = reportKey(inspectionId, file.sha256);
      return { path: `reports/${String(e.seq).padStart(5, '0')}-report.pdf`, sizeBytes, open: () => this.range(key, sizeBytes) };
    }
    if (e.type === 'segment') {
      const seg = segments.get(segmentRef(e));
      if (!seg) throw new AppError('CONFLICT', `The segment of log entry #${e.seq} is not in the database.`);
      const ext = path.extname(seg.objectKey) || '.webm';
      const track = safeName(bodyText(e.body.track) || seg.trackKey);
      return {
        path: `segments/${track}/${String(seg.index).padStart(5, '0')}-${seg.id}${ext}`,
        sizeBytes,
        open: () => this.range(seg.objectKey, sizeBytes),
      };
    }
    const evidenceId = bodyText(e.body.evidenceId);
    return {
      path: `evidence/${safeName(evidenceId)}-${safeName(file.name)}`,
      sizeBytes,
      // Stills and documents are bounded in size (MAX_EVIDENCE_BYTES); the evidence store reads them whole.
      open: async () => (await this.deps.evidence.file(inspectionId, evidenceId)).bytes,
    };
  }

  /** The segment rows of the log's segment entries, by segmentRef; refused while any is not in the store yet. */
  private async segmentsOf(entries: SealEntry[]): Promise<Map<string, Segment>> {
    const recordingIds = [...new Set(entries.filter((e) => e.type === 'segment').map((e) => bodyText(e.body.recordingId)))];
    const out = new Map<string, Segment>();
    if (recordingIds.length === 0) return out;
    for (const seg of await this.segments.find({ where: { recordingId: In(recordingIds) } })) {
      out.set(`${seg.recordingId}/${seg.trackKey}/${seg.index}`, seg);
      out.set(seg.id, seg);
    }
    for (const e of entries) {
      if (e.type !== 'segment') continue;
      const seg = out.get(segmentRef(e));
      if (seg && seg.uploadState !== 'uploaded')
        throw new AppError('CONFLICT', 'Some segments are still being uploaded to the store; export the package once they are.');
    }
    return out;
  }

  private range(key: string, size: number): Promise<Readable | Buffer> {
    return size === 0 ? Promise.resolve(Buffer.alloc(0)) : this.deps.store.getRange(key, 0, size - 1);
  }
}

const bufferStream = (b: Buffer): Readable => Readable.from([b]);

/** A segment entry names its segment by id when the log has it, else by recording, track and index. */
function segmentRef(e: SealEntry): string {
  const b = e.body as { segmentId?: unknown; recordingId?: unknown; track?: unknown; index?: unknown };
  return typeof b.segmentId === 'string' ? b.segmentId : `${String(b.recordingId)}/${String(b.track)}/${Number(b.index)}`;
}
