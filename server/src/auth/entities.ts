// Entities of staff sign-in: accounts and their sessions, declared with EntitySchema (no decorators, so no emitDecoratorMetadata is
// needed by tsx/ts-jest). Column types are explicit; the schema itself lives in persistence/migrations/.
import { EntitySchema } from 'typeorm';
import type { StaffRole } from '@cloudship/shared';

export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
  createdAt: Date;
  /** Set by an admin: the account can no longer sign in, and its sessions were ended. */
  disabledAt?: Date | null;
  /** A generated password (first admin, admin reset): it must be changed before anything else. */
  mustChangePassword?: boolean;
}

export interface AuthSession {
  /** SHA-256 of the cookie value: a database leak does not leak usable sessions. */
  tokenHash: string;
  accountId: string;
  expiresAt: Date;
  createdAt: Date;
}

const id = { type: 'varchar', length: 36, primary: true } as const;
const createdAt = { type: 'datetime', createDate: true } as const;

export const AccountEntity = new EntitySchema<Account>({
  name: 'Account',
  tableName: 'account',
  columns: {
    id,
    username: { type: 'varchar', length: 64, unique: true },
    displayName: { type: 'varchar', length: 80 },
    role: { type: 'varchar', length: 16 },
    passwordHash: { type: 'varchar', length: 255 },
    createdAt,
    disabledAt: { type: 'datetime', nullable: true },
    mustChangePassword: { type: 'boolean', default: false },
  },
});

export const AuthSessionEntity = new EntitySchema<AuthSession>({
  name: 'AuthSession',
  tableName: 'auth_session',
  columns: {
    tokenHash: { type: 'varchar', length: 64, primary: true },
    accountId: { type: 'varchar', length: 36 },
    expiresAt: { type: 'datetime' },
    createdAt,
  },
});

export const AUTH_ENTITIES = [AccountEntity, AuthSessionEntity];
