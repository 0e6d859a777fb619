// SQLite through TypeORM shares one connection and one query runner: transactions that start at
// the same moment must be taken one after the other, not nested by accident (which failed with
// "cannot start a transaction within a transaction" when a crew link and a record were created
// together). Real server, real SQLite file.
import { useFixture } from '../helpers/fixtures';

const fx = useFixture();

test('crew links and inspection records created at the same moment all succeed', async () => {
  const cookie = (await fx.account('surveyor', 'tx-surveyor')).cookie;
  const inspections = await Promise.all(Array.from({ length: 6 }, () => fx.server.createInspection(cookie)));
  // Each record's first read creates it in a transaction; each crew link is a save (its own
  // transaction). Interleave them all.
  const calls = inspections.flatMap((i) => [
    fx.server.api('GET', `/api/inspections/${i.id}/record`, { cookie }),
    fx.server.api('POST', `/api/inspections/${i.id}/crew-link`, { cookie }),
    fx.server.api('GET', `/api/inspections/${i.id}/record`, { cookie }),
    fx.server.api('POST', `/api/inspections/${i.id}/crew-link`, { cookie }),
  ]);
  const statuses = (await Promise.all(calls)).map((r) => r.status);
  expect(statuses.filter((s) => s >= 300)).toEqual([]);
  const items = await fx.server.db.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM "checklist_item"');
  expect(Number(items[0]!.n)).toBe(6 * 21);
});
