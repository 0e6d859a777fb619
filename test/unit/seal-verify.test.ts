// The verifier's rules 1-6 (README "Verifying an evidence package") on hand-made packages: each
// forgery must fail naming the entry and the rule; the untouched package must pass.
import { verifyPackage, webSealCrypto, type VerifyOptions, type VerifyReport } from '@cloudship/shared';
import { nodeSealCrypto } from '../../server/src/seal/node-seal-crypto';
import { chain, checkpoint, makeKey, rechain, samplePackage, sha256hex, type TestPackage } from '../helpers/seal-fixtures';

const clone = <T>(v: T): T => structuredClone(v);

function options(pkg: TestPackage, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    crypto: nodeSealCrypto,
    trustedKeys: [pkg.key.published],
    readFile: (path) => Promise.resolve(pkg.files.get(path) ?? null),
    members: ['manifest.json', 'README.txt', ...pkg.files.keys()],
    ...extra,
  };
}

/** Every problem as "label: message" (or "rule N: message"), for assertions that read like the CLI. */
const problems = (r: VerifyReport): string[] => [
  ...r.entries.flatMap((e) => e.problems.map((p) => `${e.label} rule ${p.rule}: ${p.message}`)),
  ...r.checkpoints.flatMap((c) => c.problems.map((p) => `rule ${p.rule}: ${p.message}`)),
  ...r.problems.map((p) => `rule ${p.rule}: ${p.message}`),
];
const failed = (r: VerifyReport) => r.entries.filter((e) => !e.ok).map((e) => e.label);

describe('verifier core', () => {
  test('an untouched package verifies, every entry ok and sealed, the key pinned', async () => {
    const pkg = samplePackage();
    const r = await verifyPackage(pkg.manifest, options(pkg));
    expect(problems(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.keysPinned).toBe(true);
    expect(r.entries.map((e) => e.sealedBy)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(r.entries.filter((e) => e.file?.checked).length).toBe(4);
  });

  test('the same result under WebCrypto (what the replay page uses)', async () => {
    const pkg = samplePackage();
    const r = await verifyPackage(pkg.manifest, options(pkg, { crypto: webSealCrypto(globalThis.crypto.subtle) }));
    expect(problems(r)).toEqual([]);
  });

  test('rule 1: another version or format is refused before anything else', async () => {
    const pkg = samplePackage();
    for (const patch of [{ v: 2 }, { format: 'zip' }, { extra: true }]) {
      const r = await verifyPackage({ ...pkg.manifest, ...patch }, options(pkg));
      expect(r.ok).toBe(false);
      expect(r.problems[0]?.rule).toBe(1);
    }
    expect((await verifyPackage('not json', options(pkg))).problems[0]?.message).toMatch(/not a JSON object/);
  });

  test('rule 2: an edited entry fails by name: its hash does not recompute', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    (m.entries[5]!.body as { text: string }).text = 'All in order.';
    const r = await verifyPackage(m, options(pkg));
    expect(r.ok).toBe(false);
    expect(failed(r)).toEqual(['#6 conclusion']);
    expect(problems(r)).toContain('#6 conclusion rule 2: hash does not recompute: the entry was changed after it was written');
  });

  test('rule 2/3: a forged entry re-chained to the end breaks the signed head', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    (m.entries[6]!.body as { name: string }).name = 'Somebody Else';
    m.entries = rechain(m.entries, 6);
    const r = await verifyPackage(m, options(pkg));
    expect(r.ok).toBe(false);
    // #6 too: only the final checkpoint covered it, and that one no longer matches.
    expect(failed(r)).toEqual(['#6 conclusion', '#7 acknowledgement', '#8 inspection.ended', '#9 report']);
    expect(problems(r)).toContain('rule 3: checkpoint 2 (#9): head does not equal the hash of entry #9');
  });

  test('rule 2: two entries swapped are both named out of place', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    [m.entries[2], m.entries[3]] = [m.entries[3]!, m.entries[2]!];
    const r = await verifyPackage(m, options(pkg));
    expect(failed(r)).toEqual(expect.arrayContaining(['#4 segment', '#3 segment']));
    expect(problems(r).join('\n')).toMatch(/#4 segment rule 2: out of place: seq 4 at position 3/);
  });

  test('rule 2: an entry of another inspection is refused even with a valid hash', async () => {
    const pkg = samplePackage('insp-1');
    const other = samplePackage('insp-2', pkg.key);
    const m = clone(pkg.manifest);
    m.entries[2] = other.manifest.entries[2]!;
    const r = await verifyPackage(m, options(pkg));
    expect(problems(r)).toContain('#3 segment rule 2: belongs to inspection insp-2, not insp-1');
  });

  test('rule 2: an extra field beside an entry (not covered by its hash) is refused', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest) as unknown as { entries: Array<Record<string, unknown>> };
    m.entries[4]!.note = 'taken on deck 2';
    const r = await verifyPackage(m, options(pkg));
    expect(problems(r).join('\n')).toMatch(/#5 still rule 2: malformed entry: .*note/);
  });

  test('rule 3: a package re-signed with another key fails when the keys are pinned', async () => {
    const pkg = samplePackage();
    const forger = makeKey();
    const m = clone(pkg.manifest);
    m.checkpoints = m.checkpoints.map((c) => checkpoint(m.entries, c.count, forger, c.final, c.at));
    m.publicKeys = [forger.published];
    const r = await verifyPackage(m, options(pkg));
    expect(r.ok).toBe(false);
    expect(problems(r)).toContain(`rule 3: checkpoint 2 (#9): signed with key ${forger.keyId}, which is not among the trusted keys`);
    expect(failed(r)).toContain('#1 inspection.created');
    // Without pinned keys the package's own (forged) key is used, and the report says so.
    const unpinned = await verifyPackage(m, options(pkg, { trustedKeys: undefined }));
    expect(unpinned.ok).toBe(true);
    expect(unpinned.keysPinned).toBe(false);
    expect(unpinned.keyIds).toEqual([forger.keyId]);
  });

  test('rule 3: a signature that does not verify (checkpoint count changed) fails', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    m.checkpoints[1]!.at = '2026-01-05T09:00:01.000Z';
    const r = await verifyPackage(m, options(pkg));
    expect(problems(r)).toContain('rule 3: checkpoint 2 (#9): the signature does not verify');
    expect(failed(r)).toEqual(['#6 conclusion', '#7 acknowledgement', '#8 inspection.ended', '#9 report']);
    expect(problems(r)).toContain('#6 conclusion rule 3: not sealed: no valid checkpoint covers this entry');
  });

  test('rule 3: a truncated log is caught by the last checkpoint', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    m.entries = m.entries.slice(0, 7);
    m.files = m.files.filter((f) => f.seq <= 7);
    const r = await verifyPackage(m, options(pkg, { members: undefined }));
    expect(r.ok).toBe(false);
    expect(problems(r)).toContain('rule 3: entries #8..#9 are missing: the log was truncated');
    // Cutting the checkpoints back as well leaves a last checkpoint that is not final.
    m.entries = m.entries.slice(0, 5);
    m.files = m.files.filter((f) => f.seq <= 5);
    m.checkpoints = m.checkpoints.slice(0, 1);
    const r2 = await verifyPackage(m, options(pkg, { members: undefined }));
    expect(problems(r2)).toContain('rule 3: the last checkpoint (1) is not final: the log may have been cut short');
  });

  test('rule 3: entries after the last checkpoint are not sealed', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    m.checkpoints = [checkpoint(m.entries, 8, pkg.key, true)];
    const r = await verifyPackage(m, options(pkg));
    expect(failed(r)).toEqual(['#9 report']);
    expect(problems(r)).toContain('#9 report rule 3: not sealed: no valid checkpoint covers this entry');
  });

  test('rule 4: a token is checked against the checkpoint bytes, its time reported', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    m.checkpoints[1]!.timestamp = { tsaUrl: 'http://tsa.invalid', token: Buffer.from('garbage').toString('base64') };
    const seen: string[] = [];
    const crypto = {
      ...nodeSealCrypto,
      verifyTimestamp: (token: Uint8Array, imprint: string) => {
        seen.push(imprint);
        return Promise.resolve({ ok: Buffer.from(token).toString() === 'good', genTime: '2026-01-05T09:00:00.500Z', reason: 'bad token' });
      },
    };
    const r = await verifyPackage(m, options(pkg, { crypto }));
    expect(problems(r)).toContain('rule 4: checkpoint 2 (#9): timestamp token: bad token');
    expect(failed(r)).toContain('#9 report');
    const { checkpointBytes } = await import('@cloudship/shared');
    expect(seen).toEqual([sha256hex(checkpointBytes(m.checkpoints[1]!))]);
    m.checkpoints[1]!.timestamp.token = Buffer.from('good').toString('base64');
    const ok = await verifyPackage(m, options(pkg, { crypto }));
    expect(ok.ok).toBe(true);
    expect(ok.checkpoints[1]!.timestamp?.genTime).toBe('2026-01-05T09:00:00.500Z');
  });

  test('rule 5: a changed, a resized and a missing file each fail their entry', async () => {
    const pkg = samplePackage();
    const files = new Map(pkg.files);
    const seg = Uint8Array.from(files.get('segments/crew-video/00000-s1.webm')!);
    seg[3] = seg[3]! ^ 0x01;
    files.set('segments/crew-video/00000-s1.webm', seg);
    files.set('evidence/ev1-still.jpg', new Uint8Array(3));
    files.delete('report.pdf');
    const r = await verifyPackage(pkg.manifest, options({ ...pkg, files }));
    expect(failed(r)).toEqual(['#3 segment', '#5 still', '#9 report']);
    expect(problems(r).join('\n')).toMatch(/#3 segment rule 5: segments\/crew-video\/00000-s1.webm: SHA-256 [0-9a-f]{64} differs/);
    expect(problems(r)).toContain('#5 still rule 5: evidence/ev1-still.jpg: 3 bytes, the log says 16');
    expect(problems(r)).toContain('#9 report rule 5: report.pdf is missing from the package');
  });

  test('rule 5: files[] must name each file-bearing entry once, and every member must be listed', async () => {
    const pkg = samplePackage();
    const m = clone(pkg.manifest);
    m.files = m.files.filter((f) => f.seq !== 4).concat({ seq: 6, path: 'evidence/x' });
    const r = await verifyPackage(m, options(pkg, { members: ['manifest.json', 'README.txt', ...pkg.files.keys(), 'evidence/extra.jpg'] }));
    expect(problems(r)).toEqual(
      expect.arrayContaining([
        '#4 segment rule 5: no files[] path for this entry',
        'rule 5: files[] lists evidence/x for #6, which is not a file-bearing entry',
        'rule 5: evidence/extra.jpg is in the package but not listed in the manifest',
        'rule 5: segments/crew-video/00001-s2.webm is in the package but not listed in the manifest',
      ]),
    );
  });

  test('a log without entries or checkpoints never verifies', async () => {
    const pkg = samplePackage();
    const empty = await verifyPackage({ ...pkg.manifest, entries: [], checkpoints: [], files: [] }, options(pkg, { members: [] }));
    expect(empty.ok).toBe(false);
    const unsigned = await verifyPackage({ ...pkg.manifest, checkpoints: [] }, options(pkg));
    expect(problems(unsigned)).toContain('rule 3: the package has no checkpoint: nothing is signed');
    expect(chain('x', []).length).toBe(0);
  });
});
