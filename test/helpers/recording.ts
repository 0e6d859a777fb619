// Synthetic media for recording tests and benchmarks: a VP8/Opus clip encoded once from ffmpeg's
// test sources, sent as RTP (-c copy, so sending costs next to nothing) into mediasoup
// PlainTransport producers (comedia) that are attached to a participant of a live room exactly
// as a WebRTC producer would be (Room.adoptProducer: the peer's producer, 'producerAdded', consumers).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PlainTransport, Producer } from 'mediasoup/types';
import type { RecordingStateEvent } from '@cloudship/shared';
import type { Peer, PeerProducer } from '../../server/src/session/peer';
import type { Room } from '../../server/src/session/room';

const CACHE = path.resolve(__dirname, '..', '.tmp');

/**
 * A clip of `seconds` (640x360 at 20 fps, about 1 Mbit/s VP8 with a key frame every second, and a
 * 440 Hz Opus tone), encoded once and cached: encoding live would cost a core per stream.
 */
export function syntheticClip(seconds = 30, bitrate = '1M'): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, `clip-${seconds}s-${bitrate}.webm`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp.webm`;
  const r = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=640x360:rate=20:duration=${seconds}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-c:v',
      'libvpx',
      '-b:v',
      bitrate,
      '-maxrate',
      bitrate,
      '-bufsize',
      '500k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '20',
      '-keyint_min',
      '20',
      '-auto-alt-ref',
      '0',
      '-c:a',
      'libopus',
      '-b:a',
      '48k',
      '-ac',
      '2',
      tmp,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (r.status !== 0) throw new Error(`could not encode the clip: ${r.stderr.toString()}`);
  fs.renameSync(tmp, file);
  return file;
}

export interface PlainPublisher {
  video: Producer;
  audio: Producer;
  /** The ffmpeg command line that sends `seconds` of the clip in real time as RTP to the producers. */
  senderArgs(clip: string, seconds: number, loop?: boolean): string[];
  /** Starts ffmpeg sending `seconds` of the clip in real time; resolves when it exits. */
  send(clip: string, seconds: number, loop?: boolean): { done: Promise<number | null>; child: ChildProcess };
  /** Closes producers and transports (what a dropped crew connection does) and stops the sender. */
  close(): void;
}

/** The room was told both tracks of a publishPlain() publisher are being written. */
export const allWritten = (e: RecordingStateEvent): boolean =>
  e.recording && e.tracks.length === 2 && e.tracks.every((t) => t.state === 'recording');

/** Produces VP8 + Opus for `peer` through two comedia PlainTransports. */
export async function publishPlain(room: Room, peer: Peer): Promise<PlainPublisher> {
  const transports: PlainTransport[] = [];
  const make = async () => {
    // RTCP on its own port: ffmpeg sends RTCP from a different socket than RTP, and with rtcpMux a
    // comedia transport would lock onto whichever came first and ignore the other.
    const t = await room.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
    transports.push(t);
    return t;
  };
  const vt = await make();
  const at = await make();
  const vssrc = crypto.randomInt(1, 2 ** 31);
  const assrc = crypto.randomInt(1, 2 ** 31);
  const video = await vt.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: vssrc }] },
    appData: { source: 'camera' },
  });
  const audio = await at.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: assrc }] },
    appData: { source: 'microphone' },
  });
  for (const p of [video, audio]) await room.adoptProducer(peer, p as PeerProducer);
  const senders: ChildProcess[] = [];
  const senderArgs = (clip: string, seconds: number, loop = false) => [
    '-hide_banner',
    '-v',
    'error',
    '-nostdin',
    '-re',
    ...(loop ? ['-stream_loop', '-1'] : []),
    '-t',
    String(seconds),
    '-i',
    clip,
    '-map',
    '0:v:0',
    '-c',
    'copy',
    '-f',
    'rtp',
    '-ssrc',
    String(vssrc),
    '-payload_type',
    '101',
    `rtp://127.0.0.1:${vt.tuple.localPort}?rtcpport=${vt.rtcpTuple!.localPort}&pkt_size=1200`,
    '-map',
    '0:a:0',
    '-c',
    'copy',
    '-f',
    'rtp',
    '-ssrc',
    String(assrc),
    '-payload_type',
    '100',
    `rtp://127.0.0.1:${at.tuple.localPort}?rtcpport=${at.rtcpTuple!.localPort}&pkt_size=1200`,
  ];
  return {
    video,
    audio,
    senderArgs,
    send(clip, seconds, loop = false) {
      const args = senderArgs(clip, seconds, loop);
      const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
      senders.push(child);
      const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { done, child };
    },
    close() {
      for (const s of senders) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
      for (const p of [video, audio]) p.close(); // the peer forgets them on 'close'
      for (const t of transports) t.close();
    },
  };
}

/** Polls `check` until it returns a truthy value (conditions, never fixed sleeps). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 60_000, everyMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

/** Decodes a file fully with ffmpeg: errors printed (if any) and the duration from ffprobe. */
export function decodeCheck(file: string): { errors: string; duration: number; width: number | null } {
  const dec = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=width', '-of', 'json', file], {
    encoding: 'utf8',
  });
  const info = JSON.parse(probe.stdout || '{}');
  return {
    errors: (dec.status === 0 ? '' : `exit ${dec.status} `) + dec.stderr.toString().trim(),
    duration: Number(info.format?.duration ?? NaN),
    width: info.streams?.[0]?.width ?? null,
  };
}

/** ffmpeg processes whose command line mentions `needle` (a test's data dir): none must outlive a test. */
export function ffmpegProcessesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cmd.includes('ffmpeg') && (cmd.includes(needle) || cwd.includes(needle))) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
