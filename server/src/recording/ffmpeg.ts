// ffmpeg plumbing for the recorder: an SDP describing one RTP stream, free UDP port pairs, waiting
// until ffmpeg has bound its port, probing and repairing files. ffmpeg is the Debian package; it
// only ever copies (-c copy): transcoding costs 25-35% of a core per stream, copying about 1%.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import type { RtpParameters } from 'mediasoup/types';

/** Debian's ffmpeg on the PATH (installed by scripts/bootstrap.mjs). */
export const FFMPEG = 'ffmpeg';
export const FFPROBE = 'ffprobe';
/** Scheduling niceness of recorder processes (see spawnRecorder). */
const RECORDER_NICE = 10;

/**
 * Runs ffmpeg under a small bash guard tied to this process (setpriv --pdeathsig). Without it a
 * recorder outlives a crashed server forever, blocked on a port nobody sends to. When this process
 * dies the guard gets SIGTERM and sends ffmpeg an RTCP BYE on `byePort`, which ends its input
 * cleanly: the segment it was writing gets its trailer and recovery registers it. A signal would
 * not do: blocked in a read, ffmpeg needs two, and the second one drops the buffered cluster.
 * SIGINT to the guard is forwarded; if the guard itself is killed, ffmpeg is killed with it. If
 * ffmpeg does not end within 5 s of the BYE, it is interrupted, then killed.
 */
const GUARD = `
bye() { printf "$RECORDER_BYE" > "/dev/udp/127.0.0.1/$RECORDER_BYE_PORT" 2>/dev/null; }
# After the BYE, a bounded fallback: if ffmpeg has not ended its input within 5 s, two SIGINTs
# (the second drops what is buffered), then SIGKILL; a guard never outlives its server for long.
trap 'bye; bye; (sleep 5; kill -INT $child; sleep 1; kill -INT $child; sleep 2; kill -KILL $child) 2>/dev/null &' TERM
trap 'kill -INT $child 2>/dev/null' INT
/usr/bin/setpriv --pdeathsig KILL "$@" <&0 &
child=$!
code=0
while kill -0 $child 2>/dev/null; do wait $child; code=$?; done
exit $code
`;

export function spawnRecorder(args: string[], options: { cwd: string; byePort: number; bye: Buffer }): ChildProcess {
  const stdio: ['pipe', 'ignore', 'pipe'] = ['pipe', 'ignore', 'pipe'];
  // Recorders run niced: they are background work, and when many start at once (a join storm)
  // signaling and the SFU must keep the CPU. In steady state `-c copy` needs little anyway.
  if (!fs.existsSync('/usr/bin/setpriv')) return spawn('nice', ['-n', String(RECORDER_NICE), FFMPEG, ...args], { cwd: options.cwd, stdio });
  const bye = [...options.bye].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  return spawn(
    'nice',
    [
      '-n',
      String(RECORDER_NICE),
      '/usr/bin/setpriv',
      '--pdeathsig',
      'TERM',
      '/bin/bash',
      '-c',
      GUARD,
      'cloudship-recorder',
      FFMPEG,
      ...args,
    ],
    {
      cwd: options.cwd,
      stdio,
      env: { ...process.env, RECORDER_BYE: bye, RECORDER_BYE_PORT: String(options.byePort) },
    },
  );
}

/** One m-line SDP for ffmpeg's sdp demuxer, from the recording consumer's RTP parameters. */
export function sdpFor(kind: 'audio' | 'video', port: number, rtp: RtpParameters): string {
  const codec = rtp.codecs[0]!;
  const name = codec.mimeType.split('/')[1]!;
  const channels = kind === 'audio' && codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  const parameters = (codec.parameters ?? {}) as Record<string, string | number>;
  const fmtp = Object.entries(parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=cloudship-recorder',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

function bindUdp(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** An even port P with P+1 free as well (RTP and RTCP for ffmpeg), found by binding and releasing. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindUdp(0);
    if (!first) continue;
    const port = first.address().port;
    const candidate = port % 2 === 0 ? port : port + 1;
    const a = candidate === port ? first : await bindUdp(candidate);
    const b = a ? await bindUdp(candidate + 1) : null;
    for (const s of new Set([first, a, b])) s?.close();
    if (a && b && candidate + 1 <= 65535) return candidate;
  }
  throw new Error('no free UDP port pair on 127.0.0.1');
}

/** UDP ports bound on 127.0.0.1 or 0.0.0.0, from the text of /proc/net/udp. */
export function boundUdpPorts(procNetUdp: string): Set<number> {
  const ports = new Set<number>();
  for (const line of procNetUdp.split('\n')) {
    const m = /^\s*\d+:\s+(0100007F|00000000):([0-9A-F]{4})\s/.exec(line);
    if (m) ports.add(parseInt(m[2]!, 16));
  }
  return ports;
}

/**
 * Every recorder that is starting waits for its ffmpeg to bind a port. One shared poller reads
 * /proc/net/udp (asynchronously) for all of them, so that twenty recorders starting together (a
 * join storm) cost one read per tick instead of twenty blocking reads on the event loop.
 */
const waiting = new Map<number, Set<() => void>>();
/** True from the moment a poll is scheduled until a read finds nobody waiting any more. */
let polling = false;
const POLL_MS = 20;

function schedulePoll(delay: number): void {
  polling = true;
  setTimeout(() => {
    fs.promises
      .readFile('/proc/net/udp', 'utf8')
      .then(
        (text) => {
          const bound = boundUdpPorts(text);
          for (const [port, resolvers] of waiting) {
            if (!bound.has(port)) continue;
            waiting.delete(port);
            for (const resolve of resolvers) resolve();
          }
        },
        () => undefined, // not Linux, or /proc unavailable: the waiters' timeouts answer
      )
      .finally(() => {
        if (waiting.size > 0) schedulePoll(POLL_MS);
        else polling = false;
      });
  }, delay);
}

/**
 * Resolves once `port` is bound (ffmpeg opened its input, about 200-260 ms after spawn), rejects
 * if the process exits first or `timeoutMs` passes. Resuming the consumer earlier loses packets,
 * the first key frame among them.
 */
export function waitForUdpBind(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const resolvers = waiting.get(port) ?? new Set<() => void>();
    waiting.set(port, resolvers);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolvers.delete(done);
      if (resolvers.size === 0 && waiting.get(port) === resolvers) waiting.delete(port);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`ffmpeg exited before binding port ${port}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`ffmpeg did not bind port ${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    if (child.exitCode !== null || child.signalCode !== null) return onExit();
    child.once('exit', onExit);
    resolvers.add(done);
    if (!polling) schedulePoll(0);
  });
}

export function run(command: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Duration in seconds from the packets themselves (works for files without a duration header). */
export async function probeDuration(file: string): Promise<number | null> {
  const r = await run(FFPROBE, ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file]);
  if (r.code !== 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const line of r.stdout.split('\n')) {
    const [pts, dur] = line.split(',').map(Number);
    if (pts === undefined || !Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    last = Math.max(last, pts + (Number.isFinite(dur) ? dur! : 0));
  }
  return Number.isFinite(first) ? last - first : null;
}

/**
 * Rewrites a segment whose writer died (no trailer, no cues) into a proper WebM with -c copy.
 * Returns false when nothing decodable is in it.
 */
export async function repairSegment(file: string): Promise<boolean> {
  const fixed = `${file}.repaired.webm`;
  // A truncated input ends in an error; what was read before it is still written out.
  await run(FFMPEG, [
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-err_detect',
    'ignore_err',
    '-i',
    file,
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'webm',
    fixed,
  ]);
  if (!fs.existsSync(fixed) || fs.statSync(fixed).size === 0) {
    fs.rmSync(fixed, { force: true });
    return false;
  }
  fs.renameSync(fixed, file);
  return true;
}

/** Entries of ffmpeg's `-segment_list_type csv`: file name, start and end media time (s). */
export function readSegmentList(file: string): Array<{ name: string; start: number; end: number }> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.trim().split(','))
    .filter((p) => p.length === 3 && /^seg-\d{5}\.webm$/.test(p[0]!))
    .map(([name, start, end]) => ({ name: name!, start: Number(start), end: Number(end) }))
    .filter((e) => Number.isFinite(e.start) && Number.isFinite(e.end));
}
