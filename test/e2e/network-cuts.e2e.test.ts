// The crew's phone loses its network (its Chromium runs in a network namespace; the test drops
// every packet on the veth pair) and gets it back: the surveyor's picture must come back by itself,
// with one crew participant in the log, not two.
//
// The cut lengths are the scenario (10 s: ICE survives; 40 s: the transports fail and the
// signalling is lost, so the page restarts ICE / rejoins); everything else waits on conditions.
import type { Page } from 'puppeteer-core';
import { videoFrames, waitForVideoResume, waitForVideoStall } from '../helpers/network-scenario';
import { useNetworkScenario } from '../helpers/use-network-scenario';
import { waitForStat } from '../helpers/browser';

jest.setTimeout(240_000);

const scenario = useNetworkScenario();

async function liveSession(): Promise<{ inspectionId: string; surveyor: Page; crew: Page }> {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  const crew = await scenario.openCrew(crewUrl);
  const first = await waitForStat(surveyor, 'video', 'framesDecoded', 0, 30_000);
  await waitForStat(surveyor, 'video', 'framesDecoded', first + 10, 30_000);
  return { inspectionId: id, surveyor, crew };
}

async function cutFor(seconds: number, surveyor: Page): Promise<{ recoveryMs: number }> {
  scenario.ns.cut();
  const cutAt = Date.now();
  let restored = false;
  try {
    await waitForVideoStall(surveyor);
    // The surveyor is told the crew is reconnecting (from the media watchdog or the socket loss).
    await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=reconnecting]', { timeout: seconds * 1000 });
    const stalled = await videoFrames(surveyor);
    // The outage itself: this wait is the scenario, not a stand-in for an event.
    const remaining = seconds * 1000 - (Date.now() - cutAt);
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
    scenario.ns.restore();
    restored = true;
    const restoredAt = Date.now();
    await waitForVideoResume(surveyor, stalled, 10_000);
    return { recoveryMs: Date.now() - restoredAt };
  } finally {
    if (!restored) scenario.ns.restore();
  }
}

async function expectOneCrewParticipant(inspectionId: string): Promise<void> {
  const detail = await scenario.server.inspections.detail(inspectionId);
  expect(detail.participants.filter((p) => p.role === 'crew')).toHaveLength(1);
}

test('crew offline for 10 s: the surveyor decodes video again within 10 s of the network returning, one crew participant', async () => {
  const { inspectionId, surveyor, crew } = await liveSession();
  const { recoveryMs } = await cutFor(10, surveyor);
  console.log(`10 s cut: first new decoded frame ${recoveryMs} ms after the network returned`);
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]', { timeout: 30_000 });
  await crew.waitForSelector('[data-testid=connection-state][data-state=connected]', { timeout: 30_000 });
  await expectOneCrewParticipant(inspectionId);

  // A reload of the phone page rejoins by itself (consent was given in this tab), as the same participant.
  const before = await videoFrames(surveyor);
  await crew.reload({ waitUntil: 'domcontentloaded' });
  await crew.waitForSelector('[data-testid=crew-live]', { timeout: 30_000 });
  await waitForVideoResume(surveyor, before, 30_000, 5);
  await expectOneCrewParticipant(inspectionId);
  await Promise.all([surveyor.close(), crew.close()]);
});

test('crew offline for 40 s (transports fail, signalling lost): video comes back without user action, one crew participant', async () => {
  const { inspectionId, surveyor, crew } = await liveSession();
  const { recoveryMs } = await cutFor(40, surveyor);
  console.log(`40 s cut: first new decoded frame ${recoveryMs} ms after the network returned`);
  await surveyor.waitForSelector('[data-testid=peer-state][data-role=crew][data-state=connected]', { timeout: 30_000 });
  await crew.waitForSelector('[data-testid=connection-state][data-state=connected]', { timeout: 30_000 });
  // Audio is back too.
  const heard = await waitForStat(surveyor, 'audio', 'totalSamplesReceived', 0, 20_000);
  await waitForStat(surveyor, 'audio', 'totalSamplesReceived', heard + 48_000, 20_000);
  await expectOneCrewParticipant(inspectionId);
  await Promise.all([surveyor.close(), crew.close()]);
});
