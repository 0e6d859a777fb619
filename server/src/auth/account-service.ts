// Staff accounts and their sign-in sessions (cookie value -> SHA-256 row in auth_session).
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { LessThan } from 'typeorm';
import { AppError, type AccountView, type CreateAccountRequest } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { AccountEntity, AuthSessionEntity, type Account, type AuthSession } from './entities';
import { generatePassword, hashPassword, verifyPassword } from './passwords';

const logger = new Logger('accounts');
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function toAccountView(a: Account): AccountView {
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role };
}

export class AccountService {
  private readonly accounts: Repository<Account>;
  private readonly sessions: Repository<AuthSession>;
  // A fixed hash to compare against when the username is unknown, so that both paths cost one
  // scrypt and response time does not reveal which usernames exist.
  private dummyHash: Promise<string> | null = null;

  constructor(
    ds: DataSource,
    private readonly sessionTtlMs: number,
  ) {
    this.accounts = ds.getRepository(AccountEntity);
    this.sessions = ds.getRepository(AuthSessionEntity);
  }

  async create(req: CreateAccountRequest): Promise<Account> {
    if (await this.accounts.findOneBy({ username: req.username })) {
      throw new AppError('CONFLICT', `The username "${req.username}" is taken.`);
    }
    const account = await this.accounts.save({
      id: crypto.randomUUID(),
      username: req.username,
      displayName: req.displayName,
      role: req.role,
      passwordHash: await hashPassword(req.password),
    });
    logger.info('create() | account created', { accountId: account.id, role: account.role });
    return account;
  }

  /**
   * Makes sure an admin exists. Returns the one-time password when it had to invent one
   * (the caller prints it once), null when an admin existed or the password came from env.
   */
  async ensureFirstAdmin(username: string, password: string | null): Promise<string | null> {
    if (await this.accounts.countBy({ role: 'admin' })) return null;
    const pw = password ?? generatePassword();
    await this.create({ username, displayName: 'Administrator', password: pw, role: 'admin' });
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
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.sessionTtlMs);
    await this.sessions.insert({ tokenHash: sha256(token), accountId: account.id, expiresAt });
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
    return { account, token, expiresAt };
  }

  /** Changes the password after checking the current one; ends the account's other sessions. */
  async changePassword(account: Account, current: string, next: string, keepToken: string): Promise<void> {
    if (!(await verifyPassword(current, account.passwordHash))) throw new AppError('UNAUTHENTICATED', 'The current password is wrong.');
    await this.accounts.update({ id: account.id }, { passwordHash: await hashPassword(next) });
    await this.sessions
      .createQueryBuilder()
      .delete()
      .where('accountId = :id AND tokenHash != :keep', { id: account.id, keep: sha256(keepToken) })
      .execute();
    logger.info('changePassword() | password changed, other sessions ended', { accountId: account.id });
  }

  async signOut(token: string): Promise<void> {
    await this.sessions.delete({ tokenHash: sha256(token) });
  }

  /** The account behind a session cookie, or null when missing, unknown or expired. */
  async authenticate(token: string | undefined): Promise<Account | null> {
    if (!token || token.length > 128) return null;
    const session = await this.sessions.findOneBy({ tokenHash: sha256(token) });
    if (!session || session.expiresAt.getTime() <= Date.now()) return null;
    return this.accounts.findOneBy({ id: session.accountId });
  }

  async list(): Promise<Account[]> {
    return this.accounts.find({ order: { username: 'ASC' } });
  }

  async byId(id: string): Promise<Account | null> {
    return this.accounts.findOneBy({ id });
  }
}
