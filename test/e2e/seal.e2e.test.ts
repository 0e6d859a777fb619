// Sealed evidence from a real session: the crew phone (Chromium, fake camera) and the surveyor's
// console (Chromium) record an inspection; a still, a conclusion and the crew's acknowledgement
// follow. The auditor's replay page (Chromium) checks the log with WebCrypto and hashes every file:
// each segment and the still are "verified". The package exported over HTTP verifies. Then one
// byte of a stored segment is flipped, and one entry of the log is edited in the database: the
// page names each as "not verified", and so does the verifier of a new package.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import type { SealEntry } from '@cloudship/shared';
import type { TestServer } from '../helpers/test-server';
import { androidPage, desktopPage, recordErrors, setSessionCookie, unexpectedErrors, waitForStat } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';
import { until } from '../helpers/recording';
import { crewUpload, TINY_JPEG } from '../helpers/record-fixtures';
import { formatReport, verifyZip } from '../../server/src/seal/verify-cli';
import { CONSENT_KEYS } from '../../client/src/crew/consent-text';
import { en, zhCN } from '../../client/src/i18n-messages';

jest.setTimeout(300_000);

const fx = useFixture({ env: { RECORDING_SEGMENT_SECONDS: '3' }, browsers: 3 });
let server: TestServer;
let browsers: Browser[] = [];
const errors: string[] = [];
let tmp: string;
let inspectionId: string;
let recordingId: string;
let auditorCookie: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-e2e-'));
  server = fx.server;
  browsers = fx.browsers;
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (errors.length) console.log(errors.join('\n'));
});

interface PanelState {
  summary: string;
  text: string;
  verdicts: Record<string, { ok: boolean; reason?: string; kind: string; ref: string }>;
  marks: Array<string | undefined>;
}

async function sealState(page: Page): Promise<PanelState> {
  await page.waitForFunction(
    () => {
      const s = document.querySelector<HTMLElement>('[data-testid=seal-summary]')?.dataset.state;
      return s && s !== 'checking';
    },
    { timeout: 60_000 },
  );
  return page.evaluate(() => ({
    summary: document.querySelector<HTMLElement>('[data-testid=seal-summary]')!.dataset.state!,
    text: document.querySelector<HTMLElement>('[data-testid=seal-panel]')!.innerText,
    verdicts: (window as unknown as { cloudshipSeal: { verdicts(): PanelState['verdicts'] } }).cloudshipSeal.verdicts(),
    marks: [...document.querySelectorAll<HTMLElement>('[data-testid=replay-seg]')].map((m) => m.dataset.seal),
  }));
}

async function packageReport(name: string) {
  const res = await fetch(`${server.url}/api/inspections/${inspectionId}/package`, { headers: { cookie: auditorCookie } });
  expect(res.status).toBe(200);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return verifyZip(file);
}

test('a session recorded in Chromium is sealed: every segment and the still verified on the replay page and in the package', async () => {
  const surveyorAccount = await fx.account('surveyor', 'seal-e2e');
  const auditor = await fx.account('auditor', 'seal-e2e-auditor');
  auditorCookie = auditor.cookie;
  const { inspection, url: crewUrl, token } = await fx.inspectionWithLink(surveyorAccount.cookie);
  inspectionId = inspection.id;
  expect(
    (
      await server.api('POST', `/api/inspections/${inspectionId}/auditors`, {
        cookie: surveyorAccount.cookie,
        body: { accountId: auditor.id },
      })
    ).status,
  ).toBe(204);

  const surveyor = await desktopPage(browsers[0]!);
  recordErrors(surveyor, 'surveyor', errors);
  await setSessionCookie(surveyor, surveyorAccount.cookie, server.url);
  await surveyor.goto(`${server.url}/#/inspections/${inspectionId}`, { waitUntil: 'networkidle0' });
  await surveyor.click('[data-testid=join-live]');
  const crew = await androidPage(browsers[1]!);
  recordErrors(crew, 'crew', errors);
  await crew.goto(crewUrl, { waitUntil: 'networkidle0' });
  await crew.click('[data-testid=crew-join]');
  await waitForStat(surveyor, 'video', 'frameWidth', 1, 60_000);
  recordingId = (await until(async () => (await server.recording.catalog.recordings.findOneBy({ inspectionId })) ?? null, 'a recording'))
    .id;
  await until(async () => (await server.recording.catalog.segments.countBy({ recordingId })) >= 4, 'a few segments recorded', 90_000);

  expect((await crewUpload(server, token, TINY_JPEG, { query: { initiative: 'crew' } })).status).toBe(201);
  const concluded = await server.api('POST', `/api/inspections/${inspectionId}/conclusion`, {
    cookie: surveyorAccount.cookie,
    body: { outcome: 'passed', remarks: '船体外板良好。' },
  });
  expect(concluded.status).toBe(200);
  const ack = await server.api('POST', '/api/crew/acknowledgement', {
    headers: { authorization: `Crew ${token}` },
    body: { name: '李船长' },
  });
  expect(ack.status).toBe(200);
  await until(async () => {
    const rec = await server.recording.catalog.recordings.findOneBy({ id: recordingId });
    const segs = await server.recording.catalog.segments.findBy({ recordingId });
    return rec?.state !== 'live' && segs.every((s) => s.uploadState === 'uploaded');
  }, 'every segment uploaded');
  // The final checkpoint follows the end; the segments ffmpeg closed after the room are signed by
  // the next sweep (SEAL_CHECKPOINT_MINUTES), final too.
  await until(
    async () => (await server.seal.sealer.manifestParts(inspectionId)).checkpoints.some((c) => c.final) || null,
    'the final checkpoint',
  );
  await server.seal.sealer.sweep();

  const page = await desktopPage(browsers[2]!);
  recordErrors(page, 'auditor', errors);
  await setSessionCookie(page, auditor.cookie, server.url);
  await page.goto(`${server.url}/replay.html#/recordings/${recordingId}`, { waitUntil: 'networkidle0' });
  const state = await sealState(page);
  expect(state.summary).toBe('verified');
  const segments = await server.recording.catalog.segments.countBy({ recordingId });
  const kinds = Object.values(state.verdicts);
  expect(kinds.filter((v) => v.kind === 'segment' && v.ok)).toHaveLength(segments);
  expect(kinds.filter((v) => v.kind === 'still' && v.ok)).toHaveLength(1);
  expect(state.marks.every((m) => m === 'verified')).toBe(true);
  expect(state.text).toMatch(/Verified: \d+ log entries signed, \d+ files match the seal\./);
  await page.screenshot({ path: path.join(os.tmpdir(), 'seal-replay-en.png'), fullPage: true });

  // The phone sealed the consent text it showed, in its language: one of the two.
  const consent = (
    (await server.api('GET', `/api/inspections/${inspectionId}/seal`, { cookie: auditor.cookie })).body.entries as SealEntry[]
  ).find((e) => e.type === 'consent')!;
  const shown = (m: Record<string, string>) =>
    createHash('sha256')
      .update(CONSENT_KEYS.map((k) => m[k]).join('\n'))
      .digest('hex');
  expect([shown(en), shown(zhCN)]).toContain(consent.body.textSha256);

  const report = await packageReport('clean.zip');
  expect(formatReport(report).filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect(report.ok).toBe(true);
  expect(unexpectedErrors(errors)).toEqual([]);
});

test('a byte flipped in the store and an entry edited in the database turn the badges to "not verified"', async () => {
  const segment = (await server.recording.catalog.segments.find({ where: { recordingId }, order: { index: 'ASC' } }))[1]!;
  const stored = path.join(server.config.recording.dir, 'store', server.config.recording.bucket, `${segment.objectKey}._S3rver_object`);
  const bytes = fs.readFileSync(stored);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  fs.writeFileSync(stored, bytes);
  const [conclusion] = await server.db.query<Array<{ seq: number; body: string }>>(
    `SELECT seq, body FROM evidence_entry WHERE inspectionId = ? AND type = 'conclusion'`,
    [inspectionId],
  );
  const edited = { ...JSON.parse(conclusion!.body), remarks: '船体外板良好，无需整改。' };
  await server.db.query(`UPDATE evidence_entry SET body = ? WHERE inspectionId = ? AND seq = ?`, [
    JSON.stringify(edited),
    inspectionId,
    conclusion!.seq,
  ]);

  const page = await desktopPage(browsers[2]!);
  recordErrors(page, 'auditor-after', errors);
  await setSessionCookie(page, auditorCookie, server.url);
  await page.goto(`${server.url}/replay.html#/recordings/${recordingId}`, { waitUntil: 'networkidle0' });
  const state = await sealState(page);
  expect(state.summary).toBe('not-verified');
  const bad = Object.entries(state.verdicts).filter(([, v]) => !v.ok);
  expect(bad).toEqual(
    expect.arrayContaining([
      [
        expect.stringMatching(/^#\d+ segment$/),
        expect.objectContaining({ ref: segment.id, reason: 'its SHA-256 differs from the sealed one' }),
      ],
      [`#${conclusion!.seq} conclusion`, expect.objectContaining({ reason: expect.stringMatching(/hash does not recompute/) })],
    ]),
  );
  // The edit breaks the chain: what only a later signature vouched for is unproven now, and says
  // why; segments logged after the edited entry stay verified.
  for (const [label, v] of bad) {
    if (v.ref === segment.id || label === `#${conclusion!.seq} conclusion`) continue;
    expect(v.reason).toMatch(new RegExp(`broken at #${conclusion!.seq} conclusion`));
  }
  expect(state.marks.filter((m) => m === 'not-verified').length).toBe(bad.filter(([, v]) => v.kind === 'segment').length);
  expect(state.text).toContain(`Not verified: ${bad.length} problems, listed below.`);
  await page.screenshot({ path: path.join(os.tmpdir(), 'seal-replay-tampered-en.png'), fullPage: true });
  await page.click('[data-testid=lang-switch]');
  await page.waitForFunction(() => document.querySelector('[data-testid=seal-summary]')!.textContent.startsWith('未通过核验'));
  await page.screenshot({ path: path.join(os.tmpdir(), 'seal-replay-tampered-zh.png'), fullPage: true });

  const entries = (await server.api('GET', `/api/inspections/${inspectionId}/seal`, { cookie: auditorCookie })).body.entries as SealEntry[];
  const segEntry = entries.find((e) => e.type === 'segment' && e.body.segmentId === segment.id)!;
  const fails = formatReport(await packageReport('tampered.zip')).filter((l) => l.startsWith('FAIL'));
  expect(fails).toContain(
    `FAIL  #${conclusion!.seq} conclusion: rule 2: hash does not recompute: the entry was changed after it was written`,
  );
  expect(fails.join('\n')).toMatch(new RegExp(`FAIL  #${segEntry.seq} segment: rule 5: .*SHA-256 [0-9a-f]{64} differs`));
});
