// The Content-Security-Policy in real Chromium: the surveyor console (login page, signing in,
// creating an inspection with its QR code, joining live, the replay page) and the crew phone page
// (consent screen, joining with camera and microphone) run under the policy with zero violations;
// so do the pages the server renders with their own policies (a dead crew link's error page, the
// printable report). Violations are caught from `securitypolicyviolation` events, installed before
// any page script runs, and from console messages; a deliberate inline script shows that the
// watcher does see one.
import type { Browser, HTTPResponse, Page } from 'puppeteer-core';
import type { TestServer } from '../helpers/test-server';
import { androidPage, desktopPage, recordErrors, setSessionCookie, signInAndCreateInspection } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

jest.setTimeout(180_000);

const fx = useFixture({ browsers: 2 });
let server: TestServer;
let surveyorBrowser: Browser;
let crewBrowser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  server = fx.server;
  [surveyorBrowser, crewBrowser] = fx.browsers as [Browser, Browser];
  await fx.account('surveyor', 'csp.wang');
});

afterAll(() => {
  if (errors.length) console.log(errors.join('\n'));
});

interface Watched {
  page: Page;
  /** Violations seen by the page (events) and by the console, so far. */
  violations(): Promise<string[]>;
}

/** Records every CSP violation of `page`, in every document it loads from now on. */
async function watchCsp(page: Page, label: string): Promise<Watched> {
  const fromConsole: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) fromConsole.push(`[${label}] console: ${m.text()}`);
  });
  await page.evaluateOnNewDocument(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${e.documentURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  recordErrors(page, label, errors);
  return {
    page,
    async violations() {
      const inPage = await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []);
      return [...inPage.map((v) => `[${label}] ${v}`), ...fromConsole];
    },
  };
}

/** The policy the document was served with (the test is only meaningful under one). */
function policyOf(response: HTTPResponse | null): string {
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).not.toBe('');
  return policy;
}

test('the surveyor console and the crew page run under the CSP without a single violation', async () => {
  const surveyor = await watchCsp(await desktopPage(surveyorBrowser), 'surveyor');
  // The login page alone first.
  const login = await surveyor.page.goto(server.url, { waitUntil: 'networkidle0' });
  expect(policyOf(login)).toContain("script-src 'self'");
  await surveyor.page.waitForSelector('[data-testid=login-form]');
  expect(await surveyor.violations()).toEqual([]);

  // Sign in, create an inspection (its crew link with the QR code as a data: image), go live.
  const crewLink = await signInAndCreateInspection(
    surveyor.page,
    server.url,
    { username: 'csp.wang', password: 'csp.wang-password-123' },
    { vesselName: '鲁济宁货7777', registrationNumber: 'JN-2026-0777', place: '济宁港' },
  );
  await surveyor.page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll('img')).some((i) => i.src.startsWith('data:image/svg+xml') && i.complete && i.naturalWidth > 0),
    { timeout: 30_000 },
  );
  await surveyor.page.click('[data-testid=join-live]');

  const crew = await watchCsp(await androidPage(crewBrowser), 'crew');
  const joinPage = await crew.page.goto(crewLink, { waitUntil: 'networkidle0' });
  expect(policyOf(joinPage)).toContain("frame-ancestors 'none'");
  await crew.page.waitForSelector('[data-testid=consent]');
  expect(await crew.violations()).toEqual([]);
  await crew.page.click('[data-testid=crew-join]');
  // Signalling over the WebSocket and media both ways: each side sees the other connected.
  await surveyor.page.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]', { timeout: 60_000 });
  await crew.page.waitForSelector('[data-testid=peer-state][data-role=surveyor][data-state=connected]', { timeout: 60_000 });
  expect(await crew.violations()).toEqual([]);
  expect(await surveyor.violations()).toEqual([]);

  // The replay page, signed in (same browser: the session cookie is there).
  const replay = await watchCsp(await desktopPage(surveyorBrowser), 'replay');
  policyOf(await replay.page.goto(`${server.url}/replay.html`, { waitUntil: 'networkidle0' }));
  expect(await replay.violations()).toEqual([]);

  // The watcher does see a violation: an inline script is refused and reported.
  const executed = await surveyor.page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true;';
    document.body.append(s);
    return (window as unknown as { inlineRan?: boolean }).inlineRan === true;
  });
  expect(executed).toBe(false);
  await surveyor.page.waitForFunction(() => (window as unknown as { cspViolations: string[] }).cspViolations.length > 0);
  expect((await surveyor.violations()).join('\n')).toContain('script-src');
});

test("the server-rendered pages keep their inline styles under their own policies: a dead link's page, the report", async () => {
  const page = await desktopPage(surveyorBrowser);
  const watched = await watchCsp(page, 'rendered');
  const dead = await page.goto(`${server.url}/join/not-a-valid-token`, { waitUntil: 'load' });
  expect(dead?.status()).toBe(401);
  expect(policyOf(dead)).toContain("default-src 'none'");
  // The page's <style> applied (body max-width 32rem), nothing refused.
  expect(await page.$eval('body', (b) => getComputedStyle(b).maxWidth)).toBe('512px');
  expect(await watched.violations()).toEqual([]);

  const surveyor = await fx.account('surveyor', 'csp.report');
  const inspection = await server.createInspection(surveyor.cookie);
  await setSessionCookie(page, surveyor.cookie, server.url);
  const report = await page.goto(`${server.url}/api/inspections/${inspection.id}/report.html`, { waitUntil: 'load' });
  expect(report?.status()).toBe(200);
  expect(policyOf(report)).toContain("default-src 'none'");
  expect(await page.$eval('h1', (h) => getComputedStyle(h).fontSize)).toBe('20px');
  expect(await watched.violations()).toEqual([]);
});
