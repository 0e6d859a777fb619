// npm run bench:data [-- --seconds=60 --settle=10 --profiles=auto,detail,walk-through,audio-stills,data-saver
//                        --frames=DIR --only-consumed]
//
// The crew's mobile data per video profile. A live session: the surveyor in desktop Chromium
// (1366x768, the crew's picture full size), the crew phone (Chromium emulating an Android phone,
// fake 1280x720 camera) in its own network namespace (test/helpers/netns.ts), recording on. For
// each profile, after `settle` seconds, `seconds` of the crew's traffic are counted twice: at the
// namespace's interface (every byte in and out, signalling included) and from the phone's WebRTC
// transport stats; also which encodings the phone sends and what the surveyor receives (width,
// frames per second). The whole run is done twice, with the server sending only the layers
// someone consumes (SIMULCAST_ONLY_CONSUMED=true, the default) and without (false: every layer,
// as before): the ratio is the saving (--only-consumed: the second run only). --frames=DIR saves
// the surveyor's picture per profile, to look at. Needs root (ip netns, tc).
import fs from 'node:fs';
import type { Page } from 'puppeteer-core';
import type { VideoProfile } from '@cloudship/shared';
import { openLiveSession, startNetworkScenario, type NetworkScenario } from '../test/helpers/network-scenario';

const option = (name: string, def: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const SECONDS = Number(option('seconds', '60'));
const SETTLE_S = Number(option('settle', '10'));
/** 'data-saver' is the automatic profile with the crew's data saver on. */
type Setting = VideoProfile | 'data-saver';
const PROFILES = option('profiles', 'auto,detail,walk-through,audio-stills,data-saver').split(',') as Setting[];
/** A folder to save a frame of what the surveyor sees per profile into (to look at the quality). */
const FRAMES_DIR = option('frames', '');

/**
 * For reference: this bench's figures (MB/min at the interface, 60 s) on the release before the
 * crew-data work: every layer sent, caps 150/500/1500 kbit/s, detail only at 5 fps, Opus at
 * Chrome's defaults (20 ms packets, ~32 kbit/s). Not measurable any more: that code is gone.
 */
const BEFORE: Partial<Record<Setting, number>> = { auto: 11.2, detail: 11.21, 'walk-through': 5.03, 'audio-stills': 1.0 };

interface Hooked {
  cloudship: {
    session: {
      request(name: string, payload: unknown): Promise<unknown>;
      setDataSaver(on: boolean): Promise<void>;
      cameraEncodings(): { active: boolean; maxFramerate: number | null }[];
      mediaTransports(): Record<'send' | 'recv', { getStats(): Promise<Map<string, Record<string, unknown>>> } | null>;
    } | null;
    inboundStats(): Promise<Array<{ kind: string; peerRole: string; framesDecoded: number; frameWidth: number; qpSum?: number }>>;
  };
}

interface Sample {
  /** At the namespace's interface: bytes out of the phone, into it. */
  up: number;
  down: number;
  /** The phone's WebRTC transports: bytes sent and received. */
  rtcUp: number;
  rtcDown: number;
  /** The phone's video bytes sent per simulcast layer (outbound-rtp by rid, lowest first). */
  layerBytes: number[];
  /** The surveyor's decoded frames of the crew camera, the width of the last, their QP sum. */
  frames: number;
  width: number;
  qpSum: number;
  at: number;
}

interface Row {
  profile: Setting;
  mbPerMin: number;
  upMbPerMin: number;
  rtcMbPerMin: number;
  encodings: string;
  width: number;
  fps: number;
  /** Mean quantiser of the frames the surveyor decoded (VP8: 0-127, lower is finer). */
  qp: number | null;
  /** kbit/s sent per layer. */
  layerKbps: number[];
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
    const layerBytes = [0, 0, 0];
    for (const t of Object.values(session?.mediaTransports() ?? {})) {
      (await t?.getStats())?.forEach((s) => {
        if (s.type === 'transport') {
          up += Number(s.bytesSent ?? 0);
          down += Number(s.bytesReceived ?? 0);
        }
        // mediasoup-client names the simulcast encodings r0, r1, r2 (lowest first).
        const rid = typeof s.rid === 'string' ? /^r(\d)$/.exec(s.rid) : null;
        if (s.type === 'outbound-rtp' && s.kind === 'video' && rid) layerBytes[Number(rid[1])]! += Number(s.bytesSent ?? 0);
      });
    }
    return { up, down, layerBytes };
  });
  const video = await surveyor.evaluate(async () => {
    const stats = await (window as unknown as Hooked).cloudship.inboundStats();
    const v = stats.find((s) => s.kind === 'video' && s.peerRole === 'crew');
    return { frames: v?.framesDecoded ?? 0, width: v?.frameWidth ?? 0, qpSum: v?.qpSum ?? 0 };
  });
  return { ...interfaceBytes(scenario), rtcUp: rtc.up, rtcDown: rtc.down, layerBytes: rtc.layerBytes, ...video, at: Date.now() };
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
        profile === 'data-saver' ? 'auto' : profile,
      );
      await crew.evaluate((on) => (window as unknown as Hooked).cloudship.session!.setDataSaver(on), profile === 'data-saver');
      await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
      const a = await sample(scenario, surveyor, crew);
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const b = await sample(scenario, surveyor, crew);
      if (FRAMES_DIR && profile !== 'audio-stills') {
        fs.mkdirSync(FRAMES_DIR, { recursive: true });
        const video = await surveyor.$('[data-testid=crew-video-area] video');
        await video?.screenshot({ path: `${FRAMES_DIR}/${onlyConsumed ? 'only-consumed' : 'every-layer'}-${profile}.png` });
      }
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
        qp: b.frames > a.frames ? (b.qpSum - a.qpSum) / (b.frames - a.frames) : null,
        layerKbps: b.layerBytes.map((bytes, i) => ((bytes - a.layerBytes[i]!) * 8) / ((b.at - a.at) / 1000) / 1000),
      };
      rows.push(row);
      console.log(
        `  ${onlyConsumed ? 'only consumed' : 'every layer  '}  ${profile.padEnd(12)} ${row.mbPerMin.toFixed(2)} MB/min ` +
          `(uplink ${row.upMbPerMin.toFixed(2)}, WebRTC ${row.rtcMbPerMin.toFixed(2)}); encodings ${encodings}; ` +
          `layers ${row.layerKbps.map((k) => k.toFixed(0)).join('/')} kbit/s; ` +
          `surveyor receives ${row.width} wide at ${row.fps.toFixed(1)} fps, QP ${row.qp?.toFixed(1) ?? '-'}`,
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
  const every = process.argv.includes('--only-consumed') ? [] : await measure(false);
  const consumed = await measure(true);
  console.log("\nprofile       before  every layer  only consumed  ratio   (MB per minute at the phone's interface, both directions)");
  for (const row of consumed) {
    const all = every.find((r) => r.profile === row.profile);
    const before = BEFORE[row.profile]?.toFixed(2) ?? '—';
    console.log(
      `${row.profile.padEnd(13)} ${before.padStart(6)}  ${all?.mbPerMin.toFixed(2).padStart(11) ?? '          —'}  ${row.mbPerMin.toFixed(2).padStart(13)}  ` +
        `${all ? (row.mbPerMin / all.mbPerMin).toFixed(2).padStart(5) : '    —'}`,
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
