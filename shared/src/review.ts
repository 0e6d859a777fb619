// The auditor's review of an inspection (server/src/recording/review-*): comments pinned to a
// moment of one of its recordings, and the review status ('reviewed' or 'query-raised'). Every
// comment and every status change is a row of review_entry, with who and when, never edited.
import { z } from './zod';

export const REVIEW_STATUSES = ['reviewed', 'query-raised'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const REVIEW_TEXT_MAX = 2000;

const reviewText = z.string().trim().min(1, 'must not be empty').max(REVIEW_TEXT_MAX, `at most ${REVIEW_TEXT_MAX} characters`);

/** POST /api/inspections/:id/review/comments: `atMs` counts from the start of the recording's timeline (its startAt). */
export const reviewCommentSchema = z
  .object({
    recordingId: z.uuid(),
    atMs: z.number().int().min(0),
    text: reviewText,
  })
  .strict();
export type ReviewCommentRequest = z.infer<typeof reviewCommentSchema>;

/** POST /api/inspections/:id/review/status, with an optional note (what the query is about). */
export const reviewStatusSchema = z
  .object({
    status: z.enum(REVIEW_STATUSES),
    note: z.string().trim().max(REVIEW_TEXT_MAX, `at most ${REVIEW_TEXT_MAX} characters`).optional(),
  })
  .strict();
export type ReviewStatusRequest = z.infer<typeof reviewStatusSchema>;

export interface ReviewEntryView {
  id: string;
  kind: 'comment' | 'status';
  /** A comment: the recording and the moment (ms from its timeline start, and the wall-clock time). */
  recordingId: string | null;
  atMs: number | null;
  momentAt: string | null;
  /** A status change: the new status. */
  status: ReviewStatus | null;
  /** The comment, or the status change's note ('' when none). */
  text: string;
  authorId: string;
  authorName: string;
  createdAt: string;
}

/** GET /api/inspections/:id/review: the current status (the latest change) and the whole log, oldest first. */
export interface ReviewView {
  status: { status: ReviewStatus; by: string; at: string } | null;
  entries: ReviewEntryView[];
}
