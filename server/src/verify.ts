// Entry point of `npm run verify`:
//   npm run verify -- <package.zip> [--keys keys.json]   the package alone (seal/verify-cli.ts):
//                                                        no database, no server, no network;
//   npm run verify -- --inspection <id> [--keys ...]      the live database and store against the
//                                                        inspection's evidence log (reports/live-check.ts),
//                                                        with the server's configuration (README).
// Exit code 0 only when everything verifies; 1 when something does not; 2 for a usage error.
// The package path loads nothing but the verifier; the live check loads the server's modules.
import path from 'node:path';
import { UsageError, VERIFY_USAGE, formatReport, loadKeys, parseArgs, verifyZip } from './seal/verify-cli';

async function verifyInspection(inspectionId: string, keysFile?: string): Promise<number> {
  const [{ ENTITIES }, { loadConfig }, { setLogLevel }, { openDatabase }, { checkLive }, { EvidenceLog }, { readManifestParts }, store_] =
    await Promise.all([
      import('./app.js'),
      import('./config/config.js'),
      import('./logging/logger.js'),
      import('./persistence/data-source.js'),
      import('./reports/live-check.js'),
      import('./seal/evidence-log.js'),
      import('./seal/sealer.js'),
      Promise.all([import('./storage/embedded-store.js'), import('./storage/object-store.js')]),
    ]);
  const [{ EMBEDDED_CREDENTIALS, startEmbeddedStore }, { ObjectStore }] = store_;
  const config = loadConfig();
  setLogLevel('warn');
  const trustedKeys = keysFile ? await loadKeys(keysFile) : undefined;
  const db = await openDatabase(config.database, ENTITIES);
  const rc = config.recording;
  // The embedded store's files are read through an s3rver of our own on the same directory.
  const embedded = rc.s3 ? null : await startEmbeddedStore(path.join(rc.dir, 'store'));
  try {
    const store = new ObjectStore({
      endpoint: rc.s3?.endpoint ?? embedded!.endpoint,
      region: rc.region,
      bucket: rc.bucket,
      accessKeyId: rc.s3?.accessKeyId ?? EMBEDDED_CREDENTIALS.accessKeyId,
      secretAccessKey: rc.s3?.secretAccessKey ?? EMBEDDED_CREDENTIALS.secretAccessKey,
    });
    const log = new EvidenceLog(db);
    const findings = await checkLive(
      {
        db,
        sealer: { manifestParts: (id: string) => readManifestParts(db, log, id) },
        readObject: (key, size) => (size === 0 ? Promise.resolve(Buffer.alloc(0)) : store.getRange(key, 0, size - 1)),
        ...(trustedKeys ? { trustedKeys } : {}),
      },
      inspectionId,
    );
    console.log(`inspection ${inspectionId}: the database and the store against the evidence log`);
    for (const f of findings) console.log(`${f.ok ? 'ok   ' : 'FAIL '} ${f.label}: ${f.message}`);
    const bad = findings.filter((f) => !f.ok).length;
    console.log(bad ? `NOT VERIFIED: ${bad} findings` : `VERIFIED: ${findings.length} checks`);
    return bad ? 1 : 0;
  } finally {
    await db.destroy();
    await embedded?.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.inspection) return verifyInspection(args.inspection, args.keys);
  const keys = args.keys ? await loadKeys(args.keys) : undefined;
  const report = await verifyZip(args.zip ?? '', keys);
  for (const line of formatReport(report)) console.log(line);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`${err.message}\n${VERIFY_USAGE}`);
    else console.error(`verify: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
