import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The auditor's review (recording/review-service.ts): one row per review comment (pinned to a
 * moment of a recording: its id, the offset from the timeline's start and the wall-clock time) and
 * per status change ('reviewed', 'query-raised', with an optional note), with who and when. Rows
 * are only ever added: the log is the history. Plain SQL for SQLite and PostgreSQL.
 */
export class Review1765300000000 implements MigrationInterface {
  name = 'Review1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "review_entry" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "kind" varchar(16) NOT NULL,
      "recordingId" varchar(36),
      "atMs" integer,
      "momentAt" timestamptz,
      "status" varchar(16),
      "text" text NOT NULL,
      "authorId" varchar(36) NOT NULL,
      "authorName" varchar(80) NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    await q.query(`CREATE INDEX "idx_review_entry_inspection" ON "review_entry" ("inspectionId", "createdAt")`);
    await q.query(`CREATE INDEX "idx_review_entry_recording" ON "review_entry" ("recordingId", "atMs")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_review_entry_recording"`);
    await q.query(`DROP INDEX "idx_review_entry_inspection"`);
    await q.query(`DROP TABLE "review_entry"`);
  }
}
