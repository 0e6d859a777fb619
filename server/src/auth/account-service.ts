// Staff accounts and their sign-in sessions (cookie value -> SHA-256 row in auth_session).
import crypto from 'node:crypto';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { LessThan } from 'typeorm';
import { AppError, can, type AccountView, type CreateAccountRequest, type StaffRole, type UpdateAccountRequest } from '@cloudship/shared';
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
export type SessionsEndedReason = 'signed-out' | 'password-changed' | 'password-reset' | 'account-disabled' | 'role-changed';

/**
 * What a role change means for the work an account does (registered by the features that know
 * it: inspection/ for the inspections it leads or is assigned to). Runs inside the transaction of
 * the change, before the role is written: it throws an AppError to refuse the change, or tidies
 * up with `manager` (rolled back with the change when a later step fails).
 */
export type RoleChangeRule = (account: Account, to: StaffRole, manager: EntityManager) => Promise<void>;

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
  private readonly roleChangeRules: RoleChangeRule[] = [];
  // Changes to accounts (create, edit, disable, enable, reset) run one at a time: two admins who
  // demote or disable each other at the same moment would otherwise each see the other as the
  // remaining admin and leave none; two creations of one username would both pass the check.
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly sessionTtlMs: number,
  ) {
    super(logger);
    this.accounts = ds.getRepository(AccountEntity);
    this.sessions = ds.getRepository(AuthSessionEntity);
  }

  /** A feature's rule for role changes (see RoleChangeRule). */
  useRoleChangeRule(rule: RoleChangeRule): void {
    this.roleChangeRules.push(rule);
  }

  private oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => undefined);
    return next;
  }

  /**
   * The admin acting, read again inside the queue: one demoted or disabled by a change that ran
   * just before may no longer manage accounts.
   */
  private async actor(by: Account): Promise<Account> {
    const now = await this.accounts.findOneBy({ id: by.id });
    if (!now || now.disabledAt || !can(now.role, 'account.manage')) {
      throw new AppError('FORBIDDEN', 'You are no longer an administrator: another administrator changed your account.');
    }
    return now;
  }

  /** Refuses to take the admin role from, or disable, the last enabled admin. */
  private async keepAnAdmin(account: Account, what: 'role' | 'disabled'): Promise<void> {
    if (account.role !== 'admin' || account.disabledAt) return;
    const others = await this.accounts
      .createQueryBuilder('a')
      .where('a.role = :admin AND a.disabledAt IS NULL AND a.id != :id', { admin: 'admin', id: account.id })
      .getCount();
    if (others === 0) {
      throw new AppError(
        'CONFLICT',
        what === 'role'
          ? 'role: this is the last enabled administrator; make another account an administrator first.'
          : 'This is the last enabled administrator; make another account an administrator first.',
      );
    }
  }

  async create(req: CreateAccountRequest, options: { mustChangePassword?: boolean } = {}): Promise<Account> {
    return this.oneAtATime(() => this.createNow(req, options));
  }

  private async createNow(req: CreateAccountRequest, options: { mustChangePassword?: boolean }): Promise<Account> {
    // Unique regardless of case (USERNAME_RULE): "Li.Wei" and "li.wei" would be told apart by nobody.
    const taken = await this.accounts
      .createQueryBuilder('a')
      .where('LOWER(a.username) = LOWER(:username)', { username: req.username })
      .getOne();
    if (taken) throw new AppError('CONFLICT', `username: "${req.username}" is already taken; choose another username.`);
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

  private async find(accountId: string): Promise<Account> {
    const account = typeof accountId === 'string' && accountId.length <= 64 ? await this.accounts.findOneBy({ id: accountId }) : null;
    if (!account) throw new AppError('NOT_FOUND', 'No such account.');
    return account;
  }

  private async target(by: Account, accountId: string): Promise<Account> {
    await this.actor(by);
    const account = await this.find(accountId);
    if (account.id === by.id) throw new AppError('BAD_REQUEST', 'Use another administrator account to change your own.');
    return account;
  }

  /**
   * An admin edits an account's display name and/or role. One's own display name may change, not
   * one's own role; the last enabled admin keeps the admin role. A role change runs the features'
   * rules (RoleChangeRule) in the same transaction and ends the account's sessions: what it may do
   * changed, so it signs in again.
   */
  async update(by: Account, accountId: string, req: UpdateAccountRequest): Promise<Account> {
    return this.oneAtATime(async () => {
      await this.actor(by);
      const account = await this.find(accountId);
      const role = req.role !== undefined && req.role !== account.role ? req.role : null;
      if (role && account.id === by.id) {
        throw new AppError('BAD_REQUEST', 'role: you cannot change your own role; another administrator can.');
      }
      if (role) await this.keepAnAdmin(account, 'role');
      const changes: Partial<Account> = {};
      if (req.displayName !== undefined && req.displayName !== account.displayName) changes.displayName = req.displayName;
      if (role) changes.role = role;
      if (!Object.keys(changes).length) return account;
      await this.ds.transaction(async (m) => {
        if (role) for (const rule of this.roleChangeRules) await rule(account, role, m);
        await m.getRepository(AccountEntity).update({ id: account.id }, changes);
        if (role) await m.getRepository(AuthSessionEntity).delete({ accountId: account.id });
      });
      const from = account.role;
      Object.assign(account, changes);
      if (changes.displayName) logger.info('update() | display name changed', { accountId: account.id, by: by.id });
      if (role) {
        logger.info(`update() | role ${from} -> ${role}, sessions ended`, { accountId: account.id, by: by.id });
        this.safeEmit('sessionsEnded', account.id, 'role-changed', { allBut: null });
      }
      return account;
    });
  }

  private async endSessions(accountId: string, reason: SessionsEndedReason): Promise<void> {
    await this.sessions.delete({ accountId });
    this.safeEmit('sessionsEnded', accountId, reason, { allBut: null });
  }

  /** An admin disables an account: it cannot sign in, and its sessions end now. */
  async disable(by: Account, accountId: string): Promise<Account> {
    return this.oneAtATime(() => this.disableNow(by, accountId));
  }

  private async disableNow(by: Account, accountId: string): Promise<Account> {
    const account = await this.target(by, accountId);
    await this.keepAnAdmin(account, 'disabled');
    if (!account.disabledAt) {
      account.disabledAt = new Date();
      await this.accounts.update({ id: account.id }, { disabledAt: account.disabledAt });
      logger.info('disable() | enabled -> disabled', { accountId: account.id, by: by.id });
    }
    await this.endSessions(account.id, 'account-disabled');
    return account;
  }

  async enable(by: Account, accountId: string): Promise<Account> {
    return this.oneAtATime(() => this.enableNow(by, accountId));
  }

  private async enableNow(by: Account, accountId: string): Promise<Account> {
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
    return this.oneAtATime(() => this.resetPasswordNow(by, accountId));
  }

  private async resetPasswordNow(by: Account, accountId: string): Promise<{ account: Account; password: string }> {
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
