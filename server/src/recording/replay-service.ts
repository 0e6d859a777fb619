// What auditors, admins and an inspection's surveyors may see of recordings, and the queries behind
// the replay API: scoped inspection list, a recording's timeline (segments, joins/leaves, gaps),
// storage state, and the replay log (who opened what, when).
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { In } from 'typeorm';
import {
  AppError,
  type ChatMessageView,
  type GapCause,
  type ReviewEntryView,
  type TimelineMarkView,
  type RecordingSummaryView,
  type RecordingTimelineView,
  type ReplayInspectionView,
  type InspectionListQueryParsed,
  type InspectionPage,
  type StorageStateView,
  type TimelineGapView,
  type TrackView,
} from '@cloudship/shared';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionList } from '../inspection/inspection-list';
import type { InspectionService } from '../inspection/inspection-service';
import { AccountEntity, type Account } from '../auth/entities';
import { InspectionEntity, ParticipantSessionEntity, type Inspection, type ParticipantSession } from '../inspection/entities';
import { assertUuid } from '../storage/object-keys';
import {
  RecordingConsentEntity,
  RecordingEntity,
  RecordingGapEntity,
  RecordingTrackEntity,
  ReplayLogEntity,
  SegmentEntity,
  type Recording,
  type RecordingConsent,
  type RecordingGap,
  type RecordingTrack,
  type ReplayLog,
  type Segment,
} from './entities';

/** A hole between two segments of one track longer than this that no stored gap covers is 'unexplained'. */
const GAP_MS = 1000;

/**
 * The gaps of a recording's timeline: the stored ones (recording_gap, with their causes; one still
 * open runs to `openEnd`), and any hole between segments of a lane longer than GAP_MS that none of
 * them covers, as 'unexplained' (recordings from before gaps were stored, or a bug: shown, never
 * hidden).
 */
export function timelineGaps(tracks: TrackView[], stored: RecordingGap[], openEnd: string): TimelineGapView[] {
  const gaps: TimelineGapView[] = stored.map((g) => ({
    trackKey: g.trackKey,
    role: g.role,
    displayName: g.displayName,
    source: g.source,
    from: g.startedAt.toISOString(),
    to: g.endedAt?.toISOString() ?? openEnd,
    cause: g.cause,
  }));
  const covered = (key: string, from: number, to: number) =>
    gaps.some((g) => g.trackKey === key && Date.parse(g.from) <= from + GAP_MS && Date.parse(g.to) >= to - GAP_MS);
  for (const t of tracks) {
    for (let i = 1; i < t.segments.length; i++) {
      const prevEnd = Date.parse(t.segments[i - 1]!.endAt);
      const start = Date.parse(t.segments[i]!.startAt);
      if (start - prevEnd > GAP_MS && !covered(t.trackKey, prevEnd, start))
        gaps.push({
          trackKey: t.trackKey,
          role: t.role,
          displayName: t.displayName,
          source: t.source,
          from: t.segments[i - 1]!.endAt,
          to: t.segments[i]!.startAt,
          cause: 'unexplained',
        });
    }
  }
  return gaps.sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
}
/** Marks of another feature's lane between two times (at most a few thousand: each source bounds its query). */
export type TimelineMarkSource = (inspectionId: string, from: Date, to: Date) => Promise<TimelineMarkView[]>;

/** Gap causes that say the network failed (the network lane); the others are somebody's choice or the server's. */
const NETWORK_GAP_CAUSES: ReadonlySet<GapCause> = new Set(['network', 'rejoin']);

/**
 * Each crew consent once. A phone presents the consent it gave at every join (a rejoin, a
 * reconnection), and each join stores it again: rows of one crew link (or, without one, one
 * participant) with the same consent time are one consent.
 */
export function onePerConsent(rows: RecordingConsent[], participants: ParticipantSession[]): RecordingTimelineView['consents'] {
  const names = new Map(participants.map((p) => [p.id, p.displayName]));
  const seen = new Set<string>();
  const out: RecordingTimelineView['consents'] = [];
  for (const c of rows) {
    const key = `${c.crewLinkId ?? c.participantId}@${c.consentedAt.getTime()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ participantId: c.participantId, displayName: names.get(c.participantId) ?? '', consentedAt: c.consentedAt.toISOString() });
  }
  return out;
}

/** One 'segment' log row per viewer and segment in this window (a player sends many ranges). */
const LOG_WINDOW_MS = 5 * 60_000;

export class ReplayService {
  private readonly inspections: Repository<Inspection>;
  private readonly accounts: Repository<Account>;
  private readonly participants: Repository<ParticipantSession>;
  private readonly consents: Repository<RecordingConsent>;
  private readonly log: Repository<ReplayLog>;
  /** Read only here: the SegmentCatalog writes these (see segment-catalog.ts). */
  private readonly recordings: Repository<Recording>;
  private readonly tracks: Repository<RecordingTrack>;
  private readonly segments: Repository<Segment>;
  private readonly gaps: Repository<RecordingGap>;
  private readonly recentlyLogged = new Map<string, number>();
  /** The chat of an inspection (app.ts hands in the chat's history: the features never import each other). */
  private chatOf: (inspectionId: string) => Promise<ChatMessageView[]> = () => Promise.resolve([]);
  /** What the other features stored while a recording ran (evidence, checklist verdicts, GPS fixes), handed in by app.ts. */
  private readonly markSources: TimelineMarkSource[] = [];
  /** The review comments pinned to a recording (review-service.ts). */
  private reviewOf: (recordingId: string) => Promise<ReviewEntryView[]> = () => Promise.resolve([]);

  constructor(
    db: DataSource,
    private readonly inspectionService: InspectionService,
    private readonly access: InspectionAccess,
    private readonly lister: InspectionList,
  ) {
    this.recordings = db.getRepository(RecordingEntity);
    this.tracks = db.getRepository(RecordingTrackEntity);
    this.segments = db.getRepository(SegmentEntity);
    this.gaps = db.getRepository(RecordingGapEntity);
    this.inspections = db.getRepository(InspectionEntity);
    this.accounts = db.getRepository(AccountEntity);
    this.participants = db.getRepository(ParticipantSessionEntity);
    this.consents = db.getRepository(RecordingConsentEntity);
    this.log = db.getRepository(ReplayLogEntity);
  }

  /** The timeline shows the chat's messages and documents sent while a recording ran. */
  useChat(history: (inspectionId: string) => Promise<ChatMessageView[]>): void {
    this.chatOf = history;
  }

  /** Marks for the timeline's lanes from another feature (app.ts composes them). */
  useMarks(source: TimelineMarkSource): void {
    this.markSources.push(source);
  }

  useReview(comments: (recordingId: string) => Promise<ReviewEntryView[]>): void {
    this.reviewOf = comments;
  }

  /** NOT_FOUND rather than FORBIDDEN outside the scope: ids of others' inspections are not confirmed. */
  async assertInScope(account: Account, inspectionId: string): Promise<Inspection> {
    return (await this.access.assert(account, inspectionId, 'recording.replay')).inspection;
  }

  /** One page of the recorded inspections `account` may read (the list's filters and cursor: InspectionList). */
  async list(account: Account, q: InspectionListQueryParsed): Promise<InspectionPage<ReplayInspectionView>> {
    const page = await this.lister.page(account, q, 'readable');
    const rows = page.rows;
    const views = await this.inspectionService.views(rows);
    const recordings = rows.length
      ? await this.recordings.find({ where: { inspectionId: In(rows.map((r) => r.id)) }, order: { startedAt: 'ASC' } })
      : [];
    const counts = await this.segmentCounts(recordings.map((r) => r.id));
    return {
      inspections: views.map((v) => ({
        ...v,
        recordings: recordings.filter((r) => r.inspectionId === v.id).map((r) => this.summary(r, counts.get(r.id) ?? 0)),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** The recordings of one inspection (the console's inspection page links to their replay), oldest first. */
  async recordingsOf(inspectionId: string): Promise<RecordingSummaryView[]> {
    const recordings = await this.recordings.find({ where: { inspectionId }, order: { startedAt: 'ASC' }, take: 500 });
    const counts = await this.segmentCounts(recordings.map((r) => r.id));
    return recordings.map((r) => this.summary(r, counts.get(r.id) ?? 0));
  }

  private async segmentCounts(recordingIds: string[]): Promise<Map<string, number>> {
    if (!recordingIds.length) return new Map();
    const rows: Array<{ recordingId: string; n: number }> = await this.segments
      .createQueryBuilder('s')
      .select('s.recordingId', 'recordingId')
      .addSelect('COUNT(*)', 'n')
      .where('s.recordingId IN (:...ids)', { ids: recordingIds })
      .groupBy('s.recordingId')
      .getRawMany();
    return new Map(rows.map((r) => [r.recordingId, Number(r.n)]));
  }

  private summary(r: Recording, segments: number): RecordingSummaryView {
    return {
      id: r.id,
      state: r.state,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      endReason: r.endReason,
      segments,
    };
  }

  /** The recording, once the account is known to be allowed to see its inspection. */
  async recordingFor(account: Account, recordingId: string): Promise<{ recording: Recording; inspection: Inspection }> {
    assertUuid(recordingId, 'recording id');
    const recording = await this.recordings.findOneBy({ id: recordingId });
    if (!recording) throw new AppError('NOT_FOUND', 'No such recording.');
    return { recording, inspection: await this.assertInScope(account, recording.inspectionId) };
  }

  async timeline(account: Account, recordingId: string): Promise<RecordingTimelineView> {
    const { recording, inspection } = await this.recordingFor(account, recordingId);
    const [segments, runs, participants, consents] = await Promise.all([
      this.segments.find({ where: { recordingId }, order: { startedAt: 'ASC' } }),
      this.tracks.find({ where: { recordingId }, order: { startedAt: 'ASC' } }),
      this.participants.find({ where: { inspectionId: inspection.id }, order: { joinedAt: 'ASC' } }),
      this.consents.find({ where: { inspectionId: inspection.id }, order: { consentedAt: 'ASC' } }),
    ]);
    const tracks = new Map<string, TrackView>();
    for (const run of runs) {
      if (!tracks.has(run.trackKey)) {
        tracks.set(run.trackKey, {
          trackKey: run.trackKey,
          participantId: run.participantId,
          role: run.role,
          displayName: run.displayName,
          kind: run.kind,
          source: run.source,
          segments: [],
        });
      }
    }
    for (const s of segments) tracks.get(s.trackKey)?.segments.push(this.segmentView(recordingId, s));
    const startAt = segments.length ? Math.min(...segments.map((s) => s.startedAt.getTime())) : recording.startedAt.getTime();
    const endAt = segments.length
      ? Math.max(...segments.map((s) => s.endedAt.getTime()))
      : (recording.endedAt ?? recording.startedAt).getTime();
    const gaps = timelineGaps(
      [...tracks.values()],
      await this.gaps.find({ where: { recordingId }, order: { startedAt: 'ASC' } }),
      (recording.endedAt ?? new Date(Math.max(endAt, Date.now()))).toISOString(),
    );
    const [view] = await this.inspectionService.views([inspection]);
    const ran = { from: recording.startedAt.getTime(), to: (recording.endedAt ?? new Date()).getTime() };
    const chat = (await this.chatOf(inspection.id)).filter((m) => Date.parse(m.sentAt) >= ran.from && Date.parse(m.sentAt) <= ran.to);
    const review = await this.reviewOf(recordingId);
    const marks = await this.marksOf(inspection.id, new Date(Math.min(ran.from, startAt)), new Date(Math.max(ran.to, endAt)), {
      chat,
      gaps,
      participants,
      review,
    });
    await this.logReplay(account, inspection.id, recordingId, null, 'timeline');
    return {
      recording: { ...this.summary(recording, segments.length), inspectionId: inspection.id },
      inspection: view!,
      startAt: new Date(startAt).toISOString(),
      endAt: new Date(endAt).toISOString(),
      tracks: [...tracks.values()],
      participants: participants.map((p) => ({
        id: p.id,
        role: p.role,
        displayName: p.displayName,
        joinedAt: p.joinedAt.toISOString(),
        leftAt: p.leftAt?.toISOString() ?? null,
        leaveReason: p.leaveReason,
      })),
      gaps,
      consents: onePerConsent(consents, participants),
      chat,
      marks,
      review,
    };
  }

  /** Every lane's marks between `from` and `to`, oldest first: the other features' and the recording's own. */
  private async marksOf(
    inspectionId: string,
    from: Date,
    to: Date,
    own: { chat: ChatMessageView[]; gaps: TimelineGapView[]; participants: ParticipantSession[]; review: ReviewEntryView[] },
  ): Promise<TimelineMarkView[]> {
    const marks: TimelineMarkView[] = (await Promise.all(this.markSources.map((source) => source(inspectionId, from, to)))).flat();
    for (const m of own.chat)
      marks.push({ lane: 'chat', kind: m.kind, at: m.sentAt, who: m.senderName, text: m.text, ref: m.document?.evidenceId ?? null });
    // Network: what is stored of the link's quality is when it failed: media gaps caused by the
    // network or a reconnection, and stays that ended because the connection was lost.
    for (const g of own.gaps)
      if (NETWORK_GAP_CAUSES.has(g.cause))
        marks.push({ lane: 'network', kind: g.cause, at: g.from, who: g.displayName, text: `${g.source}`, ref: null });
    for (const p of own.participants)
      if (p.leftAt && p.leaveReason === 'connection-lost' && p.leftAt >= from && p.leftAt <= to)
        marks.push({ lane: 'network', kind: 'connection-lost', at: p.leftAt.toISOString(), who: p.displayName, text: '', ref: null });
    for (const c of own.review)
      if (c.momentAt) marks.push({ lane: 'review', kind: 'comment', at: c.momentAt, who: c.authorName, text: c.text, ref: c.id });
    return marks.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  private segmentView(recordingId: string, s: Segment) {
    return {
      id: s.id,
      index: s.index,
      startAt: s.startedAt.toISOString(),
      endAt: s.endedAt.toISOString(),
      durationMs: s.durationMs,
      sizeBytes: s.sizeBytes,
      sha256: s.sha256,
      uploadState: s.uploadState,
      url: `/api/recordings/${recordingId}/segments/${s.id}`,
    };
  }

  async segmentFor(account: Account, recordingId: string, segmentId: string): Promise<{ segment: Segment; inspectionId: string }> {
    assertUuid(segmentId, 'segment id');
    const { recording } = await this.recordingFor(account, recordingId);
    const segment = await this.segments.findOneBy({ id: segmentId, recordingId });
    if (!segment) throw new AppError('NOT_FOUND', 'No such segment.');
    return { segment, inspectionId: recording.inspectionId };
  }

  async logReplay(
    account: Account,
    inspectionId: string,
    recordingId: string | null,
    segmentId: string | null,
    action: string,
  ): Promise<void> {
    const key = `${account.id}:${action}:${segmentId ?? recordingId}`;
    const now = Date.now();
    if (segmentId && (this.recentlyLogged.get(key) ?? 0) > now - LOG_WINDOW_MS) return;
    this.recentlyLogged.set(key, now);
    if (this.recentlyLogged.size > 10_000) this.recentlyLogged.clear();
    await this.log.save({ id: crypto.randomUUID(), accountId: account.id, inspectionId, recordingId, segmentId, action, at: new Date() });
  }

  async replayLog(
    inspectionId: string,
  ): Promise<
    Array<{ accountId: string; username: string; action: string; recordingId: string | null; segmentId: string | null; at: string }>
  > {
    const rows = await this.log.find({ where: { inspectionId }, order: { at: 'ASC' }, take: 5000 });
    const names = new Map(
      (await this.accounts.findBy({ id: In([...new Set(rows.map((r) => r.accountId))]) })).map((a) => [a.id, a.username]),
    );
    return rows.map((r) => ({
      accountId: r.accountId,
      username: names.get(r.accountId) ?? '',
      action: r.action,
      recordingId: r.recordingId,
      segmentId: r.segmentId,
      at: r.at.toISOString(),
    }));
  }

  async storageState(): Promise<StorageStateView[]> {
    const recordings = await this.recordings.find({ order: { startedAt: 'DESC' }, take: 500 });
    if (!recordings.length) return [];
    const rows: Array<{ recordingId: string; uploadState: string; n: number; bytes: number }> = await this.segments
      .createQueryBuilder('s')
      .select('s.recordingId', 'recordingId')
      .addSelect('s.uploadState', 'uploadState')
      .addSelect('COUNT(*)', 'n')
      .addSelect('SUM(s.sizeBytes)', 'bytes')
      .where('s.recordingId IN (:...ids)', { ids: recordings.map((r) => r.id) })
      .groupBy('s.recordingId')
      .addGroupBy('s.uploadState')
      .getRawMany();
    const failures = await this.segments.find({
      where: { recordingId: In(recordings.map((r) => r.id)), uploadState: 'failed' },
      order: { nextAttemptAt: 'DESC' },
    });
    const vessels = new Map(
      (await this.inspections.findBy({ id: In([...new Set(recordings.map((r) => r.inspectionId))]) })).map((i) => [i.id, i.vesselName]),
    );
    return recordings.map((r) => {
      const mine = rows.filter((x) => x.recordingId === r.id);
      const count = (state: string) => Number(mine.find((x) => x.uploadState === state)?.n ?? 0);
      return {
        recordingId: r.id,
        inspectionId: r.inspectionId,
        vesselName: vessels.get(r.inspectionId) ?? '',
        state: r.state,
        startedAt: r.startedAt.toISOString(),
        pending: count('pending'),
        uploading: count('uploading'),
        uploaded: count('uploaded'),
        failed: count('failed'),
        bytes: mine.reduce((sum, x) => sum + Number(x.bytes ?? 0), 0),
        lastError: failures.find((f) => f.recordingId === r.id)?.lastError ?? null,
      };
    });
  }
}
