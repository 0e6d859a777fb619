// The clients of the join storm, in their own process: 20 surveyors (two inspections) connect within 1 s and run
// the join sequence (capabilities, join, two transports, connect both, produce audio). Prints one
// JSON line with the round-trip times of every request, overall and per request name.
import { connect, FAKE_DTLS, opusParameters } from '../../test/helpers/signaling-client';

const url = process.env.STORM_URL!;
/** The inspection each surveyor joins, by the index of its cookie. */
const inspections: string[] = JSON.parse(process.env.STORM_INSPECTIONS!);
const cookies: string[] = JSON.parse(process.env.STORM_COOKIES!);
const rtts: number[] = [];
const byMethod = new Map<string, number[]>();

/** Sends one request, keeping its round-trip time under its name. */
async function timed<T>(method: string, p: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await p();
  const ms = performance.now() - t0;
  rtts.push(ms);
  byMethod.set(method, [...(byMethod.get(method) ?? []), ms]);
  return r;
}

/** p50/p95/max of unsorted samples (nearest rank, as the overall figures). */
function quantiles(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1]! };
}

async function surveyor(cookie: string, i: number): Promise<() => void> {
  const c = await connect(url, { inspectionId: inspections[i]! }, cookie);
  const must = <T>(a: { ok: true; data: T } | { ok: false; error: { code: string } }): T => {
    if (!a.ok) throw new Error(a.error.code);
    return a.data;
  };
  const caps = must(await timed('room.getCapabilities', () => c.request('room.getCapabilities', {}))).routerRtpCapabilities;
  must(await timed('room.join', () => c.request('room.join', { displayName: `surveyor ${i}`, rtpCapabilities: caps })));
  for (const direction of ['send', 'recv'] as const) {
    const t = must(await timed(`transport.create ${direction}`, () => c.request('transport.create', { direction })));
    must(await timed('transport.connect', () => c.request('transport.connect', { transportId: t.id, dtlsParameters: FAKE_DTLS })));
    if (direction === 'send') {
      must(
        await timed('produce', () =>
          c.request('produce', { transportId: t.id, kind: 'audio', rtpParameters: opusParameters(50_000 + i), source: 'microphone' }),
        ),
      );
    }
  }
  return () => c.close();
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const started: Array<Promise<() => void>> = [];
  for (let i = 0; i < cookies.length; i++) {
    started.push(surveyor(cookies[i]!, i));
    // Spread the arrivals over one second, as a burst of people clicking "join".
    await new Promise((r) => setTimeout(r, 1000 / cookies.length));
  }
  const closers = await Promise.all(started);
  const spreadMs = performance.now() - t0;
  closers.forEach((close) => close());
  console.log(
    JSON.stringify({
      clients: cookies.length,
      spreadMs: Math.round(spreadMs),
      requests: rtts.length,
      ...quantiles(rtts),
      byMethod: Object.fromEntries([...byMethod].map(([method, samples]) => [method, quantiles(samples)])),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
