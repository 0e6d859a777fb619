// Recording tables, declared with EntitySchema like every feature's entities.ts. The schema
// itself is in migrations/1764300300000-recording.ts (review_entry: 1765300000000-review.ts).
import { EntitySchema } from 'typeorm';
import type { GapCause, MediaSource, RecordingStateName, ReviewStatus, Role, UploadStateName } from '@cloudship/shared';

// The state names are declared once, in shared/src/recording.ts (the replay API sends them).
type RecordingState = RecordingStateName;
type UploadState = UploadStateName;

export interface Recording {
  id: string;
  inspectionId: string;
  state: RecordingState;
  startedAt: Date;
  endedAt: Date | null;
  startedBy: string | null;
  stoppedBy: string | null;
  endReason: string | null;
}

/**
 * One run of one track's recorder: a producer recorded by one ffmpeg. A reconnection, a rejoin, a
 * worker or server restart or a recorder restart produces a new run of the same `trackKey` (the
 * logical track: role, identity and source, not the participant row); its segments continue the
 * numbering, and the time between is a RecordingGap.
 */
export interface RecordingTrack {
  id: string;
  recordingId: string;
  trackKey: string;
  participantId: string;
  role: Role;
  displayName: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  codec: string;
  /** Wall clock of ffmpeg's media time 0 (when the consumer was resumed). */
  startedAt: Date;
  endedAt: Date | null;
  /** Directory of the run's staged files, relative to the staging root. */
  dir: string;
  state: 'recording' | 'closed' | 'interrupted';
}

export interface Segment {
  id: string;
  recordingId: string;
  trackId: string;
  trackKey: string;
  index: number;
  startedAt: Date;
  endedAt: Date;
  /** Media time of the segment's first packet in its run (ms), and its duration (ms). */
  mediaStartMs: number;
  durationMs: number;
  sizeBytes: number;
  sha256: string;
  objectKey: string;
  /** File relative to the staging root while not uploaded; null once deleted locally. */
  localPath: string | null;
  uploadState: UploadState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  uploadedAt: Date | null;
  createdAt: Date;
}

/**
 * An interval with no media on one logical track of a recording (a participant's camera or
 * microphone, by identity and source: `trackKey`), with its cause. Open (endedAt null) until media
 * of the track is written again; migrations/1764800000000-recording-gaps.ts.
 */
export interface RecordingGap {
  id: string;
  recordingId: string;
  trackKey: string;
  role: Role;
  displayName: string;
  source: MediaSource;
  cause: GapCause;
  startedAt: Date;
  endedAt: Date | null;
}

export interface ReplayLog {
  id: string;
  accountId: string;
  inspectionId: string;
  recordingId: string | null;
  segmentId: string | null;
  action: string;
  at: Date;
}

export interface RecordingSetting {
  inspectionId: string;
  enabled: boolean;
  updatedBy: string | null;
  updatedAt: Date;
}

export interface RecordingConsent {
  id: string;
  inspectionId: string;
  participantId: string;
  crewLinkId: string | null;
  /** When the crew accepted the consent screen (the phone's clock) ... */
  consentedAt: Date;
  /** ... and when the server stored it. */
  recordedAt: Date;
}

/** One line of an inspection's review log: a comment pinned to a recording, or a status change (review-service.ts). */
export interface ReviewEntry {
  id: string;
  inspectionId: string;
  kind: 'comment' | 'status';
  recordingId: string | null;
  /** ms from the recording timeline's start (the earliest segment's start). */
  atMs: number | null;
  momentAt: Date | null;
  status: ReviewStatus | null;
  text: string;
  authorId: string;
  authorName: string;
  createdAt: Date;
}

const id = { type: 'varchar', length: 36, primary: true } as const;
const ref = { type: 'varchar', length: 36 } as const;

export const RecordingEntity = new EntitySchema<Recording>({
  name: 'Recording',
  tableName: 'recording',
  columns: {
    id,
    inspectionId: ref,
    state: { type: 'varchar', length: 16 },
    startedAt: { type: 'datetime' },
    endedAt: { type: 'datetime', nullable: true },
    startedBy: { ...ref, nullable: true },
    stoppedBy: { ...ref, nullable: true },
    endReason: { type: 'varchar', length: 64, nullable: true },
  },
});

export const RecordingTrackEntity = new EntitySchema<RecordingTrack>({
  name: 'RecordingTrack',
  tableName: 'recording_track',
  columns: {
    id,
    recordingId: ref,
    trackKey: { type: 'varchar', length: 80 },
    participantId: ref,
    role: { type: 'varchar', length: 16 },
    displayName: { type: 'varchar', length: 80 },
    kind: { type: 'varchar', length: 8 },
    source: { type: 'varchar', length: 16 },
    codec: { type: 'varchar', length: 32 },
    startedAt: { type: 'datetime' },
    endedAt: { type: 'datetime', nullable: true },
    dir: { type: 'varchar', length: 200 },
    state: { type: 'varchar', length: 16 },
  },
});

export const SegmentEntity = new EntitySchema<Segment>({
  name: 'Segment',
  tableName: 'segment',
  columns: {
    id,
    recordingId: ref,
    trackId: ref,
    trackKey: { type: 'varchar', length: 80 },
    index: { type: 'integer' },
    startedAt: { type: 'datetime' },
    endedAt: { type: 'datetime' },
    mediaStartMs: { type: 'integer' },
    durationMs: { type: 'integer' },
    sizeBytes: { type: 'integer' },
    sha256: { type: 'varchar', length: 64 },
    objectKey: { type: 'varchar', length: 512 },
    localPath: { type: 'varchar', length: 300, nullable: true },
    uploadState: { type: 'varchar', length: 16 },
    attempts: { type: 'integer' },
    lastError: { type: 'varchar', length: 300, nullable: true },
    nextAttemptAt: { type: 'datetime' },
    uploadedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', createDate: true },
  },
});

export const RecordingGapEntity = new EntitySchema<RecordingGap>({
  name: 'RecordingGap',
  tableName: 'recording_gap',
  columns: {
    id,
    recordingId: ref,
    trackKey: { type: 'varchar', length: 80 },
    role: { type: 'varchar', length: 16 },
    displayName: { type: 'varchar', length: 80 },
    source: { type: 'varchar', length: 16 },
    cause: { type: 'varchar', length: 24 },
    startedAt: { type: 'datetime' },
    endedAt: { type: 'datetime', nullable: true },
  },
});

export const ReplayLogEntity = new EntitySchema<ReplayLog>({
  name: 'ReplayLog',
  tableName: 'replay_log',
  columns: {
    id,
    accountId: ref,
    inspectionId: ref,
    recordingId: { ...ref, nullable: true },
    segmentId: { ...ref, nullable: true },
    action: { type: 'varchar', length: 32 },
    at: { type: 'datetime' },
  },
});

export const RecordingSettingEntity = new EntitySchema<RecordingSetting>({
  name: 'RecordingSetting',
  tableName: 'recording_setting',
  columns: {
    inspectionId: { ...ref, primary: true },
    enabled: { type: 'boolean' },
    updatedBy: { ...ref, nullable: true },
    updatedAt: { type: 'datetime' },
  },
});

export const RecordingConsentEntity = new EntitySchema<RecordingConsent>({
  name: 'RecordingConsent',
  tableName: 'recording_consent',
  columns: {
    id,
    inspectionId: ref,
    participantId: ref,
    crewLinkId: { ...ref, nullable: true },
    consentedAt: { type: 'datetime' },
    recordedAt: { type: 'datetime' },
  },
});

export const ReviewEntryEntity = new EntitySchema<ReviewEntry>({
  name: 'ReviewEntry',
  tableName: 'review_entry',
  columns: {
    id,
    inspectionId: ref,
    kind: { type: 'varchar', length: 16 },
    recordingId: { ...ref, nullable: true },
    atMs: { type: 'integer', nullable: true },
    momentAt: { type: 'datetime', nullable: true },
    status: { type: 'varchar', length: 16, nullable: true },
    text: { type: 'text' },
    authorId: ref,
    authorName: { type: 'varchar', length: 80 },
    createdAt: { type: 'datetime' },
  },
});

export const RECORDING_ENTITIES = [
  RecordingEntity,
  RecordingTrackEntity,
  SegmentEntity,
  RecordingGapEntity,
  ReplayLogEntity,
  RecordingSettingEntity,
  RecordingConsentEntity,
  ReviewEntryEntity,
];
