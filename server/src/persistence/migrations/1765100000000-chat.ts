import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chat of an inspection (chat/): one row per message, a text, a document request of the
 * surveyor or a document the crew sent (its bytes are an evidence row of type 'document'), with
 * its sender (role, account or crew link id, name) and time. Plain SQL for SQLite and PostgreSQL.
 */
export class Chat1765100000000 implements MigrationInterface {
  name = 'Chat1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "chat_message" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "inspectionId" varchar(36) NOT NULL REFERENCES "inspection"("id") ON DELETE CASCADE,
      "kind" varchar(24) NOT NULL,
      "senderRole" varchar(16) NOT NULL,
      "senderId" varchar(36) NOT NULL,
      "senderName" varchar(80) NOT NULL,
      "text" text NOT NULL,
      "sentAt" timestamptz NOT NULL,
      "evidenceId" varchar(36),
      "requestId" varchar(36))`);
    await q.query(`CREATE INDEX "idx_chat_message_inspection" ON "chat_message" ("inspectionId", "sentAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_chat_message_inspection"`);
    await q.query(`DROP TABLE "chat_message"`);
  }
}
