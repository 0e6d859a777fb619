// Prometheus text exposition for operators: live sessions, participants, producers/consumers,
// per-worker CPU and RSS, packet loss, plus gauges other features register (e.g. the recording
// backlog). Everything is computed at scrape time from state the server already has; nothing
// runs per packet and nothing polls in the background.
import fs from 'node:fs';
import type { WorkerPool } from '../media/worker-pool';
import type { RoomRegistry } from '../session/room-registry';

export type Sample = { labels?: Record<string, string | number>; value: number };
export type MetricSource = () => Promise<Sample[]> | Sample[];

interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  source: MetricSource;
}

const PAGE_SIZE = 4096;

/** Resident set size of a process from /proc (Linux), or null when it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const pages = Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * PAGE_SIZE;
  } catch {
    return null;
  }
}

function escapeLabel(v: string | number): string {
  return String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register(name: string, help: string, type: Metric['type'], source: MetricSource): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`bad metric name ${name}`);
    if (this.metrics.some((m) => m.name === name)) throw new TypeError(`metric ${name} registered twice`);
    this.metrics.push({ name, help, type, source });
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const m of this.metrics) {
      const samples = await m.source();
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      for (const s of samples) {
        const labels = s.labels
          ? `{${Object.entries(s.labels)
              .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
              .join(',')}}`
          : '';
        out.push(`${m.name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/** The server's own metrics: sessions and media objects from the room registry, workers from the pool. */
export function registerCoreMetrics(registry: MetricsRegistry, rooms: RoomRegistry, pool: WorkerPool): void {
  const peers = () => rooms.all().flatMap((r) => [...r.peers.values()]);
  registry.register('cloudship_sessions', 'Live inspection rooms.', 'gauge', () => [{ value: rooms.all().length }]);
  registry.register('cloudship_participants', 'Participants in live rooms, by role.', 'gauge', () => {
    const byRole = new Map<string, number>();
    for (const p of peers()) byRole.set(p.role, (byRole.get(p.role) ?? 0) + 1);
    return [...byRole].map(([role, value]) => ({ labels: { role }, value }));
  });
  registry.register('cloudship_producers', 'Producers in live rooms.', 'gauge', () => [
    { value: peers().reduce((n, p) => n + p.producers.size, 0) },
  ]);
  registry.register('cloudship_consumers', 'Consumers in live rooms.', 'gauge', () => [
    { value: peers().reduce((n, p) => n + p.consumers.size, 0) },
  ]);
  registry.register('cloudship_workers', 'Running mediasoup workers.', 'gauge', () => [{ value: pool.list().length }]);
  registry.register('cloudship_worker_cpu_seconds_total', 'CPU time used by each mediasoup worker (user + system).', 'counter', async () =>
    Promise.all(
      pool.list().map(async (w) => {
        const ru = await w.getResourceUsage();
        return { labels: { pid: w.pid }, value: (ru.ru_utime + ru.ru_stime) / 1000 };
      }),
    ),
  );
  registry.register('cloudship_worker_rss_bytes', 'Resident memory of each mediasoup worker.', 'gauge', () =>
    pool.list().map((w) => ({ labels: { pid: w.pid }, value: rssBytes(w.pid) ?? 0 })),
  );
  registry.register('cloudship_worker_rooms', 'Live rooms on each mediasoup worker.', 'gauge', () =>
    pool.list().map((w) => ({ labels: { pid: w.pid }, value: rooms.all().filter((r) => r.worker === w).length })),
  );
  registry.register(
    'cloudship_rtp_packets_lost_total',
    'Packets lost on the way in, as reported by producers (sum over live producers).',
    'counter',
    async () => {
      let lost = 0;
      for (const p of peers()) {
        for (const producer of p.producers.values()) {
          for (const s of await producer.getStats().catch(() => [])) lost += s.packetsLost ?? 0;
        }
      }
      return [{ value: lost }];
    },
  );
  registry.register('cloudship_node_rss_bytes', 'Resident memory of the Node.js process.', 'gauge', () => [
    { value: process.memoryUsage.rss() },
  ]);
  registry.register('cloudship_node_cpu_seconds_total', 'CPU time used by the Node.js process.', 'counter', () => {
    const u = process.cpuUsage();
    return [{ value: (u.user + u.system) / 1e6 }];
  });
}
