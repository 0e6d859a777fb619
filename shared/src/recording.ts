// Recording and replay (recording/): REST query schemas and the views the replay API answers with.
import { z } from 'zod';
import { INSPECTION_STATUSES, type InspectionView, type Role } from './domain';

/** live -> stopped (surveyor switch or inspection end); live -> interrupted (found live at start-up). */
export const RECORDING_STATES = ['live', 'stopped', 'interrupted'] as const;
export type RecordingStateName = (typeof RECORDING_STATES)[number];
/** pending -> uploading -> uploaded; uploading -> failed (retried at nextAttemptAt) -> uploading ... */
export const UPLOAD_STATES = ['pending', 'uploading', 'uploaded', 'failed'] as const;
export type UploadStateName = (typeof UPLOAD_STATES)[number];

/** GET /api/replay/inspections filters (all optional, combined with AND). */
export const replayListQuerySchema = z
  .object({
    vessel: z.string().trim().max(120).optional(),
    registration: z.string().trim().max(64).optional(),
    /** Surveyor display name or username (substring). */
    surveyor: z.string().trim().max(80).optional(),
    from: z
      .string()
      .date()
      .or(z.string().datetime({ offset: true }))
      .optional(),
    to: z
      .string()
      .date()
      .or(z.string().datetime({ offset: true }))
      .optional(),
    status: z.enum(INSPECTION_STATUSES).optional(),
  })
  .strict();
export type ReplayListQuery = z.infer<typeof replayListQuerySchema>;

export const assignAuditorSchema = z.object({ accountId: z.string().uuid() }).strict();

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
  source: 'camera' | 'microphone';
  from: string;
  to: string;
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
  consents: Array<{ participantId: string; consentedAt: string }>;
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
