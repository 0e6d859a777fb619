import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Short crew link codes (`/j/<code>`): one row per crew link that has a code, pointing at the
 * link's row, so the code has the link's expiry, scope and revocation and nothing of its own.
 * Plain SQL for SQLite and PostgreSQL.
 */
export class CrewLinkCode1764900000000 implements MigrationInterface {
  name = 'CrewLinkCode1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "crew_link_code" (
      "code" varchar(16) PRIMARY KEY NOT NULL,
      "crewLinkId" varchar(36) NOT NULL UNIQUE REFERENCES "crew_link"("id") ON DELETE CASCADE,
      "createdAt" timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "crew_link_code"`);
  }
}
