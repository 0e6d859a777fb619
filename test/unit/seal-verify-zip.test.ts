// The CLI's package reading on real ZIP files: a member streamed and hashed out of the archive,
// duplicates and strays reported, and the printout naming each failing entry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatReport, verifyZip } from '../../server/src/seal/verify-cli';
import { samplePackage, writePackageZip } from '../helpers/seal-fixtures';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'seal-zip-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a package ZIP verifies member by member; the printout has a line per entry and a summary', async () => {
  const pkg = samplePackage();
  const file = path.join(dir, 'good.zip');
  await writePackageZip(file, pkg.manifest, pkg.files);
  const r = await verifyZip(file, [pkg.key.published]);
  const lines = formatReport(r);
  expect(r.ok).toBe(true);
  expect(lines).toContain('ok    #3 segment  segments/crew-video/00000-s1.webm');
  expect(lines.at(-1)).toBe('VERIFIED: 9 entries, 2 checkpoints, 4 files, keys pinned');
  const unpinned = formatReport(await verifyZip(file));
  expect(unpinned.join('\n')).toContain(`the key is not pinned: the package vouches for its own key (${pkg.key.keyId})`);
});

test('a flipped byte, a stray member and a duplicate are each reported', async () => {
  const pkg = samplePackage();
  const files = new Map(pkg.files);
  const still = Uint8Array.from(files.get('evidence/ev1-still.jpg')!);
  still[0] = still[0]! ^ 0x80;
  files.set('evidence/ev1-still.jpg', still);
  const file = path.join(dir, 'bad.zip');
  await writePackageZip(file, pkg.manifest, files, [
    ['evidence/planted.jpg', new Uint8Array(4)],
    ['report.pdf', new Uint8Array(2)],
  ]);
  const r = await verifyZip(file, [pkg.key.published]);
  const text = formatReport(r).join('\n');
  expect(r.ok).toBe(false);
  expect(text).toMatch(/FAIL {2}#5 still: rule 5: evidence\/ev1-still.jpg: SHA-256 [0-9a-f]+ differs from the log's/);
  expect(text).toContain('FAIL  rule 5: evidence/planted.jpg is in the package but not listed in the manifest');
  expect(text).toContain('FAIL  rule 5: report.pdf is in the package more than once');
  expect(text).toMatch(/NOT VERIFIED: 1 of 9 entries fail/);
});

test('a ZIP without a manifest, or not a ZIP at all, is refused with a reason', async () => {
  const file = path.join(dir, 'empty.zip');
  await writePackageZip(file, {}, new Map());
  const r = await verifyZip(file);
  expect(formatReport(r).join('\n')).toContain('FAIL  rule 1: manifest version undefined; this verifier reads version 1');
  await expect(verifyZip(path.join(__dirname, 'seal-verify-zip.test.ts'))).rejects.toThrow(/not a zip file/);
});
