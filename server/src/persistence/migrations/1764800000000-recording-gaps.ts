import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gaps as facts (recording/gap-log.ts): every interval in which a logical track of a recording
 * (a participant's camera or microphone, keyed by identity and source) had no media, with its
 * cause, written when it opens and closed when media of that track is written again. Recordings
 * from before have none: their timeline still shows holes between segments, as 'unexplained'.
 */
export class RecordingGaps1764800000000 implements MigrationInterface {
  name = 'RecordingGaps1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "recording_gap" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "recordingId" varchar(36) NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE,
      "trackKey" varchar(80) NOT NULL,
      "role" varchar(16) NOT NULL,
      "displayName" varchar(80) NOT NULL,
      "source" varchar(16) NOT NULL,
      "cause" varchar(24) NOT NULL,
      "startedAt" timestamptz NOT NULL,
      "endedAt" timestamptz)`);
    await q.query(`CREATE INDEX "idx_gap_recording" ON "recording_gap" ("recordingId", "trackKey")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_gap_recording"`);
    await q.query(`DROP TABLE "recording_gap"`);
  }
}
