// A crew phone in Firefox (Debian's firefox-esr over WebDriver BiDi, fake camera), the surveyor in
// Chromium: the picture arrives, the phone's "Data used" counts (Firefox reports bytes on its
// candidate pairs, not on transport stats), only the consumed simulcast layers are sent, and the
// lowest layer keeps within its bitrate cap.
import type { Browser, Page } from 'puppeteer-core';
import { consoleWithInspection, waitForStat } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';
import { firefoxPhonePage, launchFirefox } from '../helpers/firefox';
import { createNetNs } from '../helpers/netns';
import { LAYER_MAX_BITRATES } from '../../client/src/video-profiles';

jest.setTimeout(180_000);

interface Hooked {
  cloudship: {
    session: {
      cameraEncodings(): { active: boolean }[];
      mediaTransports(): { send: { getStats(): Promise<Map<string, Record<string, unknown>>> } | null };
    } | null;
  };
}

// Firefox offers no ICE candidate on 127.0.0.1: the media server also listens on the host side of
// a veth pair (its namespace holds nothing), an address of this machine Firefox does offer.
const ns = createNetNs();
const fx = useFixture({ browsers: 1, env: { RTC_EXTRA_LISTEN_IPS: ns.hostIp } });
const errors: string[] = [];
let firefox: Browser | undefined;

beforeAll(async () => {
  await fx.account('surveyor', 'foxes');
  firefox = await launchFirefox();
});

afterAll(async () => {
  await firefox?.close();
  ns.destroy();
  if (errors.length) console.log(errors.join('\n'));
});

/** Bits per second the phone sends on each simulcast layer (outbound-rtp by rid), over `ms`. */
async function layerRates(crew: Page, ms: number): Promise<number[]> {
  const sample = () =>
    crew.evaluate(async () => {
      const bytes = [0, 0, 0];
      (await (window as unknown as Hooked).cloudship.session!.mediaTransports().send!.getStats()).forEach((s) => {
        const rid = typeof s.rid === 'string' ? /^r(\d)$/.exec(s.rid) : null;
        if (s.type === 'outbound-rtp' && s.kind === 'video' && rid) bytes[Number(rid[1])]! += Number(s.bytesSent ?? 0);
      });
      return { bytes, at: performance.now() };
    });
  const a = await sample();
  await crew.evaluate((span: number) => new Promise((r) => setTimeout(r, span)), ms);
  const b = await sample();
  return b.bytes.map((v, i) => ((v - a.bytes[i]!) * 8 * 1000) / (b.at - a.at));
}

test('a crew in Firefox: picture and sound arrive, data is counted, only consumed layers are sent, the lowest within its cap', async () => {
  const [surveyorBrowser] = fx.browsers as [Browser];
  const { page: surveyor, link } = await consoleWithInspection(
    surveyorBrowser,
    fx.server.url,
    { username: 'foxes', password: 'foxes-password-123' },
    { vesselName: '苏盐货0079', registrationNumber: 'YC-2026-0079', place: '盐城港' },
    errors,
  );
  await surveyor.click('[data-testid=join-live]');
  const crew = await firefoxPhonePage(firefox!);
  crew.on('pageerror', (e) => errors.push(`[firefox] pageerror: ${e instanceof Error ? e.message : String(e)}`));
  await crew.goto(link, { waitUntil: 'load' });
  await crew.waitForSelector('[data-testid=crew-join]');
  await crew.click('[data-testid=crew-join]');
  await crew.waitForSelector('[data-testid=crew-live]', { timeout: 30_000 });
  expect(await crew.evaluate(() => navigator.userAgent)).toMatch(/Firefox\//);

  await waitForStat(surveyor, 'video', 'framesDecoded', 10, 60_000);
  await waitForStat(surveyor, 'audio', 'totalSamplesReceived', 48_000, 60_000);

  // "Data used" counts in Firefox too, and grows.
  const used = () => crew.$eval('[data-testid=data-used]', (n) => Number((n as HTMLElement).dataset.bytes ?? 0));
  await crew.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid=data-used]')?.dataset.bytes ?? 0) > 50_000, {
    timeout: 30_000,
  });
  const first = await used();
  await crew.waitForFunction(
    (b: number) => Number(document.querySelector<HTMLElement>('[data-testid=data-used]')?.dataset.bytes ?? 0) > b,
    { timeout: 15_000 },
    first,
  );

  // Full size on the console plus the recorder: the middle layer is turned off in Firefox as well.
  await crew.waitForFunction(
    () => {
      const e = (window as unknown as Hooked).cloudship.session?.cameraEncodings() ?? [];
      return e.length === 3 && e[0]!.active && !e[1]!.active && e[2]!.active;
    },
    { timeout: 20_000, polling: 200 },
  );
  const rates = await layerRates(crew, 4_000);
  console.log(`firefox phone sends per layer: ${rates.map((r) => (r / 1000).toFixed(0)).join(' / ')} kbit/s`);
  expect(rates[1]).toBe(0);
  expect(rates[2]).toBeGreaterThan(0);
  // The lowest layer within its cap (a little over it for packet headers and the encoder's swing).
  expect(rates[0]).toBeGreaterThan(0);
  expect(rates[0]).toBeLessThan(LAYER_MAX_BITRATES[0]! * 1.5);
  await crew.close();
});
