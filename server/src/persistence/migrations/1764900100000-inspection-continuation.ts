import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An inspection the surveyor ended before concluding it, marked "to be continued" (a later
 * session or a visit on site finishes it). Stored with the end, on the inspection's row.
 * Plain SQL for SQLite and PostgreSQL.
 */
export class InspectionContinuation1764900100000 implements MigrationInterface {
  name = 'InspectionContinuation1764900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "inspection" ADD COLUMN "toBeContinued" boolean NOT NULL DEFAULT FALSE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "inspection" DROP COLUMN "toBeContinued"`);
  }
}
