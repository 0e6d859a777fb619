// Process plumbing for bench:capacity: building rtptool, capturing the reference media once,
// spawning pinned generator/sink/relay processes, reading CPU and memory from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const WORK = path.join(os.tmpdir(), 'cloudship-bench');
const SRC = path.join(__dirname, 'rtptool.c');
export const RTPTOOL = path.join(WORK, 'rtptool');
const CLK_TCK = 100;

/** The worker core and the load core (generators, sinks, Node). */
export const WORKER_CORE = 0;
export const LOAD_CORE = os.availableParallelism() > 1 ? 1 : 0;

export function buildRtptool(): void {
  fs.mkdirSync(WORK, { recursive: true });
  const stale = !fs.existsSync(RTPTOOL) || fs.statSync(RTPTOOL).mtimeMs < fs.statSync(SRC).mtimeMs;
  if (stale) execFileSync('cc', ['-O2', '-Wall', '-o', RTPTOOL, SRC, '-lcrypto'], { stdio: 'inherit' });
}

/**
 * Runs ffmpeg into a UDP socket and stores each RTP packet as [u16 length][bytes]. ffmpeg reads
 * its input at 4x real time, so the socket keeps up; a capture with a sequence gap is refused.
 */
async function capture(file: string, ffmpegArgs: string[]): Promise<void> {
  if (fs.existsSync(file)) return;
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const chunks: Buffer[] = [];
  let lastSeq = -1;
  let gaps = 0;
  sock.on('message', (msg) => {
    const seq = msg.readUInt16BE(2);
    if (lastSeq >= 0 && seq !== ((lastSeq + 1) & 0xffff)) gaps++;
    lastSeq = seq;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    chunks.push(len, msg);
  });
  const port = sock.address().port;
  const ffmpeg = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-readrate', '4', ...ffmpegArgs, '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`],
    { stdio: 'inherit' },
  );
  const code = await new Promise<number | null>((r) => ffmpeg.on('exit', r));
  // The last datagrams are already in the socket buffer once ffmpeg has exited.
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  if (code !== 0 || gaps > 0 || chunks.length < 200)
    throw new Error(`capture for ${file} failed (ffmpeg ${code}, ${gaps} gaps, ${chunks.length / 2} packets)`);
  fs.writeFileSync(file, Buffer.concat(chunks));
}

/**
 * The reference session's media, encoded once: VP8 1280x720 about 1.5 Mbit/s with a key frame
 * every second, and Opus. 20 s each, looped by the generator.
 */
export async function prepareMedia(): Promise<{ video: string; audio: string }> {
  const video = path.join(WORK, 'vp8-720p-1500k.rtp');
  const audio = path.join(WORK, 'opus-48k.rtp');
  await capture(video, [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1280x720:rate=30',
    '-t',
    '20',
    '-c:v',
    'libvpx',
    '-b:v',
    '1500k',
    '-minrate',
    '1500k',
    '-maxrate',
    '1500k',
    '-g',
    '30',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-payload_type',
    '96',
    '-ssrc',
    '1',
  ]);
  await capture(audio, [
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '20',
    '-c:a',
    'libopus',
    '-b:a',
    '32k',
    '-payload_type',
    '111',
    '-ssrc',
    '2',
  ]);
  return { video, audio };
}

export function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-pc', String(core), String(pid)], { stdio: 'ignore' });
}

/** Spawns rtptool pinned to a core; resolves with the process and the ports it printed (if any). */
export async function rtptool(
  args: string[],
  core: number,
  expectPorts: boolean,
): Promise<{ proc: ChildProcess; ports: number[]; lines: string[] }> {
  const proc = spawn('taskset', ['-c', String(core), RTPTOOL, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  let resolvePorts: (p: number[]) => void = () => undefined;
  const portsPromise = new Promise<number[]>((r) => (resolvePorts = r));
  proc.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (line.startsWith('ports')) resolvePorts(line.split(' ').slice(1).map(Number));
      else {
        lines.push(line);
        if (lines.length > 50) lines.shift();
      }
    }
  });
  const ports = expectPorts ? await portsPromise : [];
  return { proc, ports, lines };
}

/** Cumulative [received, expected, streams, silent] of a sink from its latest report. */
export function sinkTotals(lines: string[]): [number, number, number, number] {
  const last = [...lines].reverse().find((l) => l.startsWith('stats '));
  if (!last) return [0, 0, 0, 0];
  const [, r, e, s, q] = last.split(' ').map(Number);
  return [r!, e!, s!, q!];
}

/** CPU seconds (user + system) of a process from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function rssMb(pid: number): number {
  try {
    return (Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 1048576;
  } catch {
    return 0;
  }
}

export function waitMs(ms: number): Promise<void> {
  // The benchmark's own settle and measurement windows (this is a benchmark, not a test).
  return new Promise((r) => setTimeout(r, ms));
}
