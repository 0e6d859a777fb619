// Debian's Chromium driven by puppeteer-core, one browser per participant (a background tab's
// video stays paused). Fake camera and microphone; loopback allowed for WebRTC.
import puppeteer, { KnownDevices, type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { InspectionKind } from '@cloudship/shared';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-gpu',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * A page that looks like an Android phone. (An iPhone user agent would make mediasoup-client pick
 * its Safari handler, which does not work inside Chromium.)
 */
export async function androidPage(browser: Browser | BrowserContext): Promise<Page> {
  const page = await browser.newPage();
  await page.emulate(KnownDevices['Pixel 5']);
  return page;
}

/** A page of `browser` (or of one of its contexts: a second signed-in user, no shared cookies). */
export async function desktopPage(browser: Browser | BrowserContext): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 850 });
  return page;
}

/** Gives the page a session cookie (`name=value`, as the test server's signIn returns it) for `origin`. */
export async function setSessionCookie(page: Page, cookie: string, origin: string): Promise<void> {
  const [name, value] = cookie.split('=');
  await page.setCookie({ name: name!, value: value!, url: origin });
}

/**
 * Collects the page's errors and console errors, as they happen, into `errors` (and returns it).
 * Pass the test's own list: a copy of the returned array spread into another one is empty, and
 * stays empty.
 */
export function recordErrors(page: Page, label: string, errors: string[] = []): string[] {
  page.on('pageerror', (e) => errors.push(`[${label}] pageerror: ${e instanceof Error ? e.message : String(e)}`));
  page.on('console', (m) => {
    // A failed load names no URL in its text: the location does.
    const url = m.location()?.url;
    if (m.type() === 'error') errors.push(`[${label}] console: ${m.text()}${url ? ` (${url})` : ''}`);
  });
  return errors;
}

/**
 * The errors a test did not expect: without the favicon's 404, and the 401 of GET /api/me by which
 * a page that opens signed out learns that it is (the browser logs every refused load).
 */
export function unexpectedErrors(errors: string[], expected: RegExp[] = []): string[] {
  const known = [/favicon/, /status of 401 .*\/api\/me\)$/, ...expected];
  return errors.filter((e) => !known.some((k) => k.test(e)));
}

export interface InboundStat {
  kind: 'audio' | 'video';
  peerRole: string;
  framesDecoded: number;
  frameWidth: number;
  bytesReceived: number;
  packetsReceived: number;
  totalSamplesReceived: number;
}

export async function inboundStats(page: Page): Promise<InboundStat[]> {
  return page.evaluate(() => (window as unknown as { cloudship: { inboundStats(): Promise<InboundStat[]> } }).cloudship.inboundStats());
}

/** Waits until `pick(stats)` exceeds `above`, polling the page's WebRTC stats. */
export async function waitForStat(
  page: Page,
  kind: 'audio' | 'video',
  field: keyof InboundStat,
  above: number,
  timeoutMs = 30_000,
): Promise<number> {
  const handle = await page.waitForFunction(
    async (k: string, f: string, min: number) => {
      const stats: Array<Record<string, unknown>> = (await (window as any).cloudship?.inboundStats?.()) ?? [];
      const values = stats.filter((s) => s.kind === k).map((s) => Number(s[f]) || 0);
      const best = values.length ? Math.max(...values) : 0;
      return best > min ? best : false;
    },
    { polling: 100, timeout: timeoutMs },
    kind,
    field,
    above,
  );
  return (await handle.jsonValue()) as number;
}

/**
 * Through the surveyor console as a person would: sign in, fill in the new-inspection form, and
 * wait for the inspection page's crew link. Returns the link.
 */
export async function signInAndCreateInspection(
  page: Page,
  baseUrl: string,
  account: { username: string; password: string },
  vessel: { vesselName: string; registrationNumber: string; place: string; kind?: InspectionKind },
): Promise<string> {
  await page.goto(baseUrl, { waitUntil: 'networkidle0' });
  await page.type('#username', account.username);
  await page.type('#password', account.password);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=new-inspection]');
  const form = '[data-testid=new-inspection]';
  await page.type(`${form} [name=vesselName]`, vessel.vesselName);
  await page.type(`${form} [name=registrationNumber]`, vessel.registrationNumber);
  await page.select(`${form} [name=kind]`, vessel.kind ?? 'periodic');
  await page.type(`${form} [name=place]`, vessel.place);
  // datetime-local: fill via the DOM (typing depends on the locale's field order).
  await page.$eval(`${form} [name=scheduledAt]`, (el) => {
    const d = new Date(Date.now() + 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    (el as HTMLInputElement).value =
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
  await page.click('[data-testid=create-inspection]');
  // The crew link, or an error message on the page (then fail with its text, not a bare timeout).
  const outcome = await page.waitForFunction(
    () => {
      const link = document.querySelector('[data-testid=crew-link-url]');
      if (link && /\/j(oin)?\/.+/.test(link.textContent ?? '')) return { link: link.textContent.trim() };
      const error = document.querySelector('[role=alert]:not([hidden])');
      return error && error.textContent ? { error: error.textContent } : false;
    },
    { timeout: 60_000 },
  );
  const result = (await outcome.jsonValue()) as { link?: string; error?: string };
  if (!result.link) throw new Error(`creating the inspection failed on the page: ${result.error}`);
  return result.link;
}

/**
 * The surveyor's console at 1366x768 (its console errors collected into `errors`), signed in, with
 * a new inspection made through its form: the page, the crew link and the inspection's id.
 */
export async function consoleWithInspection(
  browser: Browser | BrowserContext,
  baseUrl: string,
  account: { username: string; password: string },
  vessel: { vesselName: string; registrationNumber: string; place: string; kind?: InspectionKind },
  errors: string[],
): Promise<{ page: Page; link: string; inspectionId: string }> {
  const page = await desktopPage(browser);
  await page.setViewport({ width: 1366, height: 768 });
  recordErrors(page, 'surveyor', errors);
  const link = await signInAndCreateInspection(page, baseUrl, account, vessel);
  const inspectionId = /#\/inspections\/([^/?#]+)/.exec(page.url())![1]!;
  return { page, link, inspectionId };
}
