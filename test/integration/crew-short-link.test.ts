// Short crew links (`/j/<code>`) against the real server: one link per inspection handed out
// again, the code resolving to the same link row as its signed token (expiry, revocation, the
// inspection's end), every bad link answered with the bilingual page and its status (never JSON),
// and guessing codes throttled per IP. Requests that count against the per-IP throttle go out from
// their own loopback address (127.0.0.N), so the tests do not share a count.
import QRCode from 'qrcode';
import { rawRequest, type RawResponse } from '../helpers/raw-http';
import { startFixture, useFixture, type Fixture } from '../helpers/fixtures';
import { type SignalingClient } from '../helpers/signaling-client';
import { sql } from '../helpers/sql';

const fx = useFixture();
const CODE = /^[2-9a-hjkmnp-z]{10}$/;

let cookie: string;
beforeAll(async () => {
  cookie = (await fx.account('surveyor', 'short-link')).cookie;
});

/** The console's call: the inspection's current link (no body). */
function consoleLink(f: Fixture, inspectionId: string, who = cookie) {
  return f.server.api('POST', `/api/inspections/${inspectionId}/crew-link`, { cookie: who });
}

function open(f: Fixture, path: string, ip: string): Promise<RawResponse> {
  return rawRequest(f.server.url, 'GET', path, { localAddress: ip });
}

/** The bilingual page, never JSON: its status, its code, its own policy. */
function expectLinkPage(r: RawResponse, status: number, code: string): void {
  expect([r.status, r.json]).toEqual([status, undefined]);
  expect(r.headers['content-type']).toMatch(/^text\/html/);
  expect(r.headers['content-security-policy']).toContain("default-src 'none'");
  expect(r.text).toContain(`data-testid="link-error" data-code="${code}"`);
  expect(r.text).toContain('lang="en"');
}

function closed(c: SignalingClient): Promise<void> {
  return new Promise((resolve) => (c.socket.disconnected ? resolve() : c.socket.once('disconnect', () => resolve())));
}

test('one link per inspection: every view of the console gets the same short link until it is revoked', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const first = await consoleLink(fx, inspection.id);
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ created: true, publicUrlConfigured: false });
  expect(first.body.code).toMatch(CODE);
  expect(first.body.shortUrl).toBe(`${fx.server.url}/j/${first.body.code}`);
  expect(first.body.url).toMatch(new RegExp(`^${fx.server.url}/join/[\\w-]+\\.[\\w-]+$`));
  // The QR code carries the short link: a sparse code (29x29 modules here, the signed link's 57x57).
  expect(first.body.qrSvg).toBe(await QRCode.toString(first.body.shortUrl, { type: 'svg', margin: 1 }));
  expect(QRCode.create(first.body.shortUrl).modules.size).toBeLessThanOrEqual(33);
  expect(QRCode.create(first.body.url).modules.size).toBeGreaterThanOrEqual(49);

  const again = await consoleLink(fx, inspection.id);
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ created: false, code: first.body.code, url: first.body.url, expiresAt: first.body.expiresAt });
  // Several tabs at once: still that one link.
  const tabs = await Promise.all(Array.from({ length: 5 }, () => consoleLink(fx, inspection.id)));
  expect(new Set(tabs.map((t) => t.body.code))).toEqual(new Set([first.body.code]));
  const rows = await sql(fx.server.db, 'SELECT COUNT(*) AS n FROM "crew_link" WHERE "inspectionId" = ?', [inspection.id]);
  expect(Number(rows[0].n)).toBe(1);

  expect((await fx.server.api('DELETE', `/api/inspections/${inspection.id}/crew-links`, { cookie })).status).toBe(204);
  const fresh = await consoleLink(fx, inspection.id);
  expect(fresh.status).toBe(201);
  expect(fresh.body.code).not.toBe(first.body.code);
});

test('a short link leads to its signed link (302), typed in any case; the signed link stays valid and joins', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const link = (await consoleLink(fx, inspection.id)).body;
  const token = link.url.split('/join/')[1];
  const opened = await open(fx, `/j/${link.code}`, '127.0.0.31');
  expect(opened.status).toBe(302);
  expect(opened.headers.location).toBe(`/join/${token}`);
  expect(opened.headers['cache-control']).toBe('no-store');
  expect((await open(fx, `/j/${link.code.toUpperCase()}`, '127.0.0.31')).headers.location).toBe(`/join/${token}`);
  const page = await open(fx, opened.headers.location!, '127.0.0.31');
  expect(page.status).toBe(200);
  expect(page.text).toContain('<div id="app"');
  const crew = await fx.joinAsCrew(token, 'Li');
  expect(crew.participantId).toBeTruthy();
});

test('a link cut short, mistyped or unknown gets the bilingual page with its status, never JSON', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const link = (await consoleLink(fx, inspection.id)).body;
  const token: string = link.url.split('/join/')[1];
  const unknown = link.code === '2222222222' ? '3333333333' : '2222222222';
  const ip = '127.0.0.32';
  expectLinkPage(await open(fx, `/j/${unknown}`, ip), 404, 'NOT_FOUND');
  expectLinkPage(await open(fx, `/j/${link.code.slice(0, 7)}`, ip), 400, 'BAD_REQUEST');
  expectLinkPage(await open(fx, `/j/${link.code.slice(0, 9)}0`, ip), 400, 'BAD_REQUEST');
  expectLinkPage(await open(fx, `/j/${link.code}x`, ip), 400, 'BAD_REQUEST');
  expectLinkPage(await open(fx, '/j/%E0%A4%A', ip), 400, 'BAD_REQUEST');
  for (const path of ['/j', '/j/', '/jo', '/joi', `/j/${link.code}/more`, `/join/${token}/more`]) {
    expectLinkPage(await open(fx, path, ip), 404, 'NOT_FOUND');
  }
  // The signed link cut anywhere: not valid.
  for (const cut of [token.slice(0, 40), token.slice(0, token.indexOf('.') + 1), token.slice(0, -3)]) {
    expectLinkPage(await open(fx, `/join/${cut}`, ip), 401, 'UNAUTHENTICATED');
  }
  // None of it touched the link.
  expect((await open(fx, `/j/${link.code}`, ip)).status).toBe(302);
  expect((await consoleLink(fx, inspection.id)).body).toMatchObject({ created: false, code: link.code });
});

test('revoking the link: the crew who came through the short link is disconnected, the short link says it was withdrawn', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const link = (await consoleLink(fx, inspection.id)).body;
  const token = (await open(fx, `/j/${link.code}`, '127.0.0.33')).headers.location!.split('/join/')[1]!;
  const crew = await fx.joinAsCrew(token);
  const gone = closed(crew.c);
  expect((await fx.server.api('DELETE', `/api/inspections/${inspection.id}/crew-links`, { cookie })).status).toBe(204);
  expect(await crew.c.next('session.revoked', undefined, { timeoutMs: 2_000 })).toEqual({ reason: 'link-revoked' });
  await gone;
  expectLinkPage(await open(fx, `/j/${link.code}`, '127.0.0.33'), 410, 'LINK_REVOKED');
  expectLinkPage(await open(fx, `/join/${token}`, '127.0.0.33'), 410, 'LINK_REVOKED');
});

test('ending the inspection: its short link answers that it has ended', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const link = (await consoleLink(fx, inspection.id)).body;
  expect((await fx.server.api('POST', `/api/inspections/${inspection.id}/end`, { cookie, body: { toBeContinued: true } })).status).toBe(
    200,
  );
  expectLinkPage(await open(fx, `/j/${link.code}`, '127.0.0.34'), 410, 'INSPECTION_ENDED');
  expect((await consoleLink(fx, inspection.id)).body.error.code).toBe('INSPECTION_ENDED');
});

test('guessing codes is throttled per address: the 61st open in a minute is 429 with Retry-After, also for the right code, and nothing else changed', async () => {
  const inspection = await fx.server.createInspection(cookie);
  const link = (await consoleLink(fx, inspection.id)).body;
  const ip = '127.0.0.35';
  for (let i = 0; i < 60; i++) {
    const guess = `zz${String(i).padStart(8, '2')}`.replace(/[01]/g, 'x');
    const r = await open(fx, `/j/${guess}`, ip);
    expect([i, r.status]).toEqual([i, 404]);
  }
  const refused = await open(fx, `/j/${link.code}`, ip);
  expectLinkPage(refused, 429, 'TOO_MANY_REQUESTS');
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  // Another address opens the link; the link and its inspection are as they were.
  expect((await open(fx, `/j/${link.code}`, '127.0.0.36')).status).toBe(302);
  expect((await consoleLink(fx, inspection.id)).body).toMatchObject({ created: false, code: link.code });
  expect((await fx.server.inspections.get(inspection.id)).status).toBe('scheduled');
});

describe('with PUBLIC_URL and links that expire in 1.8 s', () => {
  let short: Fixture;
  beforeAll(async () => {
    short = await startFixture({ CREW_LINK_TTL_HOURS: '0.0005', PUBLIC_URL: 'https://inspect.example.org' });
  });
  afterAll(() => short.stop());

  test('the links carry PUBLIC_URL; an expired short link says so, its crew is disconnected, and the console gets a new link', async () => {
    const admin = await short.adminCookie();
    const inspection = await short.server.createInspection(admin);
    const link = (await consoleLink(short, inspection.id, admin)).body;
    expect(link).toMatchObject({ publicUrlConfigured: true, shortUrl: `https://inspect.example.org/j/${link.code}` });
    expect(link.url.startsWith('https://inspect.example.org/join/')).toBe(true);
    const token = (await open(short, `/j/${link.code}`, '127.0.0.37')).headers.location!.split('/join/')[1]!;
    const crew = await short.joinAsCrew(token);
    expect(await crew.c.next('session.revoked', undefined, { timeoutMs: 5_000 })).toEqual({ reason: 'link-expired' });
    expectLinkPage(await open(short, `/j/${link.code}`, '127.0.0.37'), 410, 'LINK_EXPIRED');
    const next = await consoleLink(short, inspection.id, admin);
    expect(next.status).toBe(201);
    expect(next.body.code).not.toBe(link.code);
  });
});
