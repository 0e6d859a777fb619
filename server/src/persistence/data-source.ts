// The TypeORM DataSource: SQLite file by default, schema owned by migrations (synchronize: false).
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Logger } from '../logger';
import { ENTITIES } from './entities';
import { FIELD_ENTITIES } from './field-entities';
import { FieldPosition1764400000000 } from './migrations/1764400000000-field-position';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { Recording1764300300000 } from './migrations/1764300300000-recording';
import { InspectionRecord1764300000000 } from './migrations/1764300000000-inspection-record';

const logger = new Logger('persistence');

export async function openDatabase(dbPath: string): Promise<DataSource> {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const ds = new DataSource({
    type: 'sqlite',
    database: dbPath,
    entities: [...ENTITIES, ...FIELD_ENTITIES],
    // TypeORM orders migrations by their timestamp, not by their place in this list.
    migrations: [FieldPosition1764400000000, Initial1764200000000, Recording1764300300000, InspectionRecord1764300000000],
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
