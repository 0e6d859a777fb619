// The running server's heartbeat: one row of `server_heartbeat` whose `beatAt` is rewritten every
// 2 s. A killed server leaves its last beat behind, so the next run knows when it died (to within
// one beat) and ends what it left open then, instead of at the restart (the participant log's rows
// ended 7 s late in a fault run; see inspection/participant-log.ts closeDangling).
//
// One heartbeat per DataSource: startHeartbeat() reads the previous run's last beat before this
// run's first beat overwrites it, and every later call returns the same heartbeat, so each part of
// the start-up that needs "when did the previous run die" gets the same answer. The timer is
// unref'd (it never keeps the process alive) and stops with stop() or once the DataSource has been
// destroyed (the server's close() ends with db.destroy()).
import { EntitySchema, type DataSource } from 'typeorm';
import { Logger } from '../logging/logger';

const logger = new Logger('heartbeat');

export const HEARTBEAT_INTERVAL_MS = 2_000;

export interface ServerHeartbeatRow {
  /** Always 1: the table has one row. */
  id: number;
  beatAt: Date;
}

export const ServerHeartbeatEntity = new EntitySchema<ServerHeartbeatRow>({
  name: 'ServerHeartbeat',
  tableName: 'server_heartbeat',
  columns: {
    id: { type: 'integer', primary: true },
    beatAt: { type: 'datetime' },
  },
});

/** The tables of persistence itself (not of a feature); openDatabase() adds them to the features'. */
export const PERSISTENCE_ENTITIES = [ServerHeartbeatEntity];

const ROW_ID = 1;

/** The last beat written (by this run or an earlier one), or null when there has been none. */
export async function lastHeartbeat(db: DataSource): Promise<Date | null> {
  const row = await db.getRepository(ServerHeartbeatEntity).findOneBy({ id: ROW_ID });
  return row?.beatAt ?? null;
}

export class ServerHeartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | null = null;
  private failing = false;

  constructor(
    private readonly db: DataSource,
    /** The previous run's last beat, read before this run's first: when it stopped, or null. */
    readonly previousBeatAt: Date | null,
    private readonly intervalMs: number,
  ) {}

  /** Beat now, then every intervalMs. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      if (!this.db.isInitialized) return void this.stop(); // the server closed its database
      void this.beat();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes the time now (one beat at a time; a failed beat is logged once, not every 2 s). */
  beat(): Promise<void> {
    this.inFlight ??= (async () => {
      try {
        // One statement (INSERT ... ON CONFLICT DO UPDATE, SQLite and PostgreSQL), no transaction.
        await this.db.getRepository(ServerHeartbeatEntity).upsert({ id: ROW_ID, beatAt: new Date() }, ['id']);
        if (this.failing) logger.info('beat() | writing again');
        this.failing = false;
      } catch (err) {
        if (!this.failing && this.db.isInitialized) logger.warn('beat() | failed', {}, err);
        this.failing = true;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  /** No more beats; resolves once a beat being written has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    running.delete(this.db);
    await this.inFlight;
  }
}

const running = new WeakMap<DataSource, Promise<ServerHeartbeat>>();

/**
 * The heartbeat of `db`, started on the first call: the previous run's last beat is read, then
 * this run beats at once and every `intervalMs`.
 */
export function startHeartbeat(db: DataSource, options: { intervalMs?: number } = {}): Promise<ServerHeartbeat> {
  let heartbeat = running.get(db);
  if (!heartbeat) {
    heartbeat = (async () => {
      const previous = await lastHeartbeat(db);
      const h = new ServerHeartbeat(db, previous, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
      await h.start();
      return h;
    })();
    running.set(db, heartbeat);
    heartbeat.catch(() => running.delete(db));
  }
  return heartbeat;
}
