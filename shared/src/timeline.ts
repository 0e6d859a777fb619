// What happened during a recording, besides its media: the marks on the replay timeline's lanes,
// each at the moment it happened (GET /api/recordings/:id/timeline). The server serves what it
// stores; the page words it (client/src/replay/timeline-lanes.ts).
export const TIMELINE_LANES = ['evidence', 'checklist', 'chat', 'position', 'network', 'review'] as const;
export type TimelineLane = (typeof TIMELINE_LANES)[number];

export interface TimelineMarkView {
  lane: TimelineLane;
  /**
   * evidence: photo | annotation | document | bookmark; checklist: the verdict (pass, fail, ...);
   * chat: the chat message kind; position: fix; network: a gap cause, 'connection-lost' or
   * 'quality-dip' (the crew camera's stream scored low, see server/src/field/link-quality.ts);
   * review: comment.
   */
  kind: string;
  at: string;
  /** Who (a display name; '' when not known). */
  who: string;
  /** Free text as stored: a note, a checklist item's code and title, a document's name. */
  text: string;
  /** The same in Chinese, where the record holds both (a checklist item's title). */
  textZh?: string;
  /** The evidence row (stills and documents: its file is one link away), or null. */
  ref: string | null;
  /** Position fixes: latitude, longitude and accuracy (m); null otherwise. */
  lat?: number;
  lon?: number;
  accuracy?: number;
  /** Quality dips: the worst score (0-10) and when it ended (null: still low when the server stopped). */
  score?: number;
  untilAt?: string | null;
}
