// Raw SQL in a test, on either database: `?` placeholders (SQLite's) become `$1, $2, ...` on
// PostgreSQL. Identifiers are double-quoted in the text ("inspectionId"): PostgreSQL folds unquoted
// names to lower case.
import type { DataSource } from 'typeorm';

export function sql<T = any>(db: DataSource, text: string, params: unknown[] = []): Promise<T> {
  let n = 0;
  return db.query(db.options.type === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text, params);
}
