// The auditor's review of an inspection: comments pinned to a moment of one of its recordings, and
// the review status ('reviewed' or 'query-raised'). Each is a row of review_entry with who and
// when; nothing is edited or removed, so the log is the history and the status is its latest
// status row. Access is checked by the routes (inspectionRoute, 'review.write' / 'inspection.read').
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { AppError, type ReviewCommentRequest, type ReviewEntryView, type ReviewStatusRequest, type ReviewView } from '@cloudship/shared';
import type { Account } from '../auth/entities';
import { Logger } from '../logging/logger';
import { RecordingEntity, ReviewEntryEntity, SegmentEntity, type Recording, type ReviewEntry, type Segment } from './entities';

const logger = new Logger('review');

/** The newest entries an inspection's review view shows (a review is a few dozen lines, not thousands). */
export const REVIEW_VIEW_MAX = 1000;

/** The span of a recording's timeline: from the earliest segment's start to the latest one's end. */
export async function recordingSpan(segments: Repository<Segment>, recording: Recording): Promise<{ startAt: Date; endAt: Date }> {
  const [first] = await segments.find({ where: { recordingId: recording.id }, order: { startedAt: 'ASC' }, take: 1 });
  const [last] = await segments.find({ where: { recordingId: recording.id }, order: { endedAt: 'DESC' }, take: 1 });
  if (!first || !last) return { startAt: recording.startedAt, endAt: recording.endedAt ?? recording.startedAt };
  return { startAt: first.startedAt, endAt: last.endedAt };
}

export class ReviewService {
  private readonly entries: Repository<ReviewEntry>;
  private readonly recordings: Repository<Recording>;
  private readonly segments: Repository<Segment>;

  constructor(db: DataSource) {
    this.entries = db.getRepository(ReviewEntryEntity);
    this.recordings = db.getRepository(RecordingEntity);
    this.segments = db.getRepository(SegmentEntity);
  }

  /** The status and the log of one inspection's review, oldest first. */
  async view(inspectionId: string): Promise<ReviewView> {
    const newest = await this.entries.find({ where: { inspectionId }, order: { createdAt: 'DESC', id: 'DESC' }, take: REVIEW_VIEW_MAX });
    const [latest] = await this.entries.find({
      where: { inspectionId, kind: 'status' },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: 1,
    });
    return {
      status: latest?.status ? { status: latest.status, by: latest.authorName, at: latest.createdAt.toISOString() } : null,
      entries: newest.reverse().map(entryView),
    };
  }

  /** The comments pinned to one recording, in the order of their moments (for its timeline). */
  async commentsOf(recordingId: string): Promise<ReviewEntryView[]> {
    const rows = await this.entries.find({
      where: { recordingId, kind: 'comment' },
      order: { atMs: 'ASC', createdAt: 'ASC' },
      take: REVIEW_VIEW_MAX,
    });
    return rows.map(entryView);
  }

  /**
   * Pins a comment to `atMs` of one of the inspection's recordings. A recording of another
   * inspection, or a moment outside the recording, is a BAD_REQUEST naming the field.
   */
  async comment(by: Account, inspectionId: string, req: ReviewCommentRequest): Promise<ReviewEntryView> {
    const recording = await this.recordings.findOneBy({ id: req.recordingId, inspectionId });
    if (!recording) throw new AppError('BAD_REQUEST', 'recordingId: not a recording of this inspection');
    const span = await recordingSpan(this.segments, recording);
    const lengthMs = span.endAt.getTime() - span.startAt.getTime();
    if (req.atMs > lengthMs) throw new AppError('BAD_REQUEST', `atMs: outside the recording (0 to ${lengthMs} ms)`);
    const row = await this.add(by, inspectionId, {
      kind: 'comment',
      recordingId: recording.id,
      atMs: req.atMs,
      momentAt: new Date(span.startAt.getTime() + req.atMs),
      status: null,
      text: req.text,
    });
    logger.info('comment() | review comment pinned', { inspectionId, recordingId: recording.id, atMs: req.atMs, by: by.id });
    return entryView(row);
  }

  async setStatus(by: Account, inspectionId: string, req: ReviewStatusRequest): Promise<ReviewEntryView> {
    const [before] = await this.entries.find({
      where: { inspectionId, kind: 'status' },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: 1,
    });
    const row = await this.add(by, inspectionId, {
      kind: 'status',
      recordingId: null,
      atMs: null,
      momentAt: null,
      status: req.status,
      text: req.note ?? '',
    });
    logger.info(`setStatus() | review status ${before?.status ?? 'none'} -> ${req.status}`, { inspectionId, by: by.id });
    return entryView(row);
  }

  private async add(
    by: Account,
    inspectionId: string,
    entry: Omit<ReviewEntry, 'id' | 'inspectionId' | 'authorId' | 'authorName' | 'createdAt'>,
  ) {
    const row: ReviewEntry = {
      id: crypto.randomUUID(),
      inspectionId,
      ...entry,
      authorId: by.id,
      authorName: by.displayName,
      createdAt: new Date(),
    };
    await this.entries.insert(row);
    return row;
  }
}

function entryView(r: ReviewEntry): ReviewEntryView {
  return {
    id: r.id,
    kind: r.kind,
    recordingId: r.recordingId,
    atMs: r.atMs,
    momentAt: r.momentAt?.toISOString() ?? null,
    status: r.status,
    text: r.text,
    authorId: r.authorId,
    authorName: r.authorName,
    createdAt: r.createdAt.toISOString(),
  };
}
