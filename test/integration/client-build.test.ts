// The chunks of the browser build (client/vite.config.mts). Each page (surveyor console, crew page,
// auditor replay, bench baseline) loads its own entry chunk and what that imports statically; none
// of those may carry another page's code, which would run that page's boot code on load (the
// "common" chunk once took in the replay and bench entries, so every page booted them).
//
// Builds the client with the project's config into a temporary folder, with Vite's manifest (the
// chunk graph: which chunk imports which) and the source maps (which modules each chunk holds).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const clientSrc = path.join(root, 'client', 'src');

/** The page entries (HTML file in client/) and the folder of client/src holding each page's code. */
const PAGES: Record<string, string> = {
  'index.html': 'surveyor',
  'join.html': 'crew',
  'replay.html': 'replay',
  'bench-bare.html': 'bench',
};

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
}

let outDir: string;
let manifest: Record<string, ManifestChunk>;

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-build-'));
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'client/vite.config.mts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--manifest',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  manifest = JSON.parse(fs.readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8')) as typeof manifest;
}, 180_000);

afterAll(() => {
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

/** The output files a page loads at start: its entry chunk and every chunk it imports statically. */
function chunksOf(page: string): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit(page);
  return [...seen].map((key) => manifest[key]!.file);
}

/** The client/src folders (first path segment) of the modules in one output file, from its map. */
function pageFoldersIn(file: string): Set<string> {
  const mapFile = path.join(outDir, `${file}.map`);
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string };
  const folders = new Set<string>();
  for (const source of map.sources) {
    const abs = path.resolve(path.dirname(mapFile), map.sourceRoot ?? '', source);
    const rel = path.relative(clientSrc, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const first = rel.split(path.sep)[0]!;
    if (Object.values(PAGES).includes(first)) folders.add(first);
  }
  return folders;
}

test('the build has one entry per page', () => {
  const entries = Object.entries(manifest)
    .filter(([, chunk]) => chunk.isEntry)
    .map(([key]) => key)
    .sort();
  expect(entries).toEqual(Object.keys(PAGES).sort());
});

test.each(Object.entries(PAGES))("%s loads only its own page's code (client/src/%s)", (page, own) => {
  const foreign: string[] = [];
  for (const file of chunksOf(page)) {
    for (const folder of pageFoldersIn(file)) if (folder !== own) foreign.push(`${file}: client/src/${folder}/`);
  }
  expect(foreign).toEqual([]);
  // And its own code is there (the maps are read correctly).
  expect(chunksOf(page).some((file) => pageFoldersIn(file).has(own))).toBe(true);
});

/** The npm packages (by name) whose modules one output file holds, from its map. */
function packagesIn(file: string): Set<string> {
  const mapFile = path.join(outDir, `${file}.map`);
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[] };
  const names = new Set<string>();
  for (const source of map.sources) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source.split(path.sep).join('/'));
    if (m) names.add(m[1]!);
  }
  return names;
}

test('the libraries are in the vendor chunk, and only there', () => {
  const files = [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter((f) => f.endsWith('.js'));
  const vendor = files.filter((f) => /(^|\/)vendor-[^/]+\.js$/.test(f));
  expect(vendor).toHaveLength(1);
  const inVendor = packagesIn(vendor[0]!);
  for (const name of ['mediasoup-client', 'socket.io-client', 'zod', 'preact', '@preact/signals']) expect(inVendor).toContain(name);
  const elsewhere = files.filter((f) => f !== vendor[0]).flatMap((f) => [...packagesIn(f)].map((name) => `${f}: ${name}`));
  expect(elsewhere).toEqual([]);
});
