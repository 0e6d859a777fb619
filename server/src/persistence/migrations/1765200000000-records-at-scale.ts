import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #15, records at provincial scale: the estimate's basis and the lead surveyor as columns of
 * the record (reports count and group in SQL, from one index), and the indexes the dashboard's
 * grouped totals, the CSV and the paged inspection list read. Portable SQL: the same on SQLite and PostgreSQL.
 */
export class RecordsAtScale1765200000000 implements MigrationInterface {
  name = 'RecordsAtScale1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "inspection_record" ADD COLUMN "savingsBasis" varchar(24)`);
    // The estimate is JSON written by JSON.stringify (no spaces): its basis reads as a substring.
    await q.query(`UPDATE "inspection_record" SET "savingsBasis" = CASE
      WHEN "savingsEstimate" LIKE '%"basis":"calibrated-average"%' THEN 'calibrated-average'
      ELSE 'computed' END WHERE "savingsEstimate" IS NOT NULL`);
    // The lead surveyor beside the totals (it never changes): the dashboard joins nothing.
    await q.query(`ALTER TABLE "inspection_record" ADD COLUMN "surveyorId" varchar(36)`);
    await q.query(`UPDATE "inspection_record" SET "surveyorId" =
      (SELECT "i"."surveyorId" FROM "inspection" "i" WHERE "i"."id" = "inspection_record"."inspectionId")`);
    // The dashboard's totals over a date range read from the index alone; the CSV's keyset order
    // (concludedAt, inspectionId) is the index's own. One surveyor's totals: the second index.
    await q.query(`CREATE INDEX "idx_inspection_record_report" ON "inspection_record"
      ("concludedAt", "inspectionId", "outcome", "co2SavedT", "costSavedCny", "savingsBasis", "surveyorId")`);
    await q.query(`CREATE INDEX "idx_inspection_record_surveyor" ON "inspection_record" ("surveyorId", "concludedAt")`);
    await q.query(`DROP INDEX "idx_inspection_record_concluded"`);
    // The list, newest schedule first, and one surveyor's list and totals.
    await q.query(`CREATE INDEX "idx_inspection_schedule" ON "inspection" ("scheduledAt", "id")`);
    await q.query(`CREATE INDEX "idx_inspection_surveyor_schedule" ON "inspection" ("surveyorId", "scheduledAt", "id")`);
    await q.query(`DROP INDEX "idx_inspection_surveyor"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "idx_inspection_surveyor" ON "inspection" ("surveyorId")`);
    await q.query(`DROP INDEX "idx_inspection_surveyor_schedule"`);
    await q.query(`DROP INDEX "idx_inspection_schedule"`);
    await q.query(`CREATE INDEX "idx_inspection_record_concluded" ON "inspection_record" ("concludedAt")`);
    await q.query(`DROP INDEX "idx_inspection_record_surveyor"`);
    await q.query(`DROP INDEX "idx_inspection_record_report"`);
    await q.query(`ALTER TABLE "inspection_record" DROP COLUMN "surveyorId"`);
    await q.query(`ALTER TABLE "inspection_record" DROP COLUMN "savingsBasis"`);
  }
}
