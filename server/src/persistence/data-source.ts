// The TypeORM DataSource: SQLite file by default, schema owned by migrations (synchronize: false).
// Each feature owns its entities; the composition root (app.ts) hands their union in here, so this
// folder never imports a feature.
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, type EntitySchema } from 'typeorm';
import { Logger } from '../logging/logger';
import { PERSISTENCE_ENTITIES } from './heartbeat';
import { MIGRATIONS } from './migrations';

const logger = new Logger('persistence');

export async function openDatabase(dbPath: string, entities: EntitySchema[]): Promise<DataSource> {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const ds = new DataSource({
    type: 'sqlite',
    // Handed in rather than left to TypeORM's own require('sqlite3'): npm places sqlite3 under
    // server/node_modules (next to its build tools), where typeorm in the root node_modules cannot
    // resolve it.
    driver: sqlite3,
    database: dbPath,
    // The features' tables, and persistence's own (the server heartbeat).
    entities: [...entities, ...PERSISTENCE_ENTITIES],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  });
  await ds.initialize();
  serializeTransactions(ds);
  // WAL lets the HTTP API read while a write is in progress; foreign keys are off by default in SQLite.
  await ds.query('PRAGMA journal_mode = WAL');
  await ds.query('PRAGMA foreign_keys = ON');
  const ran = await ds.runMigrations({ transaction: 'each' });
  for (const m of ran) logger.info('openDatabase() | migration applied', { name: m.name });
  logger.info('openDatabase() | ready', { path: dbPath });
  return ds;
}

/**
 * TypeORM's SQLite driver has one connection and one query runner for everything, so two requests
 * that each start a transaction at the same moment both issue BEGIN on it: "cannot start a
 * transaction within a transaction", then TransactionNotStartedError at the second commit (seen
 * when the console creates a crew link while the record is created). Transactions are taken one
 * at a time here: a start waits until the previous transaction has committed or rolled back.
 */
function serializeTransactions(ds: DataSource): void {
  const runner = ds.createQueryRunner();
  const start = runner.startTransaction.bind(runner);
  const commit = runner.commitTransaction.bind(runner);
  const rollback = runner.rollbackTransaction.bind(runner);
  let lock: Promise<void> = Promise.resolve();
  let release: (() => void) | null = null;
  const releaseWhenDone = () => {
    if (runner.isTransactionActive || !release) return;
    const free = release;
    release = null;
    free();
  };
  runner.startTransaction = async (isolationLevel) => {
    const previous = lock;
    let free!: () => void;
    lock = new Promise<void>((resolve) => (free = resolve));
    await previous;
    release = free;
    try {
      await start(isolationLevel);
    } catch (e) {
      releaseWhenDone();
      throw e;
    }
  };
  runner.commitTransaction = async () => {
    try {
      await commit();
    } finally {
      releaseWhenDone();
    }
  };
  runner.rollbackTransaction = async () => {
    try {
      await rollback();
    } finally {
      releaseWhenDone();
    }
  };
}
