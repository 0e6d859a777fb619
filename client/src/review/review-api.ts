// The review routes (server/src/recording/review-routes.ts) and an inspection's recordings, as typed calls.
import type { RecordingSummaryView, ReviewCommentRequest, ReviewEntryView, ReviewStatusRequest, ReviewView } from '@cloudship/shared';
import { call } from '../api';

const enc = encodeURIComponent;

export const reviewApi = {
  get: (inspectionId: string) => call<ReviewView>('GET', `/api/inspections/${enc(inspectionId)}/review`),
  comment: (inspectionId: string, body: ReviewCommentRequest) =>
    call<{ entry: ReviewEntryView }>('POST', `/api/inspections/${enc(inspectionId)}/review/comments`, body),
  status: (inspectionId: string, body: ReviewStatusRequest) =>
    call<{ entry: ReviewEntryView }>('POST', `/api/inspections/${enc(inspectionId)}/review/status`, body),
  recordings: (inspectionId: string) =>
    call<{ recordings: RecordingSummaryView[] }>('GET', `/api/inspections/${enc(inspectionId)}/recordings`),
};

/** The replay page of one recording. */
export const replayHref = (recordingId: string) => `/replay.html#/recordings/${enc(recordingId)}`;
