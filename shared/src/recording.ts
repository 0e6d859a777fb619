// Recording and replay (recording/): REST query schemas and the views the replay API answers with.
import type { ChatMessageView } from './chat-protocol';
import type { ReviewEntryView } from './review';
import type { TimelineMarkView } from './timeline';
import { z } from './zod';
import { type InspectionView, type Role } from './domain';

/** live -> stopped (surveyor switch or inspection end); live -> interrupted (found live at start-up). */
export const RECORDING_STATES = ['live', 'stopped', 'interrupted'] as const;
export type RecordingStateName = (typeof RECORDING_STATES)[number];
/** pending -> uploading -> uploaded; uploading -> failed (retried at nextAttemptAt) -> uploading ... */
export const UPLOAD_STATES = ['pending', 'uploading', 'uploaded', 'failed'] as const;
export type UploadStateName = (typeof UPLOAD_STATES)[number];

/**
 * Why a logical track (a participant's camera or microphone, by identity and source) had no media
 * for a while. Each gap of a recording is stored with its cause when it opens (recording_gap):
 * - network: the participant's connection was lost past the reconnect grace, then came back;
 * - rejoin: the participant reconnected within the grace (new transports, new producer);
 * - device-change: another phone took the crew link over;
 * - worker-restart: the media worker died and the room was rebuilt;
 * - server-restart: the server died (found at start-up) and the recording went on after it;
 * - recorder-restart: the track's ffmpeg died and was restarted;
 * - disk-full: the staging disk had no room, recording of the track paused until it had;
 * - layer-switch: the simulcast layer changed and the next run took over;
 * - source-stopped: the participant stopped sending this source (camera off) and started again;
 * - participant-left: the participant left and joined again;
 * - unexplained: a hole between segments that no event accounts for (should not happen).
 */
export const GAP_CAUSES = [
  'network',
  'rejoin',
  'device-change',
  'worker-restart',
  'server-restart',
  'recorder-restart',
  'disk-full',
  'layer-switch',
  'recording-off',
  'source-stopped',
  'participant-left',
  'unexplained',
] as const;
export type GapCause = (typeof GAP_CAUSES)[number];

export const assignAuditorSchema = z.object({ accountId: z.uuid() }).strict();

export interface RecordingSummaryView {
  id: string;
  state: RecordingStateName;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  segments: number;
}

export interface ReplayInspectionView extends InspectionView {
  recordings: RecordingSummaryView[];
}

export interface SegmentView {
  id: string;
  index: number;
  startAt: string;
  endAt: string;
  durationMs: number;
  sizeBytes: number;
  sha256: string;
  uploadState: UploadStateName;
  /** Streams through the app (Range supported). */
  url: string;
}

export interface TrackView {
  trackKey: string;
  participantId: string;
  role: Role;
  displayName: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'microphone';
  segments: SegmentView[];
}

export interface TimelineGapView {
  trackKey: string;
  role: Role;
  displayName: string;
  source: 'camera' | 'microphone';
  from: string;
  /** The end of the gap; a gap still open when the recording ended runs to the recording's end. */
  to: string;
  cause: GapCause;
}

export interface RecordingTimelineView {
  recording: RecordingSummaryView & { inspectionId: string };
  inspection: InspectionView;
  /** Bounds of the recorded media (earliest segment start, latest segment end). */
  startAt: string;
  endAt: string;
  tracks: TrackView[];
  participants: Array<{ id: string; role: Role; displayName: string; joinedAt: string; leftAt: string | null; leaveReason: string | null }>;
  gaps: TimelineGapView[];
  /**
   * Each crew consent once: a phone that rejoins presents the consent it gave again (one stored row
   * per join), so rows of one crew link with the same consent time are one consent.
   */
  consents: Array<{ participantId: string; displayName: string; consentedAt: string }>;
  /** The chat's messages, document requests and documents sent while this recording ran. */
  chat: ChatMessageView[];
  /**
   * The lanes of what happened while it ran, oldest first: evidence, checklist verdicts, chat, GPS
   * fixes, network (connection losses and network gaps), review comments pinned to this recording.
   */
  marks: TimelineMarkView[];
  /** The review comments pinned to this recording (also in marks, lane 'review'). */
  review: ReviewEntryView[];
}

export interface StorageStateView {
  recordingId: string;
  inspectionId: string;
  vesselName: string;
  state: RecordingStateName;
  startedAt: string;
  pending: number;
  uploading: number;
  uploaded: number;
  failed: number;
  bytes: number;
  lastError: string | null;
}
