// The TypeORM DataSource: the embedded SQLite file by default, PostgreSQL when DATABASE_URL is set;
// the schema is owned by the migrations (synchronize: false), the same ones for both. Each feature
// owns its entities; the composition root (app.ts) hands their union in here, so this folder never
// imports a feature.
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import type { DatabaseTarget } from '../config/config';
import { Logger } from '../logging/logger';
import { PERSISTENCE_ENTITIES } from './heartbeat';
import { MIGRATIONS } from './migrations';

const logger = new Logger('persistence');

/** Where the database is: a SQLite file path (tests, tools) or a configured target. */
export async function openDatabase(target: DatabaseTarget | string, entities: EntitySchema[]): Promise<DataSource> {
  const db: DatabaseTarget = typeof target === 'string' ? { type: 'sqlite', path: target } : target;
  // The features' tables, and persistence's own (the server heartbeat).
  const all = [...entities, ...PERSISTENCE_ENTITIES];
  const ds = db.type === 'sqlite' ? await openSqlite(db.path, all) : await openPostgres(db.url, db.schema, all);
  const ran = await ds.runMigrations({ transaction: 'each' });
  for (const m of ran) logger.info('openDatabase() | migration applied', { name: m.name });
  logger.info('openDatabase() | ready', db.type === 'sqlite' ? { type: db.type, path: db.path } : { type: db.type, schema: db.schema });
  return ds;
}

async function openSqlite(dbPath: string, entities: EntitySchema[]): Promise<DataSource> {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const ds = new DataSource({
    type: 'sqlite',
    // Handed in rather than left to TypeORM's own require('sqlite3'): npm places sqlite3 under
    // server/node_modules (next to its build tools), where typeorm in the root node_modules cannot
    // resolve it.
    driver: sqlite3,
    database: dbPath,
    entities,
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
  return ds;
}

/**
 * PostgreSQL through the `pg` driver, a pool of connections. With a schema, every connection
 * searches it first (so the migrations' unqualified names land there), and it is created when
 * missing: one cluster can hold several deployments, or the tests' throw-away databases.
 */
async function openPostgres(url: string, schema: string | null, entities: EntitySchema[]): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    entities: entities.map(forPostgres),
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // The schema name is validated by config (lower-case letters, digits, _).
    extra: { max: 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) },
  });
  await ds.initialize();
  if (schema) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  return ds;
}

/**
 * The entities declare SQLite's column types; PostgreSQL names two of them differently. Times are
 * `timestamptz` there (an instant, whatever the server's zone), floats `double precision` (the
 * migrations create the same types). A copy with the same name: repositories find it by name.
 */
const POSTGRES_TYPES: Record<string, EntitySchemaColumnOptions['type']> = {
  datetime: 'timestamptz',
  double: 'double precision',
  real: 'double precision',
};

function forPostgres<T>(schema: EntitySchema<T>): EntitySchema<T> {
  const columns = Object.fromEntries(
    Object.entries(schema.options.columns).map(([name, column]) => {
      const c = column as EntitySchemaColumnOptions;
      const type = typeof c.type === 'string' ? POSTGRES_TYPES[c.type] : undefined;
      return [name, type ? { ...c, type } : c];
    }),
  ) as typeof schema.options.columns;
  return new EntitySchema<T>({ ...schema.options, columns });
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
