// A crew phone whose network blocks the media server's UDP reaches it through TURN: a real coturn
// (test/helpers/turn-server.ts, unprivileged, TURN REST API credentials from the server's
// TURN_SECRET) on the host side of the crew's namespace. With UDP let through to the TURN port
// only, the phone's media goes over a UDP relay; with no UDP at all, over TCP to the TURN server.
// The pair in use is read from the phone's WebRTC stats. A credential whose time has passed, or
// one not signed with the secret, gets no relay.
import crypto from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { turnCredential } from '../../server/src/field/turn-credentials';
import { waitForStat } from '../helpers/browser';
import { startTurnServer, type TurnServer } from '../helpers/turn-server';
import { useNetworkScenario } from '../helpers/use-network-scenario';

jest.setTimeout(180_000);

const SECRET = `turn-secret-${crypto.randomBytes(12).toString('hex')}`;
let turn: TurnServer | undefined;
let turnHost = '';

const scenario = useNetworkScenario(async (ns) => {
  turn = await startTurnServer(ns.hostIp, SECRET);
  turnHost = `${ns.hostIp}:${turn.port}`;
  return { TURN_URLS: `turn:${turnHost}?transport=udp,turn:${turnHost}?transport=tcp`, TURN_SECRET: SECRET };
});

afterAll(async () => {
  await turn?.stop();
});

interface SelectedPair {
  state: string;
  localType: string;
  relayProtocol: string | null;
  bytesSent: number;
}

/** The candidate pair the phone's send transport uses, with its local candidate. */
async function selectedPair(crew: Page): Promise<SelectedPair | null> {
  return crew.evaluate(async () => {
    type Stats = Map<string, Record<string, unknown>>;
    const send = (
      window as unknown as { cloudship: { session: { mediaTransports(): { send: { getStats(): Promise<Stats> } | null } } | null } }
    ).cloudship.session?.mediaTransports().send;
    if (!send) return null;
    const stats = await send.getStats();
    let pairId: string | undefined;
    stats.forEach((s) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? stats.get(pairId) : undefined;
    const local = pair ? stats.get(String(pair.localCandidateId)) : undefined;
    if (!pair || !local) return null;
    return {
      state: String(pair.state),
      localType: String(local.candidateType),
      relayProtocol: typeof local.relayProtocol === 'string' ? local.relayProtocol : null,
      bytesSent: Number(pair.bytesSent ?? 0),
    };
  });
}

async function crewThroughRelay(protocol: 'udp' | 'tcp'): Promise<SelectedPair> {
  const { id, crewUrl } = await scenario.newInspection();
  const surveyor = await scenario.openSurveyor(id);
  const httpPort = Number(new URL(scenario.server.url).port);
  // The page and its socket, and the TURN server over `protocol`; nothing else leaves the phone.
  scenario.ns.allowOnly([
    { protocol: 'tcp', port: httpPort },
    { protocol, port: turn!.port },
  ]);
  const crew = await scenario.openCrew(crewUrl);
  await crew.waitForSelector('[data-testid=crew-status] [data-testid=connection-state][data-media-state=ok][data-state=connected]', {
    timeout: 60_000,
  });
  await waitForStat(surveyor, 'video', 'framesDecoded', 10, 60_000);
  const pair = (await selectedPair(crew))!;
  await Promise.all([surveyor.close(), crew.close()]);
  return pair;
}

test('UDP to the media server blocked: the phone connects through a UDP relay and the surveyor sees it', async () => {
  const pair = await crewThroughRelay('udp');
  console.log(`selected pair: ${JSON.stringify(pair)}`);
  expect(pair).toMatchObject({ state: 'succeeded', localType: 'relay', relayProtocol: 'udp' });
  expect(pair.bytesSent).toBeGreaterThan(10_000);
});

test('no UDP at all: the phone connects to the TURN server over TCP', async () => {
  const pair = await crewThroughRelay('tcp');
  console.log(`selected pair: ${JSON.stringify(pair)}`);
  expect(pair).toMatchObject({ state: 'succeeded', localType: 'relay', relayProtocol: 'tcp' });
  expect(pair.bytesSent).toBeGreaterThan(10_000);
});

test('an expired credential, or one not signed with the secret, gets no relay; a current one does', async () => {
  const page = await scenario.surveyorBrowser.newPage();
  await page.goto(scenario.server.url, { waitUntil: 'domcontentloaded' });
  /** Gathers candidates with only TURN allowed: the relay candidates and the TURN errors seen. */
  const gather = (username: string, credential: string) =>
    page.evaluate(
      async (url: string, user: string, pass: string) => {
        const pc = new RTCPeerConnection({ iceServers: [{ urls: url, username: user, credential: pass }], iceTransportPolicy: 'relay' });
        const relays: string[] = [];
        const errors: number[] = [];
        pc.addEventListener('icecandidateerror', (e) => errors.push(e.errorCode));
        const done = new Promise<void>((resolve) =>
          pc.addEventListener('icecandidate', (e) => {
            if (!e.candidate) resolve();
            else if (e.candidate.type === 'relay') relays.push(e.candidate.candidate);
          }),
        );
        pc.createDataChannel('probe');
        await pc.setLocalDescription(await pc.createOffer());
        await done;
        pc.close();
        return { relays, errors };
      },
      `turn:${turnHost}?transport=udp`,
      username,
      credential,
    );

  const current = turnCredential(SECRET, 'probe', Date.now() + 3600_000);
  const expired = turnCredential(SECRET, 'probe', Date.now() - 60_000);
  const forged = turnCredential('not-the-secret-of-this-server', 'probe', Date.now() + 3600_000);

  expect((await gather(current.username, current.credential)).relays.length).toBeGreaterThan(0);
  for (const [what, c] of [
    ['expired', expired],
    ['forged', forged],
  ] as const) {
    const result = await gather(c.username, c.credential);
    console.log(`${what} credential: ${JSON.stringify(result)}`);
    expect(result.relays).toEqual([]);
    expect(result.errors).toContain(401);
  }
  await page.close();
});
