// Every request throttle of the server, in one place, in memory (rate-limiter-flexible's
// RateLimiterMemory: per process, forgotten at restart). Configured from Config (LOGIN_THROTTLE_*,
// CREW_LINK_THROTTLE_*, EVIDENCE_THROTTLE_*); see README, Security.
//
// - sign-in: wrong passwords per username and per IP; at the limit the key is locked for the
//   window, and each further lockout within a day doubles it (up to the maximum). A correct
//   password while locked is refused too; a successful sign-in clears the username's count.
// - crew links: opening a link (`GET /join/:token`, `GET /api/crew/invitation`) per IP.
// - evidence: uploads (`POST /api/crew/evidence`) per crew link.
//
// A refusal is TOO_MANY_REQUESTS (429) "Too many attempts: try again in N s" with `Retry-After: N`.
import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppError } from '@cloudship/shared';
import type { Config } from '../config/config';
import { Logger } from '../logging/logger';
import type { CrewTokenSigner } from './crew-tokens';

const logger = new Logger('throttle');

/** How long consecutive lockouts are remembered for the backoff. */
const BACKOFF_MEMORY_SECONDS = 24 * 3600;

export interface ThrottleRule {
  /** Hits allowed within the window; the hit that reaches it locks the key. */
  points: number;
  windowSeconds: number;
  /** Set: each consecutive lockout lasts twice as long as the one before, at most this long. */
  maxBlockSeconds?: number;
}

/**
 * The refusal: 429 "Too many attempts: try again in N s"; the REST error handler adds
 * `Retry-After: N`. Without a known wait (`null`) the message says why and no header is sent.
 */
export class TooManyRequests extends AppError {
  constructor(
    readonly retryAfterSeconds: number | null,
    message = `Too many attempts: try again in ${retryAfterSeconds} s.`,
  ) {
    super('TOO_MANY_REQUESTS', message);
  }
}

/**
 * A counter of hits per key over a window. The hit that reaches the limit locks the key: while
 * locked every request of that key is refused without being looked at, and the count starts again
 * once the lock ends. With `maxBlockSeconds`, consecutive lockouts (within a day) double.
 */
export class Throttle {
  private readonly hits: RateLimiterMemory;
  /** The lock of a key: a record holding the lock's length, expiring when the key may try again. */
  private readonly locks: RateLimiterMemory;
  private readonly lockouts: RateLimiterMemory | null;

  constructor(
    readonly name: string,
    readonly rule: ThrottleRule,
  ) {
    this.hits = new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.windowSeconds });
    this.locks = new RateLimiterMemory({ keyPrefix: `${name}:lock`, points: 1, duration: rule.windowSeconds });
    this.lockouts = rule.maxBlockSeconds
      ? new RateLimiterMemory({ keyPrefix: `${name}:lockouts`, points: 1_000_000, duration: BACKOFF_MEMORY_SECONDS })
      : null;
  }

  /** The lock on `key`: how long it was locked for and the seconds left; null when not locked. */
  async lock(key: string): Promise<{ seconds: number; retryAfter: number } | null> {
    const r = await this.locks.get(key);
    if (!r || r.msBeforeNext <= 0) return null;
    return { seconds: r.consumedPoints, retryAfter: Math.max(1, Math.ceil(r.msBeforeNext / 1000)) };
  }

  /** Seconds until `key` may try again; 0 when it may now. */
  async retryAfter(key: string): Promise<number> {
    return (await this.lock(key))?.retryAfter ?? 0;
  }

  /** Throws TooManyRequests while `key` is locked. */
  async assertAllowed(key: string): Promise<void> {
    const wait = await this.retryAfter(key);
    if (wait > 0) throw new TooManyRequests(wait);
  }

  /** Counts one hit; true when this hit reached the limit and locked the key. */
  async hit(key: string): Promise<boolean> {
    const r = await this.hits.penalty(key, 1);
    if (r.consumedPoints < this.rule.points) return false;
    let seconds = this.rule.windowSeconds;
    if (this.lockouts && this.rule.maxBlockSeconds) {
      const n = (await this.lockouts.penalty(key, 1)).consumedPoints;
      seconds = Math.min(this.rule.windowSeconds * 2 ** Math.min(n - 1, 20), this.rule.maxBlockSeconds);
    }
    await this.locks.set(key, seconds, seconds);
    await this.hits.delete(key);
    logger.info('hit() | locked', { throttle: this.name, seconds });
    return true;
  }

  /** Takes back a hit that turned out harmless (a sign-in that succeeded), and the lock it caused. */
  async refund(key: string, locked: boolean): Promise<void> {
    if (locked) {
      await this.locks.delete(key);
      await this.lockouts?.reward(key, 1);
    } else {
      await this.hits.reward(key, 1);
    }
  }

  /** Forgets `key`: its hits, its lock and its lockouts. */
  async reset(key: string): Promise<void> {
    await this.hits.delete(key);
    await this.locks.delete(key);
    await this.lockouts?.delete(key);
  }
}

/** The address the request came from (`trust proxy` is off: the socket's peer). */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Sign-in: wrong passwords per username and per IP. */
export class LoginThrottle {
  readonly byUsername: Throttle;
  readonly byIp: Throttle;

  constructor(rule: Config['throttle']['login']) {
    const backoff = { windowSeconds: rule.windowSeconds, maxBlockSeconds: rule.maxBlockSeconds };
    this.byUsername = new Throttle('login-username', { points: rule.perUsername, ...backoff });
    this.byIp = new Throttle('login-ip', { points: rule.perIp, ...backoff });
  }

  /** The key of a username: as typed, minus surrounding blanks and case. */
  static key(username: string): string {
    return username.trim().toLowerCase().slice(0, 200);
  }

  /**
   * Runs `signIn` unless the IP or the username is locked (then TooManyRequests, whatever the
   * password). Every attempt is counted against both before the password is checked, so that
   * parallel guesses cannot all slip through; a successful sign-in takes its count back and
   * clears the username's count and lockouts; anything but a wrong password (UNAUTHENTICATED)
   * takes it back too.
   */
  async guard<T>(ip: string, username: string, signIn: () => Promise<T>): Promise<T> {
    const user = LoginThrottle.key(username);
    const wait = Math.max(await this.byIp.retryAfter(ip), await this.byUsername.retryAfter(user));
    if (wait > 0) throw new TooManyRequests(wait);
    const ipLocked = await this.byIp.hit(ip);
    const userLocked = await this.byUsername.hit(user);
    try {
      const result = await signIn();
      await this.byUsername.reset(user);
      await this.byIp.refund(ip, ipLocked);
      return result;
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'UNAUTHENTICATED')) {
        await this.byUsername.refund(user, userLocked);
        await this.byIp.refund(ip, ipLocked);
      }
      throw e;
    }
  }
}

/** The server's throttles, made from Config in app.ts and handed to the routes that use them. */
export class Throttles {
  readonly login: LoginThrottle;
  /** Crew link opens per IP. */
  readonly crewLink: Throttle;
  /** Evidence uploads per crew link. */
  readonly evidence: Throttle;

  constructor(config: Config['throttle']) {
    this.login = new LoginThrottle(config.login);
    this.crewLink = new Throttle('crew-link-ip', config.crewLink);
    this.evidence = new Throttle('evidence-link', config.evidence);
  }

  /** Counts a crew link open from the request's IP; refuses while the IP is locked. */
  async crewLinkOpen(req: Request): Promise<void> {
    const ip = clientIp(req);
    await this.crewLink.assertAllowed(ip);
    await this.crewLink.hit(ip);
  }

  /** Middleware for `GET /api/crew/invitation`: 429 (JSON, Retry-After) while the IP is locked. */
  crewLinkMiddleware(): RequestHandler {
    return async (req, _res, next) => {
      try {
        await this.crewLinkOpen(req);
        next();
      } catch (e) {
        next(e);
      }
    };
  }

  /**
   * Middleware for `POST /api/crew/evidence`: counts the upload against its crew link (the link id
   * in the signed token; a token that does not verify is left to the route, which refuses it).
   */
  evidenceMiddleware(signer: CrewTokenSigner): RequestHandler {
    return async (req, _res, next) => {
      const header = req.headers.authorization ?? '';
      let linkId: string | null = null;
      try {
        if (header.startsWith('Crew ')) linkId = signer.verify(header.slice(5).trim()).l;
      } catch {
        linkId = null;
      }
      if (!linkId) return next();
      try {
        await this.evidence.assertAllowed(linkId);
        await this.evidence.hit(linkId);
        next();
      } catch (e) {
        req.resume(); // discard the image: the client then reads our answer
        next(e);
      }
    };
  }
}
