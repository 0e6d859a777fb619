// The crew phone shows that its network is cut within 3 s (issue 12: a fault run showed "Connected"
// for 19 s of dead network, the time the socket and ICE take to notice), from the media transports'
// statistics (client/src/media-watchdog.ts), and shows "Connected" again once the network returns.
// The surveyor, whose own network is fine, does not claim a cut of its own link meanwhile.
//
// The crew's Chromium runs in a network namespace and every packet on its veth pair is dropped
// (DevTools emulation does not touch WebRTC media). The badge's changes are recorded inside the page
// with Date.now(), the same clock as the test's, and the delay is measured from the cut: the 3 s is
// the correctness bound, not a benchmark. The cut length (6 s, ICE survives it) is the
// scenario; everything else waits on conditions.
import type { Page } from 'puppeteer-core';
import { openLiveSession } from '../helpers/network-scenario';
import { useNetworkScenario } from '../helpers/use-network-scenario';

jest.setTimeout(180_000);

const BADGE = '[data-testid=connection-state]';
const CUT_MS = 6_000;
/** The bound: the phone shows the cut within this of the network going. */
const SHOW_WITHIN_MS = 3_000;

interface BadgeChange {
  t: number;
  state?: string;
  link?: string;
  media?: string;
  text: string;
}

const scenario = useNetworkScenario();

/** From now on, every change of the page's connection badge is recorded with the time it happened. */
async function recordBadge(page: Page): Promise<void> {
  await page.evaluate((selector: string) => {
    const w = window as unknown as { badgeChanges: BadgeChange[] };
    const pill = document.querySelector<HTMLElement>(selector)!;
    w.badgeChanges = [];
    const record = () => {
      const { state, link, mediaState: media } = pill.dataset;
      const last = w.badgeChanges[w.badgeChanges.length - 1];
      if (last && last.state === state && last.link === link && last.media === media) return;
      w.badgeChanges.push({ t: Date.now(), state, link, media, text: pill.textContent ?? '' });
    };
    record();
    new MutationObserver(record).observe(pill, { attributes: true, childList: true, subtree: true });
  }, BADGE);
}

async function badgeChanges(page: Page): Promise<BadgeChange[]> {
  return page.evaluate(() => (window as unknown as { badgeChanges: BadgeChange[] }).badgeChanges);
}

const isUp = (c: BadgeChange) => c.state === 'connected' && c.link === 'ok' && c.media === 'ok';

test('crew network cut: the phone shows it within 3 s, and "Connected" again when the network returns', async () => {
  const { surveyor, crew } = await openLiveSession(scenario);
  await crew.waitForSelector(`${BADGE}[data-state=connected][data-link=ok]`, { timeout: 30_000 });
  await Promise.all([recordBadge(crew), recordBadge(surveyor)]);

  for (const round of [1, 2]) {
    const cutAt = Date.now();
    scenario.ns.cut();
    let restored = false;
    try {
      await crew.waitForSelector(`${BADGE}[data-link=stalled]`, { timeout: 20_000 });
      const stalled = (await badgeChanges(crew)).find((c) => c.t >= cutAt && c.link === 'stalled')!;
      const shownMs = stalled.t - cutAt;
      expect(stalled).toMatchObject({ state: 'connected', media: 'interrupted', text: 'No connection — reconnecting…' });

      const remaining = CUT_MS - (Date.now() - cutAt);
      if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
      const restoredAt = Date.now();
      scenario.ns.restore();
      restored = true;
      await crew.waitForSelector(`${BADGE}[data-state=connected][data-link=ok][data-media-state=ok]`, { timeout: 30_000 });
      const up = (await badgeChanges(crew)).find((c) => c.t >= restoredAt && isUp(c))!;
      console.log(`cut ${round}: shown on the phone ${shownMs} ms after the cut, "Connected" again ${up.t - restoredAt} ms after it ended`);
      expect(shownMs).toBeLessThan(SHOW_WITHIN_MS);
      expect(up.text).toBe('Connected');
    } finally {
      if (!restored) scenario.ns.restore();
    }
  }

  // The surveyor's own link was fine throughout: its badge never said it was cut.
  const surveyorChanges = await badgeChanges(surveyor);
  expect(surveyorChanges.filter((c) => c.link === 'stalled')).toEqual([]);
  await Promise.all([surveyor.close(), crew.close()]);
});
