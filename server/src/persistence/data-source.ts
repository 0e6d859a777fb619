// The TypeORM DataSource: SQLite file by default, schema owned by migrations (synchronize: false).
// Each feature owns its entities; the composition root (app.ts) hands their union in here, so this
// folder never imports a feature.
import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type EntitySchema } from 'typeorm';
import { Logger } from '../logging/logger';
import { MIGRATIONS } from './migrations';

const logger = new Logger('persistence');

export async function openDatabase(dbPath: string, entities: EntitySchema[]): Promise<DataSource> {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const ds = new DataSource({
    type: 'sqlite',
    database: dbPath,
    entities,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  });
  await ds.initialize();
  // WAL lets the HTTP API read while a write is in progress; foreign keys are off by default in SQLite.
  await ds.query('PRAGMA journal_mode = WAL');
  await ds.query('PRAGMA foreign_keys = ON');
  const ran = await ds.runMigrations({ transaction: 'each' });
  for (const m of ran) logger.info('openDatabase() | migration applied', { name: m.name });
  logger.info('openDatabase() | ready', { path: dbPath });
  return ds;
}
