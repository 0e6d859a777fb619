// PDF printing through a bounded queue (reports/print-queue.ts): one headless Chromium at a time
// by default, the others wait and are answered in order; a person may have at most
// PDF_QUEUE_PER_USER prints waiting, one more is 429.
import { ConfigError, loadConfig } from '../../server/src/config/config';
import { useFixture } from '../helpers/fixtures';

const fx = useFixture();

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('four prints from one person at once all succeed, one Chromium at a time, in order; a fifth waiting one is 429', async () => {
  const surveyor = await fx.account('surveyor', 'printer1');
  const { inspection } = await fx.inspectionWithLink(surveyor.cookie);
  const server = fx.server;
  const queue = server.printQueue;
  const url = `${server.url}/api/inspections/${inspection.id}/report.pdf`;
  expect([queue.concurrency, queue.perUser]).toEqual([1, 3]);

  const done: number[] = [];
  const print = (n: number) =>
    fetch(url, { headers: { cookie: surveyor.cookie } }).then(async (r) => {
      const bytes = Buffer.from(await r.arrayBuffer());
      done.push(n);
      return { status: r.status, type: r.headers.get('content-type'), bytes };
    });
  // Sent one after the other once the previous one is in the queue, so their order is known.
  const prints = [print(0)];
  await until('the first print to run', () => queue.running === 1);
  for (let n = 1; n <= 3; n++) {
    prints.push(print(n));
    await until(`print ${n} to wait`, () => queue.waiting(surveyor.id) === n);
  }
  // One printing, three waiting: a fifth from the same person is one too many.
  const fifth = await server.api('GET', `/api/inspections/${inspection.id}/report.pdf`, { cookie: surveyor.cookie });
  expect(fifth.status).toBe(429);
  expect(fifth.body.error.code).toBe('TOO_MANY_REQUESTS');
  expect(fifth.body.error.message).toMatch(/at most 3/);

  const results = await Promise.all(prints);
  for (const r of results) {
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    expect(r.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }
  expect(done).toEqual([0, 1, 2, 3]);
  expect(queue.maxRunning).toBe(1);
  expect(queue.running).toBe(0);
  expect(queue.waiting(surveyor.id)).toBe(0);
  // The queue is free again.
  expect((await server.api('GET', `/api/inspections/${inspection.id}/report.pdf`, { cookie: surveyor.cookie })).status).toBe(200);
});

test('PDF_CONCURRENCY is 1 or 2', () => {
  expect(loadConfig({ PDF_CONCURRENCY: '2' }).pdf.concurrency).toBe(2);
  expect(() => loadConfig({ PDF_CONCURRENCY: '3' })).toThrow(ConfigError);
  expect(() => loadConfig({ PDF_CONCURRENCY: '3' })).toThrow(/PDF_CONCURRENCY/);
});
