// npm run bench:join [-- N]
//
// Time from opening the crew link on a phone (headless Chromium emulating an Android phone, fake
// camera) to the first decoded frame of its video on the surveyor's console, N times; next to the
// same measurement with a bare mediasoup-client page (client/bench-bare.html: no application
// page code) against the same server, surveyor and machine. Runs alternate app / bare so that
// drift in machine load affects both alike. Prints median and p95 of each and their ratio.
import type { Browser, Page } from 'puppeteer-core';
import { ADMIN, startTestServer, type TestServer } from '../test/helpers/test-server';
import { androidPage, desktopPage, launchBrowser } from '../test/helpers/browser';
import { summary } from './stats';

const N = Number(process.argv[2] ?? process.env.N ?? 10);

/** The surveyor joins the live session of a fresh inspection; returns its crew link token. */
async function prepare(server: TestServer, cookie: string, surveyor: Page): Promise<{ id: string; token: string }> {
  const inspection = await server.createInspection(cookie, { vesselName: 'Bench vessel' });
  const { token } = await server.crewLink(cookie, inspection.id);
  // A full load each time (not a hash change), so every run starts from the same page state.
  await surveyor.goto('about:blank');
  await surveyor.goto(`${server.url}/#/inspections/${inspection.id}`, { waitUntil: 'networkidle0' });
  await surveyor.waitForSelector('[data-testid=join-live]', { visible: true });
  await surveyor.click('[data-testid=join-live]');
  await surveyor.waitForFunction(() => (window as any).cloudship?.session?.state === 'connected', { polling: 20, timeout: 30_000 });
  return { id: inspection.id, token };
}

/** Wall-clock time (same machine, same clock) at which the surveyor decoded the first video frame. */
function firstFrameAt(surveyor: Page): Promise<number> {
  return surveyor
    .waitForFunction(
      async () => {
        const stats: Array<{ kind: string; framesDecoded: number }> = await (window as any).cloudship.inboundStats();
        return stats.some((s) => s.kind === 'video' && s.framesDecoded > 0) ? Date.now() : false;
      },
      { polling: 10, timeout: 30_000 },
    )
    .then((h) => h.jsonValue() as Promise<number>);
}

async function measure(server: TestServer, cookie: string, surveyor: Page, crewBrowser: Browser, mode: 'app' | 'bare'): Promise<number> {
  const { id, token } = await prepare(server, cookie, surveyor);
  const crew = await androidPage(crewBrowser);
  const frame = firstFrameAt(surveyor);
  const t0 = Date.now();
  if (mode === 'app') {
    await crew.goto(`${server.url}/join/${token}`);
    await crew.waitForSelector('[data-testid=crew-join]', { visible: true });
    await crew.click('[data-testid=crew-join]');
  } else {
    await crew.goto(`${server.url}/bench-bare.html?token=${encodeURIComponent(token)}`);
  }
  const t1 = await frame;
  await server.api('POST', `/api/inspections/${id}/end`, { cookie });
  await crew.close();
  return t1 - t0;
}

async function main(): Promise<void> {
  const server = await startTestServer();
  const browsers = await Promise.all([launchBrowser(), launchBrowser()]);
  try {
    const adminCookie = await server.signIn(ADMIN.username, ADMIN.password);
    const { cookie } = await server.createAccount(adminCookie, 'surveyor', 'bench');
    const surveyor = await desktopPage(browsers[0]);
    const [name, value] = cookie.split('=');
    await surveyor.setCookie({ name: name!, value: value!, url: server.url });
    // One warm-up of each, not counted: the first page load compiles the bundles.
    await measure(server, cookie, surveyor, browsers[1], 'app');
    await measure(server, cookie, surveyor, browsers[1], 'bare');
    const samples = { app: [] as number[], bare: [] as number[] };
    for (let i = 0; i < N; i++) {
      for (const mode of ['app', 'bare'] as const) {
        samples[mode].push(await measure(server, cookie, surveyor, browsers[1], mode));
        process.stdout.write(`run ${i + 1}/${N} ${mode}: ${samples[mode].at(-1)} ms\n`);
      }
    }
    const app = summary(samples.app);
    const bare = summary(samples.bare);
    const row = (label: string, s: ReturnType<typeof summary>) =>
      `${label.padEnd(26)} ${s.median.toFixed(0).padStart(7)} ${s.p95.toFixed(0).padStart(7)} ${s.min.toFixed(0).padStart(7)} ${s.max.toFixed(0).padStart(7)}`;
    process.stdout.write(
      [
        '',
        `crew link opened -> first decoded frame on the surveyor side, N=${N} each (ms)`,
        `${''.padEnd(26)} ${'median'.padStart(7)} ${'p95'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)}`,
        row('crew page (application)', app),
        row('bare mediasoup-client', bare),
        `ratio app/bare: median ${(app.median / bare.median).toFixed(2)}, p95 ${(app.p95 / bare.p95).toFixed(2)}`,
        `targets: median <= 600 ms, p95 <= 1000 ms -> ${app.median <= 600 && app.p95 <= 1000 ? 'met' : 'NOT met'}`,
        '',
      ].join('\n'),
    );
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
