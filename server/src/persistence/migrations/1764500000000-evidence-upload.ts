import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence stills go through the upload queue (storage/upload-queue.ts) like recording segments:
 * their upload state, attempts, last error, next attempt, staged file and upload time.
 *
 * Rows from before keep a null uploadState: SQL cannot look at DATA_DIR, so the evidence upload
 * source classifies them at start-up (inspection-record/evidence-upload-source.ts): still staged
 * on disk -> 'pending', otherwise 'uploaded' (a still left the disk only once the store had
 * confirmed it). Going down loses no still either: the code before this keeps offering whatever is
 * staged to the store.
 */
export class EvidenceUpload1764500000000 implements MigrationInterface {
  name = 'EvidenceUpload1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "uploadState" varchar(16)`);
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "attempts" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "lastError" varchar(300)`);
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "nextAttemptAt" timestamptz`);
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "localPath" varchar(200)`);
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "uploadedAt" timestamptz`);
    await q.query(`CREATE INDEX "idx_evidence_upload" ON "evidence" ("uploadState", "nextAttemptAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    // SQLite refuses to drop an indexed column: the index goes first.
    await q.query(`DROP INDEX "idx_evidence_upload"`);
    for (const c of ['uploadedAt', 'localPath', 'nextAttemptAt', 'lastError', 'attempts', 'uploadState'])
      await q.query(`ALTER TABLE "evidence" DROP COLUMN "${c}"`);
  }
}
