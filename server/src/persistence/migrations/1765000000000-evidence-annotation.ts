import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An annotated still: a photo row (the flattened JPEG) that names the original photo it was drawn
 * on and holds the drawing as its own vector layer (JSON, guide-protocol.ts). The original row and
 * its bytes stay as captured. Plain SQL for SQLite and PostgreSQL.
 */
export class EvidenceAnnotation1765000000000 implements MigrationInterface {
  name = 'EvidenceAnnotation1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "annotationOf" varchar(36)`);
    await q.query(`ALTER TABLE "evidence" ADD COLUMN "annotation" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "evidence" DROP COLUMN "annotation"`);
    await q.query(`ALTER TABLE "evidence" DROP COLUMN "annotationOf"`);
  }
}
