// Sealed evidence over the real server: a recorded session (real worker, ffmpeg, embedded store),
// a still, a chat message, a verdict, a conclusion and the crew's acknowledgement; the log holds
// each fact in order; the package exported over HTTP verifies with the stand-alone verifier, and
// fails, naming the entry, when any part of a copy is changed. A local RFC 3161 TSA (openssl ts)
// stamps final checkpoints. After the signing key is rotated the same package still verifies.
import { generateKeyPairSync, sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkpointBytes,
  parseKeySet,
  verifyPackage,
  webSealCrypto,
  type PackageManifest,
  type SealEntry,
  type SealPublicKey,
} from '@cloudship/shared';
import { formatReport, verifyZip } from '../../server/src/seal/verify-cli';
import { ZipPackage } from '../../server/src/seal/zip-package';
import { startTestServer, testServerEnv, ADMIN, type TestServer } from '../helpers/test-server';
import { ChecklistItemEntity } from '../../server/src/inspection-record/entities';
import { SegmentEntity } from '../../server/src/recording/entities';
import { connect, ok, type SignalingClient } from '../helpers/signaling-client';
import { publishPlain, syntheticClip, until } from '../helpers/recording';
import { crewUpload, TINY_JPEG } from '../helpers/record-fixtures';
import { makeKey, rechain, writePackageZip } from '../helpers/seal-fixtures';
import { startTsaServer, type TsaServer } from '../helpers/tsa-server';

jest.setTimeout(300_000);

let tsa: TsaServer;
let server: TestServer;
let dataDir: string;
let adminCookie: string;
let surveyor: { cookie: string; id: string };
let auditor: { cookie: string; id: string };
let outsider: { cookie: string; id: string };
const sockets: SignalingClient[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-seal-'));

async function start(env: Record<string, string> = {}) {
  server = await startTestServer({ DATA_DIR: dataDir, RECORDING_SEGMENT_SECONDS: '2', TSA_URL: tsa.url, ...env });
  adminCookie = await server.signIn(ADMIN.username, ADMIN.password);
}

beforeAll(async () => {
  syntheticClip(30);
  tsa = await startTsaServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudship-test-'));
  await start();
  surveyor = await server.createAccount(adminCookie, 'surveyor', 'seal-surveyor');
  auditor = await server.createAccount(adminCookie, 'auditor', 'seal-auditor');
  outsider = await server.createAccount(adminCookie, 'surveyor', 'seal-outsider');
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
  await tsa?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function joined(auth: Record<string, unknown>, name: string, cookie?: string, extra: Record<string, unknown> = {}) {
  const c = await connect(server.url, auth, cookie);
  sockets.push(c);
  const { routerRtpCapabilities } = ok(await c.request('room.getCapabilities', {}));
  const j = ok(await c.request('room.join', { displayName: name, device: 'jest', rtpCapabilities: routerRtpCapabilities, ...extra }));
  return { c, participantId: j.participantId };
}

const CONSENT_SHA = 'c'.repeat(64);

/** A whole inspection: recorded media, a verdict, a still, a chat message, concluded and acknowledged (which ends it). */
async function recordedInspection(): Promise<{ id: string; token: string }> {
  const inspection = await server.createInspection(surveyor.cookie);
  const assign = await server.api('POST', `/api/inspections/${inspection.id}/auditors`, {
    cookie: surveyor.cookie,
    body: { accountId: auditor.id },
  });
  expect(assign.status).toBe(204);
  const token = (await server.crewLink(surveyor.cookie, inspection.id)).token;
  const crew = await joined({ crewToken: token }, '船员 Li', undefined, {
    consentedAt: new Date().toISOString(),
    consentTextSha256: CONSENT_SHA,
  });
  const staff = await joined({ inspectionId: inspection.id }, 'Surveyor Wang', surveyor.cookie);
  const { recordingId } = await crew.c.next('recording.state', (s) => s.recording);
  const room = server.rooms.get(inspection.id)!;
  const pub = await publishPlain(room, room.peers.get(crew.participantId)!);
  const catalog = server.recording.catalog;
  await until(async () => (await catalog.tracks.countBy({ recordingId: recordingId!, state: 'recording' })) === 2, 'both track recorders');
  const { done } = pub.send(syntheticClip(30), 5);
  expect(await done).toBe(0);

  const record = (await server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: surveyor.cookie })).body.record;
  const verdict = await server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${record.checklist[0].id}`, {
    cookie: surveyor.cookie,
    body: { result: 'pass', note: '外板良好' },
  });
  expect(verdict.status).toBe(200);
  expect(
    (await crewUpload(server, token, TINY_JPEG, { query: { initiative: 'crew', lat: '31.2', lon: '121.5', accuracy: '8' } })).status,
  ).toBe(201);
  ok(await crew.c.request('chat.send', { text: '左舷锚灯已更换。' }));
  const concluded = await server.api('POST', `/api/inspections/${inspection.id}/conclusion`, {
    cookie: surveyor.cookie,
    body: { outcome: 'passed', remarks: 'Hull plating sound.' },
  });
  expect(concluded.status).toBe(200);
  const ack = await server.api('POST', '/api/crew/acknowledgement', {
    headers: { authorization: `Crew ${token}` },
    body: { name: '李船长' },
  });
  expect(ack.status).toBe(200);
  pub.close();
  void staff;
  // The acknowledgement ends the inspection; once its room closed, every segment is registered and uploaded.
  await until(async () => {
    const segs = await catalog.segments.findBy({ recordingId: recordingId! });
    const rec = await catalog.recordings.findOneBy({ id: recordingId! });
    return rec?.state !== 'live' && segs.length > 0 && segs.every((s) => s.uploadState === 'uploaded');
  }, 'every segment uploaded');
  // The final checkpoint follows the end without holding its answer up.
  await until(
    async () => (await server.seal.sealer.manifestParts(inspection.id)).checkpoints.some((c) => c.final) || null,
    'the final checkpoint',
  );
  return { id: inspection.id, token };
}

async function download(id: string, cookie: string, name: string): Promise<string> {
  const res = await fetch(`${server.url}/api/inspections/${id}/package`, { headers: { cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/zip');
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** The package's members in memory (the test packages are a few hundred kB). */
async function readZip(file: string): Promise<{ manifest: PackageManifest; files: Map<string, Uint8Array> }> {
  const zip = await ZipPackage.open(file);
  try {
    const files = new Map<string, Uint8Array>();
    for (const name of zip.members)
      if (name !== 'manifest.json' && name !== 'README.txt') files.set(name, new Uint8Array(await zip.read(name)));
    return { manifest: (await zip.readJson('manifest.json')) as PackageManifest, files };
  } finally {
    zip.close();
  }
}

async function wellKnownKeys(): Promise<SealPublicKey[]> {
  const res = await fetch(`${server.url}/.well-known/cloudship-seal-keys.json`);
  expect(res.status).toBe(200);
  const set = parseKeySet(await res.json());
  if (set.error !== undefined) throw new Error(set.error);
  return set.keys;
}

let first: { id: string; token: string };
let pkg: string;

describe('the evidence log of a recorded inspection', () => {
  test('every fact is an entry, in order, in one chain sealed by a final, timestamped checkpoint', async () => {
    first = await recordedInspection();
    const seal = await server.api('GET', `/api/inspections/${first.id}/seal`, { cookie: surveyor.cookie });
    expect(seal.status).toBe(200);
    const entries = seal.body.entries as SealEntry[];
    const types = entries.map((e) => e.type);
    expect(types[0]).toBe('inspection.created');
    for (const t of [
      'participant.joined',
      'consent',
      'recording.on',
      'segment',
      'checklist.verdict',
      'still',
      'chat.message',
      'conclusion',
      'savings',
      'acknowledgement',
      'inspection.ended',
      'recording.off',
    ])
      expect(types).toContain(t);
    expect(types.indexOf('conclusion')).toBeLessThan(types.indexOf('acknowledgement'));
    expect(types.indexOf('acknowledgement')).toBeLessThan(types.indexOf('inspection.ended'));
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const byType = (t: string) => entries.find((e) => e.type === t)!;
    expect(byType('consent').body).toMatchObject({ textSha256: CONSENT_SHA });
    expect(byType('checklist.verdict').body).toMatchObject({ result: 'pass', note: '外板良好', by: surveyor.id });
    expect(byType('still').body).toMatchObject({ position: { lat: 31.2, lon: 121.5 }, file: { sizeBytes: TINY_JPEG.length } });
    expect(byType('chat.message').body).toMatchObject({ text: '左舷锚灯已更换。', sender: { role: 'crew' } });
    // What the crew acknowledged is what was concluded.
    expect(byType('acknowledgement').body).toMatchObject({ name: '李船长', crewSaw: byType('conclusion').body.crewSees });
    // Each segment as registered: the catalog's hash and size.
    const segs = await server.recording.catalog.segments.find({ where: {} });
    for (const e of entries.filter((x) => x.type === 'segment')) {
      const row = segs.find((s) => s.id === e.body.segmentId)!;
      expect(e.body.file).toMatchObject({ sha256: row.sha256, sizeBytes: row.sizeBytes });
    }
    const last = seal.body.checkpoints.at(-1);
    expect(last).toMatchObject({ final: true, timestamp: { tsaUrl: tsa.url } });
    // The browser's verifier (WebCrypto) accepts the log and its checkpoints as the server serves them.
    const report = await verifyPackage(
      { v: 1, format: 'cloudship-evidence-package', inspectionId: first.id, exportedAt: new Date().toISOString(), files: [], ...seal.body },
      { crypto: webSealCrypto(globalThis.crypto.subtle), trustedKeys: await wellKnownKeys(), requireFinal: false },
    );
    // Without the files in hand only their listing is missing; the chain and signatures verify.
    // Entries after the final checkpoint (the last segments, closed after the room) wait for the next one.
    expect(report.checkpoints.every((c) => c.ok)).toBe(true);
    const sealedUpTo = last.count as number;
    const unsealed = report.entries.filter((e) => e.problems.some((p) => p.rule !== 5));
    expect(unsealed.every((e) => e.seq > sealedUpTo && ['segment', 'recording.off'].includes(e.type))).toBe(true);
    expect(unsealed.every((e) => e.problems.some((p) => p.message === 'not sealed: no valid checkpoint covers this entry'))).toBe(true);
    // The next sweep seals them, final too.
    await server.seal.sealer.sweep();
    const resealed = (await server.api('GET', `/api/inspections/${first.id}/seal`, { cookie: surveyor.cookie })).body;
    expect(resealed.checkpoints.at(-1)).toMatchObject({ final: true, count: resealed.entries.length });
  });

  test('many facts at once keep one chain: seq 1..n without gaps or forks', async () => {
    const inspection = await server.createInspection(surveyor.cookie);
    const items = (await server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: surveyor.cookie })).body.record.checklist;
    const results = await Promise.all(
      items.slice(0, 16).map((item: { id: string }, i: number) =>
        server.api('PATCH', `/api/inspections/${inspection.id}/checklist/${item.id}`, {
          cookie: surveyor.cookie,
          body: { result: i % 2 ? 'pass' : 'not-applicable' },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const entries = (await server.api('GET', `/api/inspections/${inspection.id}/seal`, { cookie: surveyor.cookie })).body
      .entries as SealEntry[];
    expect(entries).toHaveLength(17);
    expect(entries.map((e) => e.seq)).toEqual([...Array(17).keys()].map((i) => i + 1));
    for (let i = 1; i < entries.length; i += 1) expect(entries[i]!.prev).toBe(entries[i - 1]!.hash);
  });

  test('a refused fact writes no entry', async () => {
    const { id, token } = { id: first.id, token: first.token };
    const before = (await server.api('GET', `/api/inspections/${id}/seal`, { cookie: surveyor.cookie })).body.entries.length;
    const again = await server.api('POST', '/api/crew/acknowledgement', {
      headers: { authorization: `Crew ${token}` },
      body: { name: 'Someone else' },
    });
    expect(again.status).toBe(409);
    const conclude = await server.api('POST', `/api/inspections/${id}/conclusion`, {
      cookie: surveyor.cookie,
      body: { outcome: 'failed' },
    });
    expect(conclude.body.error.code).toBe('RECORD_LOCKED');
    const after = (await server.api('GET', `/api/inspections/${id}/seal`, { cookie: surveyor.cookie })).body.entries as SealEntry[];
    expect(after).toHaveLength(before);
    expect(after.filter((e) => e.type === 'acknowledgement')).toHaveLength(1);
  });
});

describe('the evidence package', () => {
  test('is for the lead, the assigned auditor and admins; others get 404, the crew 401', async () => {
    expect((await server.api('GET', `/api/inspections/${first.id}/package`, { cookie: outsider.cookie })).status).toBe(404);
    expect((await server.api('GET', `/api/inspections/${first.id}/seal`, { cookie: outsider.cookie })).status).toBe(404);
    expect(
      (await server.api('GET', `/api/inspections/${first.id}/package`, { headers: { authorization: `Crew ${first.token}` } })).status,
    ).toBe(401);
    pkg = await download(first.id, auditor.cookie, 'first.zip');
  });

  test('verifies with the stand-alone verifier, keys pinned from the well-known URL, every file checked', async () => {
    const keys = await wellKnownKeys();
    fs.writeFileSync(path.join(tmp, 'keys.json'), JSON.stringify({ v: 1, keys }));
    const report = await verifyZip(pkg, keys);
    expect(formatReport(report).filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(report.ok).toBe(true);
    const { manifest, files } = await readZip(pkg);
    const fileEntries = manifest.entries.filter((e) => (e.body as { file?: unknown }).file);
    expect(report.entries.filter((e) => e.file?.checked)).toHaveLength(fileEntries.length);
    expect(fileEntries.map((e) => e.type)).toEqual(expect.arrayContaining(['segment', 'still', 'report']));
    expect([...files.keys()].filter((k) => k.startsWith('segments/')).length).toBe(
      manifest.entries.filter((e) => e.type === 'segment').length,
    );
    expect(report.checkpoints.at(-1)).toMatchObject({ final: true, timestamp: { ok: true, checked: true } });

    // The CLI, as README gives it: exit 0 and VERIFIED.
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'server/src/verify.ts', pkg, '--keys', path.join(tmp, 'keys.json')], {
      encoding: 'utf8',
    });
    expect(cli.stdout).toMatch(/^VERIFIED: \d+ entries, \d+ checkpoints, \d+ files, keys pinned$/m);
    expect(cli.status).toBe(0);
  });

  describe('a changed copy fails, naming what changed', () => {
    let original: { manifest: PackageManifest; files: Map<string, Uint8Array> };
    let keys: SealPublicKey[];
    beforeAll(async () => {
      original = await readZip(pkg);
      keys = await wellKnownKeys();
    });

    const copy = () => ({
      manifest: structuredClone(original.manifest),
      files: new Map<string, Uint8Array>([...original.files].map(([k, v]) => [k, Uint8Array.from(v)])),
    });
    const entryOf = (m: PackageManifest, type: string) => m.entries.find((e) => e.type === type)!;
    const pathOf = (m: PackageManifest, e: SealEntry) => m.files.find((f) => f.seq === e.seq)!.path;
    const flip = (bytes: Uint8Array) => {
      const i = Math.floor(bytes.length / 2);
      bytes[i] = bytes[i]! ^ 0x01;
    };
    async function failures(name: string, manifest: unknown, files: Map<string, Uint8Array>): Promise<string[]> {
      const file = path.join(tmp, `${name}.zip`);
      await writePackageZip(file, manifest, files);
      const report = await verifyZip(file, keys);
      expect(report.ok).toBe(false);
      return formatReport(report).filter((l) => l.startsWith('FAIL'));
    }

    test.each(['segment', 'still', 'report'])('one byte of the %s flipped', async (type) => {
      const c = copy();
      const e = entryOf(c.manifest, type);
      flip(c.files.get(pathOf(c.manifest, e))!);
      const fails = await failures(`flip-${type}`, c.manifest, c.files);
      expect(fails).toEqual([expect.stringMatching(new RegExp(`^FAIL  #${e.seq} ${type}: rule 5: .*SHA-256 [0-9a-f]{64} differs`))]);
    });

    test('a segment dropped', async () => {
      const c = copy();
      const e = entryOf(c.manifest, 'segment');
      c.files.delete(pathOf(c.manifest, e));
      expect(await failures('drop-segment', c.manifest, c.files)).toEqual([
        expect.stringMatching(new RegExp(`^FAIL  #${e.seq} segment: rule 5: .* is missing from the package`)),
      ]);
    });

    test('two entries swapped', async () => {
      const c = copy();
      const [a, b] = [3, 4];
      [c.manifest.entries[a], c.manifest.entries[b]] = [c.manifest.entries[b]!, c.manifest.entries[a]!];
      const fails = await failures('reorder', c.manifest, c.files);
      expect(fails.join('\n')).toMatch(new RegExp(`FAIL  #${b + 1} .*out of place`));
      expect(fails.join('\n')).toMatch(new RegExp(`FAIL  #${a + 1} .*out of place`));
    });

    test('the conclusion text edited, and the acknowledging name replaced', async () => {
      for (const [type, edit] of [
        ['conclusion', (b: Record<string, unknown>) => (b.remarks = 'Hull plating sound; no further action.')],
        ['acknowledgement', (b: Record<string, unknown>) => (b.name = '王船长')],
      ] as const) {
        const c = copy();
        const e = entryOf(c.manifest, type);
        edit(e.body);
        const fails = await failures(`edit-${type}`, c.manifest, c.files);
        expect(fails).toContain(`FAIL  #${e.seq} ${type}: rule 2: hash does not recompute: the entry was changed after it was written`);
      }
    });

    test('the log re-chained and re-signed with another key', async () => {
      const c = copy();
      const e = entryOf(c.manifest, 'acknowledgement');
      (e.body as Record<string, unknown>).name = '王船长';
      c.manifest.entries = rechain(c.manifest.entries);
      const forger = makeKey();
      c.manifest.checkpoints = c.manifest.checkpoints.map((cp) => {
        const head = c.manifest.entries[cp.count - 1]!.hash;
        const core = { ...cp, head, keyId: forger.keyId };
        delete core.timestamp;
        return { ...core, signature: sign(null, checkpointBytes(core), forger.privateKey).toString('base64') };
      });
      c.manifest.publicKeys = [forger.published];
      const fails = await failures('resign', c.manifest, c.files);
      expect(fails.join('\n')).toMatch(/which is not among the trusted keys/);
      expect(fails.join('\n')).toMatch(new RegExp(`FAIL  #${e.seq} acknowledgement: rule 3: not sealed`));
    });

    test('the log truncated', async () => {
      const c = copy();
      c.manifest.entries.splice(-3);
      c.manifest.files = c.manifest.files.filter((f) => f.seq <= c.manifest.entries.length);
      for (const k of [...c.files.keys()]) if (!c.manifest.files.some((f) => f.path === k)) c.files.delete(k);
      const fails = await failures('truncate', c.manifest, c.files);
      expect(fails.join('\n')).toMatch(/log was truncated|the log has/);
    });

    test('a segment of another inspection swapped in, with its own valid hash', async () => {
      const other = await readZip(await download((await recordedInspection()).id, surveyor.cookie, 'other.zip'));
      const c = copy();
      const mine = entryOf(c.manifest, 'segment');
      const theirs = entryOf(other.manifest, 'segment');
      const at = c.manifest.entries.indexOf(mine);
      c.manifest.entries[at] = { ...theirs, seq: mine.seq };
      c.files.set(pathOf(c.manifest, mine), other.files.get(pathOf(other.manifest, theirs))!);
      const fails = await failures('swap-segment', c.manifest, c.files);
      expect(fails.join('\n')).toMatch(new RegExp(`FAIL  #${mine.seq} segment: rule 2: belongs to inspection ${theirs.inspectionId}`));
    });

    test('a timestamp token changed', async () => {
      const c = copy();
      const cp = c.manifest.checkpoints.at(-1)!;
      const token = Buffer.from(cp.timestamp!.token, 'base64');
      token[token.length - 10] = token[token.length - 10]! ^ 0x01;
      cp.timestamp!.token = token.toString('base64');
      const fails = await failures('token', c.manifest, c.files);
      expect(fails.join('\n')).toMatch(/rule 4: checkpoint \d+ \(#\d+\): timestamp token: /);
    });
  });
});

describe('the live database and store against the log', () => {
  const cli = () =>
    spawnSync(process.execPath, ['--import', 'tsx', 'server/src/verify.ts', '--inspection', first.id], {
      encoding: 'utf8',
      env: { ...process.env, ...testServerEnv(dataDir) },
    });

  test('`npm run verify -- --inspection` passes, then names each row edited by hand', async () => {
    const clean = cli();
    expect(clean.stdout).toMatch(/^VERIFIED: \d+ checks$/m);
    expect(clean.status).toBe(0);

    const entries = (await server.api('GET', `/api/inspections/${first.id}/seal`, { cookie: surveyor.cookie })).body.entries as SealEntry[];
    const segment = entries.find((e) => e.type === 'segment')!;
    const verdict = entries.find((e) => e.type === 'checklist.verdict')!;
    await server.db.getRepository(SegmentEntity).update({ id: segment.body.segmentId as string }, { sha256: 'f'.repeat(64) });
    await server.db.getRepository(ChecklistItemEntity).update({ id: verdict.body.itemId as string }, { result: 'deficiency' });
    const edited = cli();
    expect(edited.status).toBe(1);
    expect(edited.stdout).toMatch(
      new RegExp(`^FAIL  #${segment.seq} segment: the database says \\d+ bytes, SHA-256 f{64}; the log says`, 'm'),
    );
    expect(edited.stdout).toMatch(
      new RegExp(`^FAIL  #${verdict.seq} checklist.verdict: checklist \\S+: the database says .*deficiency`, 'm'),
    );
    expect(edited.stdout).toMatch(/^NOT VERIFIED: 2 findings$/m);
    // Put back: the package tests below (key rotation) export this inspection again.
    await server.db
      .getRepository(SegmentEntity)
      .update({ id: segment.body.segmentId as string }, { sha256: String((segment.body.file as { sha256: string }).sha256) });
    await server.db.getRepository(ChecklistItemEntity).update({ id: verdict.body.itemId as string }, { result: 'pass' });
    expect(cli().status).toBe(0);
  });
});

describe('key rotation', () => {
  test('after the signing key is replaced, the old package and a new one both verify against the published keys', async () => {
    const before = await wellKnownKeys();
    await server.stop();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await start({ SEAL_PRIVATE_KEY: pem });
    const after = await wellKnownKeys();
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((k) => k.keyId === before.at(-1)!.keyId)!.retiredAt).not.toBeNull();
    expect(after.at(-1)!.retiredAt).toBeNull();
    expect((await verifyZip(pkg, after)).ok).toBe(true);
    // A new export of the same inspection: old checkpoints by the old key, the new one by the new key.
    const again = await download(first.id, adminCookie, 'after-rotation.zip');
    const report = await verifyZip(again, after);
    expect(report.ok).toBe(true);
    expect(new Set(report.checkpoints.map((c) => c.keyId)).size).toBe(2);
    // Without the old key the old checkpoints fail.
    expect((await verifyZip(again, after.slice(-1))).ok).toBe(false);
  });
});
