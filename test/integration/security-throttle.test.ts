// Throttling against the real server (auth/throttle.ts): sign-in per username and per IP with
// backoff, crew link opens per IP, evidence uploads per crew link. Each test connects from its own
// loopback address (127.0.0.N), which the server sees as its own client IP, so that the per-IP
// counts of one test never touch another's.
import { LoginThrottle } from '../../server/src/auth/throttle';
import { TINY_JPEG, crewUpload } from '../helpers/record-fixtures';
import { rawRequest, type RawResponse } from '../helpers/raw-http';
import { useFixture, type FileFixture } from '../helpers/fixtures';

const TOO_MANY = /^Too many attempts: try again in (\d+) s/;

function login(fx: FileFixture, username: string, password: string, ip: string): Promise<RawResponse> {
  return rawRequest(fx.server.url, 'POST', '/api/auth/login', { body: { username, password }, localAddress: ip });
}

/** Asserts a 429 with TOO_MANY_REQUESTS, the message naming the wait and Retry-After; returns the wait. */
function expectThrottled(r: RawResponse): number {
  expect(r.status).toBe(429);
  expect(r.json?.error?.code).toBe('TOO_MANY_REQUESTS');
  const m = TOO_MANY.exec(String(r.json?.error?.message));
  expect(m).not.toBeNull();
  expect(r.headers['retry-after']).toBe(m![1]);
  return Number(m![1]);
}

/**
 * Polls `attempt` (every 100 ms, for at most `withinMs`) until it answers something else than 429;
 * returns that answer. The deadline is generous: this waits for the Retry-After the server gave.
 */
async function pollUntilNot429(attempt: () => Promise<RawResponse>, withinMs: number): Promise<RawResponse> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const r = await attempt();
    if (r.status !== 429) return r;
    if (Date.now() > deadline) throw new Error(`still 429 after ${withinMs} ms: ${r.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('sign-in with the default one-minute window', () => {
  const fx = useFixture({ env: { LOGIN_THROTTLE_PER_IP: '12', CREW_LINK_THROTTLE_PER_IP: '5', EVIDENCE_THROTTLE_PER_LINK: '3' } });

  test('the 11th wrong password for a username is 429 with Retry-After, and so is the right one then', async () => {
    const user = await fx.account('surveyor', 'throttled1');
    const ip = '127.0.0.21';
    for (let i = 1; i <= 10; i++) {
      const r = await login(fx, user.username, `wrong-password-${i}`, ip);
      expect([i, r.status]).toEqual([i, 401]);
    }
    const eleventh = await login(fx, user.username, 'wrong-password-11', ip);
    const wait = expectThrottled(eleventh);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // The right password is refused as well while the username is locked, from any address.
    expectThrottled(await login(fx, user.username, user.password, ip));
    expectThrottled(await login(fx, user.username, user.password, '127.0.0.22'));
    // Usernames are counted as typed, without case or blanks.
    expectThrottled(await login(fx, ` ${user.username.toUpperCase()} `, user.password, '127.0.0.23'));
  });

  test("a successful sign-in resets the username's count", async () => {
    const user = await fx.account('surveyor', 'resets1');
    // Two addresses: the per-IP count (12 here) stays out of the way; the username's does not.
    for (let i = 0; i < 9; i++) expect((await login(fx, user.username, 'wrong-password', '127.0.0.31')).status).toBe(401);
    expect((await login(fx, user.username, user.password, '127.0.0.31')).status).toBe(200);
    // Without the reset the 10th failure would lock the username and these would be 429.
    for (let i = 0; i < 9; i++) expect((await login(fx, user.username, 'wrong-password', '127.0.0.32')).status).toBe(401);
    expect((await login(fx, user.username, user.password, '127.0.0.32')).status).toBe(200);
  });

  test('one address trying many usernames is locked after LOGIN_THROTTLE_PER_IP wrong passwords', async () => {
    const victim = await fx.account('surveyor', 'iplocked1');
    const ip = '127.0.0.41';
    for (let i = 0; i < 12; i++) expect((await login(fx, `nobody-${i}`, 'wrong-password', ip)).status).toBe(401);
    expectThrottled(await login(fx, 'nobody-13', 'wrong-password', ip));
    // Even an existing account with its right password, from that address; other addresses are fine.
    expectThrottled(await login(fx, victim.username, victim.password, ip));
    expect((await login(fx, victim.username, victim.password, '127.0.0.42')).status).toBe(200);
  });

  test('crew links: opening links from one address is throttled (invitation API and the page)', async () => {
    const surveyor = await fx.account('surveyor', 'crewlinks1');
    const { token } = await fx.inspectionWithLink(surveyor.cookie);
    const ip = '127.0.0.51';
    const invitation = () =>
      rawRequest(fx.server.url, 'GET', '/api/crew/invitation', { headers: { authorization: `Crew ${token}` }, localAddress: ip });
    for (let i = 0; i < 5; i++) expect((await invitation()).status).toBe(200);
    expectThrottled(await invitation());
    const page = await rawRequest(fx.server.url, 'GET', `/join/${token}`, { localAddress: ip });
    expect(page.status).toBe(429);
    expect(page.text).toContain('data-code="TOO_MANY_REQUESTS"');
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    // Forged tokens count too (that is what guessing looks like), and other addresses are not affected.
    const other = '127.0.0.52';
    for (let i = 0; i < 5; i++)
      expect((await rawRequest(fx.server.url, 'GET', `/join/forged-${i}`, { localAddress: other })).status).toBe(401);
    expect((await rawRequest(fx.server.url, 'GET', `/join/${token}`, { localAddress: other })).status).toBe(429);
    expect((await rawRequest(fx.server.url, 'GET', `/join/${token}`, { localAddress: '127.0.0.53' })).status).toBe(200);
  });

  test('evidence uploads are throttled per crew link', async () => {
    const surveyor = await fx.account('surveyor', 'evidence1');
    const first = await fx.inspectionWithLink(surveyor.cookie);
    const second = await fx.inspectionWithLink(surveyor.cookie);
    const upload = (token: string) => crewUpload(fx.server, token, TINY_JPEG, { query: { initiative: 'crew' } });
    for (let i = 0; i < 3; i++) expect((await upload(first.token)).status).toBe(201);
    const refused = await upload(first.token);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.body.error.message).toMatch(TOO_MANY);
    // Nothing was stored for the refused upload; another link is not affected.
    const record = await fx.server.api('GET', `/api/inspections/${first.inspection.id}/record`, { cookie: surveyor.cookie });
    expect(record.body.record.evidence).toHaveLength(3);
    expect((await upload(second.token)).status).toBe(201);
  });
});

describe('sign-in with a two-second window', () => {
  const fx = useFixture({ env: { LOGIN_THROTTLE_WINDOW_SECONDS: '2' } });

  test('after the Retry-After it was told the right password works; a second lockout lasts twice as long', async () => {
    const user = await fx.account('surveyor', 'backoff1');
    const ip = '127.0.0.61';
    const key = LoginThrottle.key(user.username);
    /** How long the username's current lock lasts in all (the Retry-After is what is left of it). */
    const lockSeconds = async () => (await fx.server.throttles.login.byUsername.lock(key))?.seconds;
    /** Polls (every 10 ms) until the username is locked: the attempts sent are all counted by then. */
    const untilLocked = async () => {
      const deadline = Date.now() + 10_000;
      while (!(await fx.server.throttles.login.byUsername.lock(key))) {
        if (Date.now() > deadline) throw new Error('the username was never locked');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const wrongAtOnce = (n: number, from: string) =>
      Promise.all(Array.from({ length: n }, (_, i) => login(fx, user.username, `wrong-${i}`, from)));

    // Ten wrong passwords at once: each is counted before its password is checked, so parallel
    // guesses cannot slip past the limit; the lock is on before their answers come back.
    const wrong = wrongAtOnce(10, ip);
    await untilLocked();
    expect(expectThrottled(await login(fx, user.username, 'wrong-11', ip))).toBeLessThanOrEqual(2);
    expect(await lockSeconds()).toBe(2);
    expectThrottled(await login(fx, user.username, user.password, ip));
    expect((await wrong).map((r) => r.status)).toEqual(Array(10).fill(401));

    // Once the lock is over (polled on the server's side), ten more: the second lockout in a row
    // lasts twice the window.
    const deadline = Date.now() + 30_000;
    while (await lockSeconds()) {
      if (Date.now() > deadline) throw new Error('the first lock never ended');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const again = wrongAtOnce(10, ip);
    await untilLocked();
    expect(expectThrottled(await login(fx, user.username, user.password, ip))).toBeLessThanOrEqual(4);
    expect(await lockSeconds()).toBe(4);
    expect((await again).map((r) => r.status)).toEqual(Array(10).fill(401));

    // The right password, asked for until the lock the server told of is over, then works.

    const ok = await pollUntilNot429(() => login(fx, user.username, user.password, ip), 30_000);
    expect(ok.status).toBe(200);
    expect(ok.json.account.username).toBe(user.username);
    // The success cleared the lockouts too: the next lockout is one window again. (From another
    // address: this one has 20 wrong passwords counted, the per-IP limit is 30.)
    const third = wrongAtOnce(10, '127.0.0.62');
    await untilLocked();
    expect(await lockSeconds()).toBe(2);
    await third;
  });
});
