import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts an admin disabled, and accounts that must change a generated password first. */
export class AccountState1764700000000 implements MigrationInterface {
  name = 'AccountState1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "account" ADD COLUMN "disabledAt" timestamptz`);
    await q.query(`ALTER TABLE "account" ADD COLUMN "mustChangePassword" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "account" DROP COLUMN "mustChangePassword"`);
    await q.query(`ALTER TABLE "account" DROP COLUMN "disabledAt"`);
  }
}
