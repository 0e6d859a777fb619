// Staff accounts and their sign-in sessions (cookie value -> SHA-256 row in auth_session).
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { LessThan } from 'typeorm';
import { AppError, type AccountView, type CreateAccountRequest } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { AccountEntity, AuthSessionEntity, type Account, type AuthSession } from './entities';
import { SafeEmitter } from '../lib/safe-emitter';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './passwords';

const logger = new Logger('accounts');
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function toAccountView(a: Account): AccountView {
  return {
    id: a.id,
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    disabled: Boolean(a.disabledAt),
    mustChangePassword: Boolean(a.mustChangePassword),
  };
}

/** Why an account's sessions ended (the signaling edge disconnects its sockets with it). */
export type SessionsEndedReason = 'signed-out' | 'password-changed' | 'password-reset' | 'account-disabled';

/** Which of an account's sessions ended (by the SHA-256 of their tokens). */
export type EndedSessions = { only: string } | { allBut: string | null };

export interface AccountEvents extends Record<string, unknown[]> {
  /**
   * Sessions of `accountId` ended: one (signed out), all but the one that changed the password, or
   * all (reset, disabled). Emitted after the rows are gone.
   */
  sessionsEnded: [accountId: string, reason: SessionsEndedReason, which: EndedSessions];
}

/** A valid sign-in session: its account and when it expires. */
export interface StaffSession {
  account: Account;
  tokenHash: string;
  expiresAt: Date;
}

export class AccountService extends SafeEmitter<AccountEvents> {
  private readonly accounts: Repository<Account>;
  private readonly sessions: Repository<AuthSession>;
  // A fixed hash to compare against when the username is unknown, so that both paths cost one
  // scrypt and response time does not reveal which usernames exist.
  private dummyHash: Promise<string> | null = null;

  constructor(
    ds: DataSource,
    private readonly sessionTtlMs: number,
  ) {
    super(logger);
    this.accounts = ds.getRepository(AccountEntity);
    this.sessions = ds.getRepository(AuthSessionEntity);
  }

  async create(req: CreateAccountRequest, options: { mustChangePassword?: boolean } = {}): Promise<Account> {
    if (await this.accounts.findOneBy({ username: req.username })) {
      throw new AppError('CONFLICT', `The username "${req.username}" is taken.`);
    }
    const account = await this.accounts.save({
      id: crypto.randomUUID(),
      username: req.username,
      displayName: req.displayName,
      role: req.role,
      passwordHash: await hashPassword(req.password),
      disabledAt: null,
      mustChangePassword: options.mustChangePassword ?? false,
    });
    logger.info('create() | account created', { accountId: account.id, role: account.role });
    return account;
  }

  /**
   * Makes sure an admin exists. Returns the one-time password when it had to invent one (the
   * caller prints it once, and the admin must change it at the first sign-in), null when an admin
   * existed or the password came from env.
   */
  async ensureFirstAdmin(username: string, password: string | null): Promise<string | null> {
    if (await this.accounts.countBy({ role: 'admin' })) return null;
    const pw = password ?? generatePassword();
    await this.create({ username, displayName: 'Administrator', password: pw, role: 'admin' }, { mustChangePassword: password === null });
    return password ? null : pw;
  }

  async signIn(username: string, password: string): Promise<{ account: Account; token: string; expiresAt: Date }> {
    const account = await this.accounts.findOneBy({ username });
    this.dummyHash ??= hashPassword(generatePassword());
    const ok = await verifyPassword(password, account?.passwordHash ?? (await this.dummyHash));
    if (!account || !ok) {
      logger.info('signIn() | refused', { username: username.slice(0, 64) });
      throw new AppError('UNAUTHENTICATED', 'Wrong username or password.');
    }
    // Told only to whoever knows the password: it does not reveal that the username exists.
    if (account.disabledAt) throw new AppError('ACCOUNT_DISABLED', 'This account was disabled by an administrator.');
    if (needsRehash(account.passwordHash)) {
      account.passwordHash = await hashPassword(password);
      await this.accounts.update({ id: account.id }, { passwordHash: account.passwordHash });
      logger.info('signIn() | password hash upgraded to the current parameters', { accountId: account.id });
    }
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.sessionTtlMs);
    await this.sessions.insert({ tokenHash: sha256(token), accountId: account.id, expiresAt });
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
    return { account, token, expiresAt };
  }

  /** Changes the password after checking the current one; ends the account's other sessions. */
  async changePassword(account: Account, current: string, next: string, keepToken: string): Promise<void> {
    if (!(await verifyPassword(current, account.passwordHash))) throw new AppError('UNAUTHENTICATED', 'The current password is wrong.');
    if (current === next) throw new AppError('BAD_REQUEST', 'The new password must differ from the current one.');
    await this.accounts.update({ id: account.id }, { passwordHash: await hashPassword(next), mustChangePassword: false });
    const kept = sha256(keepToken);
    await this.sessions
      .createQueryBuilder()
      .delete()
      .where('accountId = :id AND tokenHash != :keep', { id: account.id, keep: kept })
      .execute();
    logger.info('changePassword() | password changed, other sessions ended', { accountId: account.id });
    this.safeEmit('sessionsEnded', account.id, 'password-changed', { allBut: kept });
  }

  async signOut(token: string): Promise<void> {
    const tokenHash = sha256(token);
    const session = await this.sessions.findOneBy({ tokenHash });
    await this.sessions.delete({ tokenHash });
    // Only this session: the account's other sign-ins (another browser) go on.
    if (session) this.safeEmit('sessionsEnded', session.accountId, 'signed-out', { only: tokenHash });
  }

  /** The account behind a session cookie, or null when missing, unknown, expired or disabled. */
  async authenticate(token: string | undefined): Promise<Account | null> {
    return (await this.authenticateSession(token))?.account ?? null;
  }

  /** authenticate(), with the session's expiry (a live connection ends with it). */
  async authenticateSession(token: string | undefined): Promise<StaffSession | null> {
    if (!token || token.length > 128) return null;
    const tokenHash = sha256(token);
    const session = await this.sessions.findOneBy({ tokenHash });
    if (!session || session.expiresAt.getTime() <= Date.now()) return null;
    const account = await this.accounts.findOneBy({ id: session.accountId });
    return account && !account.disabledAt ? { account, tokenHash, expiresAt: session.expiresAt } : null;
  }

  /**
   * Re-checks a session by its token's hash (a live connection's periodic check): null while it
   * is valid, otherwise why it is not.
   */
  async sessionEnded(tokenHash: string): Promise<SessionsEndedReason | 'session-expired' | null> {
    const session = await this.sessions.findOneBy({ tokenHash });
    if (!session) return 'signed-out';
    if (session.expiresAt.getTime() <= Date.now()) return 'session-expired';
    const account = await this.accounts.findOneBy({ id: session.accountId });
    return account && !account.disabledAt ? null : 'account-disabled';
  }

  private async target(by: Account, accountId: string): Promise<Account> {
    const account = typeof accountId === 'string' && accountId.length <= 64 ? await this.accounts.findOneBy({ id: accountId }) : null;
    if (!account) throw new AppError('NOT_FOUND', 'No such account.');
    if (account.id === by.id) throw new AppError('BAD_REQUEST', 'Use another administrator account to change your own.');
    return account;
  }

  private async endSessions(accountId: string, reason: SessionsEndedReason): Promise<void> {
    await this.sessions.delete({ accountId });
    this.safeEmit('sessionsEnded', accountId, reason, { allBut: null });
  }

  /** An admin disables an account: it cannot sign in, and its sessions end now. */
  async disable(by: Account, accountId: string): Promise<Account> {
    const account = await this.target(by, accountId);
    if (!account.disabledAt) {
      account.disabledAt = new Date();
      await this.accounts.update({ id: account.id }, { disabledAt: account.disabledAt });
      logger.info('disable() | enabled -> disabled', { accountId: account.id, by: by.id });
    }
    await this.endSessions(account.id, 'account-disabled');
    return account;
  }

  async enable(by: Account, accountId: string): Promise<Account> {
    const account = await this.target(by, accountId);
    if (account.disabledAt) {
      account.disabledAt = null;
      await this.accounts.update({ id: account.id }, { disabledAt: null });
      logger.info('enable() | disabled -> enabled', { accountId: account.id, by: by.id });
    }
    return account;
  }

  /**
   * An admin resets a password: a generated one (returned once, to hand over), to be changed at
   * the next sign-in; the account's sessions end now.
   */
  async resetPassword(by: Account, accountId: string): Promise<{ account: Account; password: string }> {
    const account = await this.target(by, accountId);
    const password = generatePassword();
    account.passwordHash = await hashPassword(password);
    account.mustChangePassword = true;
    await this.accounts.update({ id: account.id }, { passwordHash: account.passwordHash, mustChangePassword: true });
    await this.endSessions(account.id, 'password-reset');
    logger.info('resetPassword() | password reset, to be changed at the next sign-in', { accountId: account.id, by: by.id });
    return { account, password };
  }

  async list(): Promise<Account[]> {
    return this.accounts.find({ order: { username: 'ASC' } });
  }

  async byId(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }
}
