// `npm run verify -- <package.zip> [--keys keys.json]`: the stand-alone verifier of an evidence
// package. Plain Node: no database, no server, no network; everything it trusts is in the package,
// except the public keys, which `--keys` pins to the file saved from the authority's well-known URL.
// `npm run verify -- --inspection <id>` instead compares the live database and store with the log.
// Exit code 0 only when everything verifies (README "Verifying an evidence package").
import { readFile } from 'node:fs/promises';
import { parseKeySet, verifyPackage, type SealPublicKey, type VerifyReport } from '@cloudship/shared';
import { nodeSealCrypto } from './node-seal-crypto';
import { ZipPackage } from './zip-package';

const USAGE = `usage: npm run verify -- <package.zip> [--keys <cloudship-seal-keys.json>]
       npm run verify -- --inspection <inspectionId>`;

export interface Args {
  zip?: string;
  keys?: string;
  inspection?: string;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--keys' || a === '--inspection') {
      const value = argv[(i += 1)];
      if (!value) throw new UsageError(`${a} needs a value`);
      if (a === '--keys') args.keys = value;
      else args.inspection = value;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else if (args.zip) throw new UsageError(`one package at a time (${args.zip}, ${a})`);
    else args.zip = a;
  }
  if (!args.zip === !args.inspection) throw new UsageError('give a package or --inspection, not both or neither');
  return args;
}

export class UsageError extends Error {}

export const VERIFY_USAGE = USAGE;

export async function loadKeys(path: string): Promise<SealPublicKey[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--keys ${path}: ${(err as Error).message}`);
  }
  const set = parseKeySet(raw);
  if (set.error !== undefined) throw new UsageError(`--keys ${path}: ${set.error}`);
  return set.keys;
}

export async function verifyZip(path: string, trustedKeys?: SealPublicKey[]): Promise<VerifyReport> {
  const pkg = await ZipPackage.open(path);
  try {
    return await verifyPackage(await pkg.readJson('manifest.json'), {
      crypto: nodeSealCrypto,
      trustedKeys,
      readFile: (name) => pkg.digest(name),
      members: pkg.members,
    });
  } finally {
    pkg.close();
  }
}

/** The printout: one line per entry, then checkpoints, then problems and a summary. */
export function formatReport(r: VerifyReport): string[] {
  const out: string[] = [`inspection ${r.inspectionId ?? '?'}`];
  for (const e of r.entries) {
    const file = e.file?.path ? `  ${e.file.path}` : '';
    if (e.ok) out.push(`ok    ${e.label}${file}`);
    else for (const p of e.problems) out.push(`FAIL  ${e.label}: rule ${p.rule}: ${p.message}`);
  }
  for (const c of r.checkpoints) {
    const ts = c.timestamp
      ? c.timestamp.checked
        ? `; timestamp ${c.timestamp.ok ? 'ok' : 'FAIL'}${c.timestamp.genTime ? `, genTime ${c.timestamp.genTime}` : ''}${c.timestamp.signer ? `, TSA ${c.timestamp.signer}` : ''}`
        : '; timestamp not checked'
      : '';
    const head = `checkpoint ${c.index + 1}: entries 1..${c.count}${c.final ? ', final' : ''}, signed ${c.at} by key ${c.keyId}${ts}`;
    out.push(`${c.ok ? 'ok   ' : 'FAIL '} ${head}`);
    for (const p of c.problems) out.push(`FAIL  rule ${p.rule}: ${p.message}`);
  }
  for (const p of r.problems) out.push(`FAIL  rule ${p.rule}: ${p.message}`);
  if (!r.keysPinned)
    out.push(
      `NOTE  the key is not pinned: the package vouches for its own key (${r.keyIds.join(', ') || 'none'}).`,
      "      Compare it with the authority's published keys, or run again with --keys <saved well-known file>.",
    );
  const bad = r.entries.filter((e) => !e.ok).length;
  const files = r.entries.filter((e) => e.file?.checked).length;
  out.push(
    r.ok
      ? `VERIFIED: ${r.entries.length} entries, ${r.checkpoints.length} checkpoints, ${files} files${r.keysPinned ? ', keys pinned' : ', key NOT pinned'}`
      : `NOT VERIFIED: ${bad} of ${r.entries.length} entries fail; ${r.problems.length + r.checkpoints.filter((c) => !c.ok).length} other problems`,
  );
  return out;
}
