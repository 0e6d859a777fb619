import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review samples (reports/review-sample-service.ts): who drew one, when, the period (calendar days
 * in the authority's zone), the percentage, how many concluded inspections the period held and
 * how many were drawn, the method, the auditor they were assigned to; and the drawn inspections,
 * one row each. Rows are only added. Portable SQL: the same on SQLite and PostgreSQL.
 */
export class ReviewSample1765400000000 implements MigrationInterface {
  name = 'ReviewSample1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "review_sample" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "drawnBy" varchar(36) NOT NULL,
      "drawnByName" varchar(80) NOT NULL,
      "drawnAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "periodFrom" varchar(10) NOT NULL,
      "periodTo" varchar(10) NOT NULL,
      "timeZone" varchar(64) NOT NULL,
      "percentage" integer NOT NULL,
      "population" integer NOT NULL,
      "size" integer NOT NULL,
      "method" varchar(32) NOT NULL,
      "auditorId" varchar(36),
      "assigned" integer NOT NULL DEFAULT 0)`);
    await q.query(`CREATE INDEX "idx_review_sample_drawn" ON "review_sample" ("drawnAt")`);
    await q.query(`CREATE TABLE "review_sample_item" (
      "sampleId" varchar(36) NOT NULL REFERENCES "review_sample"("id") ON DELETE CASCADE,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      PRIMARY KEY ("sampleId", "inspectionId"))`);
    await q.query(`CREATE INDEX "idx_review_sample_item_inspection" ON "review_sample_item" ("inspectionId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_review_sample_item_inspection"`);
    await q.query(`DROP TABLE "review_sample_item"`);
    await q.query(`DROP INDEX "idx_review_sample_drawn"`);
    await q.query(`DROP TABLE "review_sample"`);
  }
}
