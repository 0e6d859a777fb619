// The set-up shared by the network e2e tests and the reconnection benchmark: the real server
// listening on the host side of a veth pair, a surveyor in desktop Chromium on the host, and the
// crew's Chromium (emulating an Android phone) inside its own network namespace.
import type { Browser, Page } from 'puppeteer-core';
import type { TestServer } from './test-server';
import { androidPage, desktopPage, launchBrowser, recordErrors, setSessionCookie, waitForStat } from './browser';
import { startFixture, type Fixture } from './fixtures';
import { createNetNs, launchBrowserInNetNs, type NetNs } from './netns';

export interface NetworkScenario {
  server: TestServer;
  ns: NetNs;
  surveyorBrowser: Browser;
  crewBrowser: Browser;
  surveyorCookie: string;
  errors: string[];
  /** Creates an inspection and its crew link. */
  newInspection(overrides?: Record<string, unknown>): Promise<{ id: string; crewUrl: string }>;
  /** The surveyor's page, signed in, joined to the live session of `inspectionId`. */
  openSurveyor(inspectionId: string): Promise<Page>;
  /** The crew's phone page in the namespace, past the consent screen. */
  openCrew(
    crewUrl: string,
    options?: { sharePosition?: boolean; geolocation?: { latitude: number; longitude: number; accuracy: number } },
  ): Promise<Page>;
  dispose(): Promise<void>;
}

/** The server's environment, or a function of the namespace that gives it (a TURN server on its address). */
export type ScenarioEnv = Record<string, string> | ((ns: NetNs) => Promise<Record<string, string>>);

export async function startNetworkScenario(env: ScenarioEnv = {}): Promise<NetworkScenario> {
  const ns = createNetNs();
  let fixture: Fixture | undefined;
  const browsers: Browser[] = [];
  try {
    const extra = typeof env === 'function' ? await env(ns) : env;
    // HTTP and media on the veth's host address (and media on loopback too, for the surveyor).
    fixture = await startFixture({ HOST: ns.hostIp, RTC_EXTRA_LISTEN_IPS: ns.hostIp, ...extra });
    const fx = fixture;
    const origin = fx.server.url;
    const [surveyorBrowser, crewBrowser] = await Promise.all([
      launchBrowser([`--unsafely-treat-insecure-origin-as-secure=${origin}`]),
      launchBrowserInNetNs(ns, origin),
    ]);
    browsers.push(surveyorBrowser, crewBrowser);
    const { cookie: surveyorCookie } = await fx.account('surveyor', 'wang');
    const errors: string[] = [];
    return {
      server: fx.server,
      ns,
      surveyorBrowser,
      crewBrowser,
      surveyorCookie,
      errors,
      async newInspection(overrides = {}) {
        const { inspection, url } = await fx.inspectionWithLink(surveyorCookie, overrides);
        return { id: inspection.id, crewUrl: url };
      },
      async openSurveyor(inspectionId) {
        const page = await desktopPage(surveyorBrowser);
        recordErrors(page, 'surveyor', errors);
        await setSessionCookie(page, surveyorCookie, origin);
        await page.goto(`${origin}/#/inspections/${inspectionId}`, { waitUntil: 'networkidle0' });
        await page.click('[data-testid=join-live]');
        await page.waitForSelector('[data-testid=connection-state][data-state=connected]', { timeout: 30_000 });
        return page;
      },
      async openCrew(crewUrl, options = {}) {
        const page = await androidPage(crewBrowser);
        recordErrors(page, 'crew', errors);
        // NET_DEBUG=1 prints the phone page's own log (join, transport and ICE transitions).
        if (process.env.NET_DEBUG) page.on('console', (m) => console.log(`[crew ${new Date().toISOString().slice(11, 23)}] ${m.text()}`));
        if (options.geolocation) {
          await crewBrowser.defaultBrowserContext().overridePermissions(origin, ['geolocation']);
          await page.setGeolocation(options.geolocation);
        }
        await page.goto(crewUrl, { waitUntil: 'networkidle0' });
        if (options.sharePosition) await page.click('[data-testid=share-position]');
        await page.click('[data-testid=crew-join]');
        await page.waitForSelector('[data-testid=crew-live]', { timeout: 30_000 });
        return page;
      },
      async dispose() {
        await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
        await fx.stop().catch(() => undefined);
        ns.destroy();
      },
    };
  } catch (e) {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await fixture?.stop().catch(() => undefined);
    ns.destroy();
    throw e;
  }
}

/** framesDecoded of every video consumer on the page, by consumer id. */
export async function videoFrames(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const stats: Array<{ kind: string; consumerId: string; framesDecoded: number }> =
      (await (window as any).cloudship?.inboundStats?.()) ?? [];
    const out: Record<string, number> = {};
    for (const s of stats) if (s.kind === 'video') out[s.consumerId] = s.framesDecoded;
    return out;
  });
}

/** Waits (bounded) until no video consumer on the page decodes a new frame for `quietMs`. */
export async function waitForVideoStall(page: Page, quietMs = 1_000, timeoutMs = 15_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let last = await videoFrames(page);
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await videoFrames(page);
    if (JSON.stringify(now) !== JSON.stringify(last)) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
  throw new Error(`video kept decoding for ${timeoutMs} ms`);
}

/**
 * Waits until a video consumer decodes a frame it had not decoded in `before` (a consumer created
 * since, e.g. after a rejoin, counts from zero). Polls inside the page every 50 ms.
 */
export async function waitForVideoResume(page: Page, before: Record<string, number>, timeoutMs: number, minNewFrames = 1): Promise<void> {
  await page.waitForFunction(
    async (snapshot: Record<string, number>, min: number) => {
      const stats: Array<{ kind: string; consumerId: string; framesDecoded: number }> =
        (await (window as any).cloudship?.inboundStats?.()) ?? [];
      return stats.some((s) => s.kind === 'video' && s.framesDecoded >= (snapshot[s.consumerId] ?? 0) + min);
    },
    { polling: 50, timeout: timeoutMs },
    before,
    minNewFrames,
  );
}

/**
 * A live inspection of the scenario: the surveyor and the crew phone joined, the surveyor decoding
 * the crew's video (10 frames past the first).
 */
export async function openLiveSession(scenario: NetworkScenario): Promise<{ inspectionId: string; surveyor: Page; crew: Page }> {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  const crew = await scenario.openCrew(crewUrl);
  const first = await waitForStat(surveyor, 'video', 'framesDecoded', 0, 30_000);
  await waitForStat(surveyor, 'video', 'framesDecoded', first + 10, 30_000);
  return { inspectionId: id, surveyor, crew };
}
