// A network that loads the page but lets no media through (UDP and the media port blocked, no
// TURN): the crew phone must not say "Connected" or "Good signal". It says "Connecting media…",
// then within 10 s of joining "No media connection" with a hint, and keeps trying; the surveyor's
// console says the same about the crew. Once the network lets media through, the phone connects by
// itself and the surveyor sees the picture.
//
// The crew's Chromium runs in a network namespace whose egress passes TCP to the HTTP port only
// (test/helpers/netns.ts onlyTcpTo); the page, its socket and the join work, ICE never does.
import { useNetworkScenario } from '../helpers/use-network-scenario';
import { waitForStat } from '../helpers/browser';

jest.setTimeout(180_000);

const BADGE = '[data-testid=crew-status] [data-testid=connection-state]';
/** The bound for showing a media path that never connects. */
const NO_MEDIA_WITHIN_MS = 10_000;

const scenario = useNetworkScenario();

test('media blocked: the phone says "no media connection" within 10 s with a hint, never "Connected", and connects once media gets through', async () => {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  scenario.ns.onlyTcpTo(Number(new URL(scenario.server.url).port));

  const crew = await scenario.openCrew(crewUrl);
  const joinedAt = Date.now();
  // Every badge and signal the phone shows from now on, with the time it showed it.
  await crew.evaluate((selector: string) => {
    const w = window as unknown as { shown: Array<{ t: number; media?: string; text: string; level?: string }> };
    const pill = document.querySelector<HTMLElement>(selector)!;
    const quality = document.querySelector<HTMLElement>('[data-testid=crew-status] [data-testid=network-quality]')!;
    w.shown = [];
    const record = () =>
      w.shown.push({ t: Date.now(), media: pill.dataset.mediaState, text: pill.textContent ?? '', level: quality.dataset.level });
    record();
    for (const node of [pill, quality]) new MutationObserver(record).observe(node, { attributes: true, childList: true, subtree: true });
  }, BADGE);

  await crew.waitForSelector(`${BADGE}[data-media-state=none]`, { timeout: NO_MEDIA_WITHIN_MS + 5_000 });
  const hint = await crew.waitForSelector('[data-testid=media-hint]', { visible: true });
  expect(await hint!.evaluate((e) => e.textContent)).toMatch(/Wi-Fi/);
  const blocked = await crew.evaluate(
    () => (window as unknown as { shown: Array<{ t: number; media?: string; text: string; level?: string }> }).shown,
  );
  const noMediaAt = blocked.find((s) => s.media === 'none')!.t;
  // Measured from the moment the test saw the live page (the page joined a little before).
  expect(noMediaAt - joinedAt).toBeLessThanOrEqual(NO_MEDIA_WITHIN_MS);
  // Never "Connected" or "Good signal" while nothing got through.
  const connectedText = await crew.evaluate(() => (document.documentElement.lang === 'zh-CN' ? '已连接' : 'Connected'));
  expect(blocked.filter((s) => s.text === connectedText)).toEqual([]);
  expect(blocked.filter((s) => s.level && s.level !== 'offline')).toEqual([]);

  // The console says the same about the crew, from the server (no byte of the crew's media arrived).
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-media=none]', { timeout: 10_000 });

  // The network lets media through again: the phone connects by itself, the hint goes, and the
  // surveyor decodes the crew's picture.
  scenario.ns.restore();
  const restoredAt = Date.now();
  await crew.waitForSelector(`${BADGE}[data-media-state=ok][data-state=connected]`, { timeout: 60_000 });
  console.log(
    `media blocked: "no media connection" ${noMediaAt - joinedAt} ms after the live page showed; connected ${Date.now() - restoredAt} ms after media got through`,
  );
  await crew.waitForSelector('[data-testid=media-hint]', { hidden: true });
  await waitForStat(surveyor, 'video', 'framesDecoded', 5, 60_000);
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-media=ok][data-state=connected]');
});
