// npm run bench:reconnect [-- N] [-- CUT_SECONDS]
//
// The crew's phone (headless Chromium emulating an Android phone, in its own network namespace,
// see test/helpers/netns.ts) loses its network for CUT_SECONDS (default 10) and gets it back; we
// measure the time from the network's return to the surveyor's first newly decoded frame of the
// crew video. Next to it, on the same machine, server and namespace: a fresh join's time from the
// crew's "join" tap to the surveyor's first decoded frame. N runs (default 5), each a fresh
// inspection: join (measured), cut, restore (measured). Prints medians, p95 and the ratio.
// Needs root (ip netns, tc).
import type { Page } from 'puppeteer-core';
import { androidPage, waitForStat } from '../test/helpers/browser';
import { startNetworkScenario, videoFrames, waitForVideoStall } from '../test/helpers/network-scenario';
import { summary } from './stats';

const N = Number(process.argv[2] ?? process.env.N ?? 5);
const CUT_S = Number(process.argv[3] ?? process.env.CUT_SECONDS ?? 10);

/** Wall-clock time at which a video consumer first decodes a frame not in `before` (10 ms polls). */
function newFrameAt(surveyor: Page, before: Record<string, number>, timeoutMs = 60_000): Promise<number> {
  return surveyor
    .waitForFunction(
      async (snapshot: Record<string, number>) => {
        const stats: Array<{ kind: string; consumerId: string; framesDecoded: number }> = await (window as any).cloudship.inboundStats();
        return stats.some((s) => s.kind === 'video' && s.framesDecoded > (snapshot[s.consumerId] ?? 0)) ? Date.now() : false;
      },
      { polling: 10, timeout: timeoutMs },
      before,
    )
    .then((h) => h.jsonValue() as Promise<number>);
}

async function main(): Promise<void> {
  const scenario = await startNetworkScenario({ LOG_LEVEL: 'error' });
  const joins: number[] = [];
  const recoveries: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const { id, crewUrl } = await scenario.newInspection({ vesselName: `Bench ${i}` });
      const surveyor = await scenario.openSurveyor(id);
      const crew = await androidPage(scenario.crewBrowser);
      await crew.goto(crewUrl, { waitUntil: 'networkidle0' });
      const first = newFrameAt(surveyor, {});
      const t0 = Date.now();
      await crew.click('[data-testid=crew-join]');
      const joinMs = (await first) - t0;
      joins.push(joinMs);
      const decoded = await waitForStat(surveyor, 'video', 'framesDecoded', 0);
      await waitForStat(surveyor, 'video', 'framesDecoded', decoded + 20);

      scenario.ns.cut();
      const cutAt = Date.now();
      let restoredAt = 0;
      try {
        await waitForVideoStall(surveyor, 1_000);
        const remaining = CUT_S * 1000 - (Date.now() - cutAt);
        if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
        const back = newFrameAt(surveyor, await videoFrames(surveyor));
        scenario.ns.restore();
        restoredAt = Date.now();
        recoveries.push((await back) - restoredAt);
      } finally {
        if (!restoredAt) scenario.ns.restore();
      }
      console.log(
        `run ${i + 1}/${N}: fresh join to first frame ${joinMs} ms; ${CUT_S} s cut: network back to first new frame ${recoveries[recoveries.length - 1]} ms`,
      );
      await Promise.all([surveyor.close(), crew.close()]);
    }
  } finally {
    await scenario.dispose();
  }
  const j = summary(joins);
  const r = summary(recoveries);
  const fmt = (s: ReturnType<typeof summary>) =>
    `median ${Math.round(s.median)} ms, p95 ${Math.round(s.p95)} ms (min ${s.min}, max ${s.max})`;
  console.log(`\nreconnect after a ${CUT_S} s cut (network restored -> first new decoded frame), ${N} runs: ${fmt(r)}`);
  console.log(`fresh join (tap "join" -> first decoded frame), same machine:            ${fmt(j)}`);
  console.log(`ratio reconnect / fresh join (medians): ${(r.median / j.median).toFixed(2)}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
