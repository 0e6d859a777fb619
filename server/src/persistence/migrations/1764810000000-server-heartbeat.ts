import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The running server's heartbeat (persistence/heartbeat.ts): one row, its `beatAt` rewritten every
 * 2 s. After a crash, the last beat tells when the previous run died, so what it left open (the
 * participant log's rows) ends then, not at the restart. Plain SQL for SQLite and PostgreSQL.
 */
export class ServerHeartbeat1764810000000 implements MigrationInterface {
  name = 'ServerHeartbeat1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "server_heartbeat" (
      "id" integer PRIMARY KEY NOT NULL CHECK ("id" = 1),
      "beatAt" timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "server_heartbeat"`);
  }
}
