// npm run bench:data [-- --seconds=60 --settle=10 --profiles=auto,detail,walk-through,audio-stills]
//
// The crew's mobile data per video profile. A live session: the surveyor in desktop Chromium
// (1366x768, the crew's picture full size), the crew phone (Chromium emulating an Android phone,
// fake 1280x720 camera) in its own network namespace (test/helpers/netns.ts), recording on. For
// each profile, after `settle` seconds, `seconds` of the crew's traffic are counted twice: at the
// namespace's interface (every byte in and out, signalling included) and from the phone's WebRTC
// transport stats; also which encodings the phone sends and what the surveyor receives (width,
// frames per second). The whole run is done twice, with the server sending only the layers
// someone consumes (SIMULCAST_ONLY_CONSUMED=true, the default) and without (false: every layer,
// as before): the ratio is the saving. Needs root (ip netns, tc).
import fs from 'node:fs';
import type { Page } from 'puppeteer-core';
import type { VideoProfile } from '@cloudship/shared';
import { openLiveSession, startNetworkScenario, type NetworkScenario } from '../test/helpers/network-scenario';

const option = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const SECONDS = Number(option('seconds', '60'));
const SETTLE_S = Number(option('settle', '10'));
const PROFILES = option('profiles', 'auto,detail,walk-through,audio-stills').split(',') as VideoProfile[];

interface Hooked {
  cloudship: {
    session: {
      request(name: string, payload: unknown): Promise<unknown>;
      cameraEncodings(): { active: boolean; maxFramerate: number | null }[];
      mediaTransports(): Record<'send' | 'recv', { getStats(): Promise<Map<string, Record<string, unknown>>> } | null>;
    } | null;
    inboundStats(): Promise<Array<{ kind: string; peerRole: string; framesDecoded: number; frameWidth: number }>>;
  };
}

interface Sample {
  /** At the namespace's interface: bytes out of the phone, into it. */
  up: number;
  down: number;
  /** The phone's WebRTC transports: bytes sent and received. */
  rtcUp: number;
  rtcDown: number;
  /** The surveyor's decoded frames of the crew camera, and the width of the last. */
  frames: number;
  width: number;
  at: number;
}

interface Row {
  profile: VideoProfile;
  mbPerMin: number;
  upMbPerMin: number;
  rtcMbPerMin: number;
  encodings: string;
  width: number;
  fps: number;
}

function interfaceBytes(scenario: NetworkScenario): { up: number; down: number } {
  // The host side of the veth pair: what it receives the phone sent.
  const read = (what: string) => Number(fs.readFileSync(`/sys/class/net/${scenario.ns.hostIf}/statistics/${what}`, 'utf8'));
  return { up: read('rx_bytes'), down: read('tx_bytes') };
}

async function sample(scenario: NetworkScenario, surveyor: Page, crew: Page): Promise<Sample> {
  const rtc = await crew.evaluate(async () => {
    const session = (window as unknown as Hooked).cloudship.session;
    let up = 0;
    let down = 0;
    for (const t of Object.values(session?.mediaTransports() ?? {})) {
      (await t?.getStats())?.forEach((s) => {
        if (s.type === 'transport') {
          up += Number(s.bytesSent ?? 0);
          down += Number(s.bytesReceived ?? 0);
        }
      });
    }
    return { up, down };
  });
  const video = await surveyor.evaluate(async () => {
    const stats = await (window as unknown as Hooked).cloudship.inboundStats();
    const v = stats.find((s) => s.kind === 'video' && s.peerRole === 'crew');
    return { frames: v?.framesDecoded ?? 0, width: v?.frameWidth ?? 0 };
  });
  return { ...interfaceBytes(scenario), rtcUp: rtc.up, rtcDown: rtc.down, ...video, at: Date.now() };
}

async function measure(onlyConsumed: boolean): Promise<Row[]> {
  const scenario = await startNetworkScenario({ LOG_LEVEL: 'error', SIMULCAST_ONLY_CONSUMED: String(onlyConsumed) });
  try {
    const { inspectionId, surveyor, crew } = await openLiveSession(scenario);
    await surveyor.setViewport({ width: 1366, height: 768 });
    const crewId = [...scenario.server.rooms.get(inspectionId)!.peers.values()].find((p) => p.role === 'crew')!.id;
    const rows: Row[] = [];
    for (const profile of PROFILES) {
      await surveyor.evaluate(
        (peerId, p) => (window as unknown as Hooked).cloudship.session!.request('video.setProfile', { peerId, profile: p }),
        crewId,
        profile,
      );
      await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
      const a = await sample(scenario, surveyor, crew);
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const b = await sample(scenario, surveyor, crew);
      const minutes = (b.at - a.at) / 60_000;
      const mb = (bytes: number) => bytes / 1e6 / minutes;
      const encodings = await crew.evaluate(() =>
        ((window as unknown as Hooked).cloudship.session?.cameraEncodings() ?? [])
          .map((e) => (e.active ? (e.maxFramerate ?? 'on') : 'off'))
          .join('/'),
      );
      const row: Row = {
        profile,
        mbPerMin: mb(b.up - a.up + b.down - a.down),
        upMbPerMin: mb(b.up - a.up),
        rtcMbPerMin: mb(b.rtcUp - a.rtcUp + b.rtcDown - a.rtcDown),
        encodings,
        width: b.width,
        fps: (b.frames - a.frames) / ((b.at - a.at) / 1000),
      };
      rows.push(row);
      console.log(
        `  ${onlyConsumed ? 'only consumed' : 'every layer  '}  ${profile.padEnd(12)} ${row.mbPerMin.toFixed(2)} MB/min ` +
          `(uplink ${row.upMbPerMin.toFixed(2)}, WebRTC ${row.rtcMbPerMin.toFixed(2)}); encodings ${encodings}; ` +
          `surveyor receives ${row.width} wide at ${row.fps.toFixed(1)} fps`,
      );
    }
    return rows;
  } finally {
    if (scenario.errors.length) console.log(scenario.errors.join('\n'));
    await scenario.dispose();
  }
}

async function main(): Promise<void> {
  console.log(`crew data per profile: ${SETTLE_S} s to settle, ${SECONDS} s counted; recording on; surveyor full size at 1366x768`);
  const every = await measure(false);
  const consumed = await measure(true);
  console.log("\nprofile       every layer  only consumed  ratio   (MB per minute at the phone's interface, both directions)");
  for (const row of consumed) {
    const before = every.find((r) => r.profile === row.profile)!;
    console.log(
      `${row.profile.padEnd(13)} ${before.mbPerMin.toFixed(2).padStart(11)}  ${row.mbPerMin.toFixed(2).padStart(13)}  ${(row.mbPerMin / before.mbPerMin).toFixed(2).padStart(5)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
