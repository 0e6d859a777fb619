// Evidence: HD stills the crew phone takes when the surveyor presses "capture", documents (a photo
// or PDF from the phone's gallery or files, sent in the chat), and bookmarks of a moment by the
// surveyor. Stills are sniffed by their magic bytes (the Content-Type header is the
// client's claim, not a fact), hashed with SHA-256, written to the EvidenceStore under a key the
// server generates, and announced to the staff in the room within the same request. With the
// object store, the still is staged and its row starts 'pending' for the upload queue.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import {
  AppError,
  DEFAULT_MAX_DOCUMENT_BYTES,
  isClosed,
  type AnnotationLayer,
  type BookmarkRequest,
  type EvidenceView,
  MAX_EVIDENCE_BYTES,
} from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import type { Account } from '../auth/entities';
import { EvidenceEntity, type Evidence } from './entities';
import type { PeerIdentity } from '../session/peer';
import type { ChecklistService } from './checklist-service';
import { evidenceKey, type EvidenceStore } from './evidence-store';
import type { CrewCredential } from '../inspection/inspection-service';
import type { RecordNotifier } from './record-notifier';
import type { RecordService } from './record-service';

const logger = new Logger('evidence');

/** A capture request is honoured for this long (the phone may be slow, but not forever). */
const CAPTURE_TTL_MS = 5 * 60_000;
/**
 * Per inspection, at most this many stills and bytes from the crew (EVIDENCE_QUOTA_*; by default
 * 300 and 1 GiB): far above a real inspection (a periodic one takes 20-60 stills of 1-4 MB), low
 * enough that a leaked link cannot fill the disk or the store.
 */
export interface EvidenceQuota {
  stills: number;
  bytes: number;
}

type ImageKind = { contentType: 'image/jpeg' | 'image/png' | 'image/webp'; extension: 'jpg' | 'png' | 'webp' };
type FileKind = ImageKind | { contentType: 'application/pdf'; extension: 'pdf' };

/** Recognises JPEG, PNG and WebP by their first bytes; anything else is not an accepted image. */
export function sniffImage(bytes: Buffer): ImageKind | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return { contentType: 'image/jpeg', extension: 'jpg' };
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { contentType: 'image/png', extension: 'png' };
  }
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return { contentType: 'image/webp', extension: 'webp' };
  }
  return null;
}

/** A document: a JPEG or PNG photo, or a PDF (`%PDF-`); anything else, whatever its name, is refused. */
export function sniffDocument(bytes: Buffer): FileKind | null {
  if (bytes.length >= 5 && bytes.toString('latin1', 0, 5) === '%PDF-') return { contentType: 'application/pdf', extension: 'pdf' };
  const image = sniffImage(bytes);
  return image && image.contentType !== 'image/webp' ? image : null;
}

const EXTENSIONS: Record<FileKind['contentType'], FileKind['extension']> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/**
 * How a stored still is served: its type as sniffed at upload (never the uploader's header) and
 * the matching file extension; anything else, which the upload never stores, as opaque bytes.
 */
export function servedAs(contentType: string): { contentType: string; extension: string } {
  const extension = (EXTENSIONS as Record<string, string>)[contentType];
  return extension ? { contentType, extension } : { contentType: 'application/octet-stream', extension: 'bin' };
}

interface PendingCapture {
  inspectionId: string;
  checklistItemId: string | null;
  expiresAt: number;
}

export interface DocumentMeta {
  /** The surveyor's document request it answers (a chat message id), if any. */
  requestId?: string;
  /** The file's name on the phone: kept as the evidence note, never as a storage key. */
  name?: string;
}

export interface UploadMeta {
  requestId?: string;
  initiative?: 'crew';
  lat?: number;
  lon?: number;
  accuracy?: number;
  capturedAt?: string;
}

export class EvidenceService {
  private readonly evidence: Repository<Evidence>;
  private readonly pending = new Map<string, PendingCapture>();

  constructor(
    private readonly db: DataSource,
    private readonly store: EvidenceStore,
    private readonly records: RecordService,
    private readonly checklist: ChecklistService,
    private readonly notifier: RecordNotifier,
    private readonly log: EvidenceLog,
    private readonly quota: EvidenceQuota = { stills: 300, bytes: 1024 * 1024 * 1024 },
    /** The largest document the crew may send (DOCUMENT_MAX_MB). */
    readonly maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES,
  ) {
    this.evidence = db.getRepository(EvidenceEntity);
  }

  /** Surveyor pressed "capture": ask the crew phone(s) in the live room for a still. */
  async requestCapture(
    inspectionId: string,
    by: PeerIdentity,
    checklistItemId: string | null,
  ): Promise<{ requestId: string; crewCount: number }> {
    const { inspection } = await this.records.editable(inspectionId);
    if (isClosed(inspection.status)) throw new AppError('INSPECTION_ENDED', 'This inspection has ended: nothing can be captured any more.');
    if (checklistItemId) await this.checklist.item(inspectionId, checklistItemId);
    const requestId = crypto.randomUUID();
    const now = Date.now();
    for (const [id, p] of this.pending) if (p.expiresAt < now) this.pending.delete(id);
    this.pending.set(requestId, { inspectionId, checklistItemId, expiresAt: now + CAPTURE_TTL_MS });
    const crewCount = this.notifier.notify(inspectionId, 'crew', 'evidence.captureRequested', { requestId, checklistItemId });
    if (crewCount === 0) {
      this.pending.delete(requestId);
      throw new AppError('INVALID_STATE', 'No crew phone is connected to take the picture.');
    }
    logger.info('requestCapture() | asked the crew for a still', { inspectionId, requestId, crewCount, by: by.key });
    return { requestId, crewCount };
  }

  private async assertQuota(inspectionId: string, adding: number): Promise<void> {
    const used = await this.evidence
      .createQueryBuilder('e')
      .select('COUNT(*)', 'n')
      .addSelect('SUM(e.sizeBytes)', 'bytes')
      .where('e.inspectionId = :inspectionId', { inspectionId })
      .andWhere('e.type IN (:...types)', { types: ['photo', 'document'] })
      .getRawOne<{ n: number | string; bytes: number | string | null }>();
    const n = Number(used?.n ?? 0);
    const total = Number(used?.bytes ?? 0);
    if (n + 1 > this.quota.stills || total + adding > this.quota.bytes) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `This inspection already holds ${n} stills (${Math.round(total / 1024 / 1024)} MB); the limit is ${this.quota.stills} stills and ${this.quota.bytes / 1024 / 1024} MB.`,
      );
    }
  }

  /** The crew phone uploads a still (already authenticated by its link token). */
  async upload(cred: CrewCredential, bytes: Buffer, meta: UploadMeta): Promise<EvidenceView> {
    const { inspection } = cred;
    if (isClosed(inspection.status)) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
    const { record } = await this.records.get(inspection.id);
    this.records.assertEditable(record);
    const kind = this.acceptImage(bytes);

    // A still answers a capture request of the surveyor, or is one the crew chose to send. The
    // checklist item comes from the surveyor's request, never from the phone's say-so alone.
    let checklistItemId: string | null = null;
    const request = meta.requestId ? this.pending.get(meta.requestId) : undefined;
    const requested = request !== undefined && request.inspectionId === inspection.id && request.expiresAt >= Date.now();
    if (requested) checklistItemId = request.checklistItemId;
    else if (meta.initiative !== 'crew') {
      throw new AppError('INVALID_STATE', 'No picture was asked for: wait for the surveyor to ask, or send it as your own photo.');
    }
    await this.assertQuota(inspection.id, bytes.length);
    const view = await this.storePhoto(inspection.id, bytes, kind, {
      checklistItemId,
      capturedAt: meta.capturedAt ? new Date(meta.capturedAt) : new Date(),
      lat: meta.lat ?? null,
      lon: meta.lon ?? null,
      accuracy: meta.accuracy ?? null,
      authorRole: 'crew',
      authorId: cred.link.id,
      authorName: 'crew',
      requestId: meta.requestId?.slice(0, 36) ?? null,
    });
    // One still per request: a second upload for it needs a new request (or the crew's initiative).
    if (requested && meta.requestId) this.pending.delete(meta.requestId);
    return view;
  }

  /**
   * The crew sends a document (a photo or PDF from the phone's gallery or files), asked for or on
   * its own: JPEG, PNG or PDF by its magic bytes, at most `maxDocumentBytes`, hashed and stored
   * like a still. The chat announces it (chat/ calls this).
   */
  async uploadDocument(cred: CrewCredential, bytes: Buffer, meta: DocumentMeta): Promise<EvidenceView> {
    const { inspection } = cred;
    if (isClosed(inspection.status)) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
    const { record } = await this.records.get(inspection.id);
    this.records.assertEditable(record);
    if (bytes.length === 0) throw new AppError('BAD_REQUEST', 'The file is empty.');
    if (bytes.length > this.maxDocumentBytes) throw documentTooLarge(this.maxDocumentBytes);
    const kind = sniffDocument(bytes);
    if (!kind) throw notADocument();
    await this.assertQuota(inspection.id, bytes.length);
    return this.storeFile(inspection.id, bytes, kind, 'document', {
      checklistItemId: null,
      capturedAt: new Date(),
      authorRole: 'crew',
      authorId: cred.link.id,
      authorName: 'crew',
      requestId: meta.requestId?.slice(0, 36) ?? null,
      note: meta.name ?? '',
    });
  }

  /**
   * The surveyor froze the live picture: the frame, as the browser grabbed it from the crew video,
   * becomes a photo of the record (the original an annotation is drawn on).
   */
  async uploadFrame(inspectionId: string, bytes: Buffer, checklistItemId: string | null, by: Account): Promise<EvidenceView> {
    const { inspection } = await this.records.editable(inspectionId);
    if (isClosed(inspection.status)) throw new AppError('INSPECTION_ENDED', 'This inspection has ended.');
    if (checklistItemId) await this.checklist.item(inspectionId, checklistItemId);
    const kind = this.acceptImage(bytes);
    await this.assertQuota(inspectionId, bytes.length);
    return this.storePhoto(inspectionId, bytes, kind, {
      checklistItemId,
      capturedAt: new Date(),
      authorRole: by.role,
      authorId: by.id,
      authorName: by.displayName,
    });
  }

  /**
   * An annotated still: `flattened` (the picture with the drawing burnt in, JPEG, for the report)
   * becomes a new photo that names its original and carries the drawing as its vector layer. The
   * original photo is not touched (same bytes, same SHA-256); both end up on the checklist item.
   */
  async annotate(
    inspectionId: string,
    originalId: string,
    req: { layer: AnnotationLayer; flattened: Buffer; checklistItemId: string | null },
    by: Account,
  ): Promise<EvidenceView> {
    await this.records.editable(inspectionId);
    const original = await this.photo(inspectionId, originalId);
    if (original.annotationOf) throw new AppError('BAD_REQUEST', 'Draw on the original still, not on an annotated copy.');
    const checklistItemId = req.checklistItemId ?? original.checklistItemId;
    if (checklistItemId) await this.checklist.item(inspectionId, checklistItemId);
    const kind = this.acceptImage(req.flattened);
    if (kind.contentType !== 'image/jpeg') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The flattened picture must be a JPEG.');
    await this.assertQuota(inspectionId, req.flattened.length);
    if (checklistItemId && !original.checklistItemId) {
      await this.evidence.update({ id: original.id }, { checklistItemId });
    }
    return this.storePhoto(inspectionId, req.flattened, kind, {
      checklistItemId,
      capturedAt: new Date(),
      authorRole: by.role,
      authorId: by.id,
      authorName: by.displayName,
      annotationOf: original.id,
      annotation: JSON.stringify(req.layer),
    });
  }

  /** A photo of this inspection (the crew may fetch it while the surveyor shows it frozen). */
  async photo(inspectionId: string, evidenceId: string): Promise<Evidence> {
    const row = await this.get(inspectionId, evidenceId);
    if (row.type !== 'photo' || !row.storageKey) throw new AppError('BAD_REQUEST', 'This evidence is not a photo.');
    return row;
  }

  private acceptImage(bytes: Buffer): ImageKind {
    if (bytes.length === 0) throw new AppError('BAD_REQUEST', 'The upload is empty.');
    if (bytes.length > MAX_EVIDENCE_BYTES) throw tooLarge();
    const kind = sniffImage(bytes);
    if (!kind) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Only JPEG, PNG or WebP images are accepted as evidence.');
    return kind;
  }

  private storePhoto(
    inspectionId: string,
    bytes: Buffer,
    kind: ImageKind,
    fields: Parameters<EvidenceService['storeFile']>[4],
  ): Promise<EvidenceView> {
    return this.storeFile(inspectionId, bytes, kind, 'photo', fields);
  }

  /** Hashes and stores a still's or document's bytes, saves its row, and tells the staff in the room. */
  private async storeFile(
    inspectionId: string,
    bytes: Buffer,
    kind: FileKind,
    type: 'photo' | 'document',
    fields: Pick<Evidence, 'checklistItemId' | 'capturedAt' | 'authorRole' | 'authorId' | 'authorName'> &
      Partial<Pick<Evidence, 'lat' | 'lon' | 'accuracy' | 'requestId' | 'annotationOf' | 'annotation' | 'note'>>,
  ): Promise<EvidenceView> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const storageKey = evidenceKey(inspectionId, kind.extension);
    const { queued } = await this.store.put(storageKey, bytes, kind.contentType);
    const row = await this.db.transaction(async (m) => {
      const saved = await m.save(EvidenceEntity, {
        lat: null,
        lon: null,
        accuracy: null,
        requestId: null,
        annotationOf: null,
        annotation: null,
        note: '',
        ...fields,
        id: crypto.randomUUID(),
        inspectionId,
        type,
        storageKey,
        contentType: kind.contentType,
        sizeBytes: bytes.length,
        sha256,
        // Staged under DATA_DIR at its key until the upload queue has the store confirm it.
        uploadState: queued ? ('pending' as const) : null,
        attempts: 0,
        lastError: null,
        nextAttemptAt: queued ? new Date() : null,
        localPath: queued ? storageKey : null,
        uploadedAt: null,
      });
      await this.log.append(m, inspectionId, sealType(saved), sealBody(saved), { at: saved.capturedAt });
      return saved;
    });
    if (queued) this.store.uploadSoon?.();
    const view = toEvidenceView(row);
    logger.info(`storeFile() | ${type} stored`, { inspectionId, evidenceId: row.id, bytes: bytes.length, sha256, by: fields.authorRole });
    this.notifier.notify(inspectionId, 'staff', 'evidence.added', view);
    this.records.changed(inspectionId, 'evidence');
    return view;
  }

  async bookmark(inspectionId: string, req: BookmarkRequest, by: Account): Promise<EvidenceView> {
    await this.records.editable(inspectionId);
    if (req.checklistItemId) await this.checklist.item(inspectionId, req.checklistItemId);
    const row = await this.evidence.save({
      id: crypto.randomUUID(),
      inspectionId,
      checklistItemId: req.checklistItemId ?? null,
      type: 'bookmark' as const,
      storageKey: null,
      contentType: null,
      sizeBytes: null,
      sha256: null,
      capturedAt: req.at ? new Date(req.at) : new Date(),
      lat: null,
      lon: null,
      accuracy: null,
      note: req.note,
      authorRole: by.role,
      authorId: by.id,
      authorName: by.displayName,
      requestId: null,
      annotationOf: null,
      annotation: null,
      uploadState: null,
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      localPath: null,
      uploadedAt: null,
    });
    const view = toEvidenceView(row);
    this.notifier.notify(inspectionId, 'staff', 'evidence.added', view);
    this.records.changed(inspectionId, 'evidence');
    return view;
  }

  /** Re-attach a piece of evidence to another checklist item (or to none). */
  async attach(inspectionId: string, evidenceId: string, checklistItemId: string | null): Promise<EvidenceView> {
    await this.records.editable(inspectionId);
    const row = await this.get(inspectionId, evidenceId);
    if (checklistItemId) await this.checklist.item(inspectionId, checklistItemId);
    row.checklistItemId = checklistItemId;
    // Only the link: saving the whole row could put back an upload state the queue has moved on.
    await this.evidence.update({ id: row.id }, { checklistItemId });
    this.records.changed(inspectionId, 'evidence');
    return toEvidenceView(row);
  }

  async list(inspectionId: string): Promise<EvidenceView[]> {
    return (await this.evidence.find({ where: { inspectionId }, order: { capturedAt: 'ASC' } })).map(toEvidenceView);
  }

  async get(inspectionId: string, evidenceId: string): Promise<Evidence> {
    const row = evidenceId.length <= 64 ? await this.evidence.findOneBy({ id: evidenceId, inspectionId }) : null;
    if (!row) throw new AppError('NOT_FOUND', 'No such evidence in this inspection.');
    return row;
  }

  async file(
    inspectionId: string,
    evidenceId: string,
  ): Promise<{ id: string; bytes: Buffer; contentType: string; extension: string; sha256: string }> {
    const row = await this.get(inspectionId, evidenceId);
    if (!row.storageKey || !row.contentType || !row.sha256) throw new AppError('NOT_FOUND', 'This evidence has no file.');
    return { id: row.id, bytes: await this.store.get(row.storageKey), ...servedAs(row.contentType), sha256: row.sha256 };
  }
}

export function tooLarge(): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `The image is larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB. Take it again at a lower resolution.`,
  );
}

export function documentTooLarge(limit: number): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `The file is larger than ${Math.round(limit / 1024 / 1024)} MB. Send a smaller one (a photo of the page, or fewer pages).`,
  );
}

export function notADocument(): AppError {
  return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Only a photo (JPEG or PNG) or a PDF can be sent as a document.');
}

export function toEvidenceView(e: Evidence): EvidenceView {
  return {
    id: e.id,
    inspectionId: e.inspectionId,
    checklistItemId: e.checklistItemId,
    type: e.type,
    contentType: e.contentType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    capturedAt: e.capturedAt.toISOString(),
    lat: e.lat,
    lon: e.lon,
    accuracy: e.accuracy,
    note: e.note,
    authorRole: e.authorRole,
    authorName: e.authorName,
    annotationOf: e.annotationOf,
    annotation: e.annotation ? (JSON.parse(e.annotation) as AnnotationLayer) : null,
    url: e.storageKey ? `/api/inspections/${e.inspectionId}/evidence/${e.id}/file` : null,
  };
}

/** A still, an annotated copy (its drawing's layer hashed too), or a document from the chat. */
function sealType(row: Evidence): 'still' | 'annotation' | 'document' {
  if (row.type === 'document') return 'document';
  return row.annotationOf ? 'annotation' : 'still';
}

function sealBody(row: Evidence): Record<string, unknown> {
  return {
    evidenceId: row.id,
    checklistItemId: row.checklistItemId,
    capturedAt: row.capturedAt,
    author: { role: row.authorRole, id: row.authorId, name: row.authorName },
    position: row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon, accuracy: row.accuracy } : null,
    requestId: row.requestId,
    ...(row.annotationOf
      ? {
          annotationOf: row.annotationOf,
          layerSha256: crypto
            .createHash('sha256')
            .update(row.annotation ?? '')
            .digest('hex'),
        }
      : {}),
    ...(row.note ? { note: row.note } : {}),
    file: { sha256: row.sha256, sizeBytes: row.sizeBytes, name: row.storageKey?.split('/').pop() ?? row.id, contentType: row.contentType },
  };
}
