// A local RFC 3161 time-stamping authority for the tests: Debian's `openssl ts -reply` behind a
// node:http handler on 127.0.0.1, port 0. A throw-away CA and a TSA certificate with the critical
// extendedKeyUsage timeStamping are made in a temp dir at start, so the tokens are real ones,
// verified by the same code that verifies a public TSA's.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TsaServer {
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  /** 'refuse' answers every request with HTTP 500, as a TSA that is down would. */
  mode: 'ok' | 'refuse';
  close(): Promise<void>;
}

async function makeTsaFiles(dir: string): Promise<string> {
  const o = (...args: string[]) => run('openssl', args, { cwd: dir });
  await o(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Test Seal CA',
  );
  await o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Test TSA');
  writeFileSync(path.join(dir, 'tsa.ext'), 'extendedKeyUsage=critical,timeStamping\nbasicConstraints=CA:FALSE\n');
  await o(
    'x509',
    '-req',
    '-in',
    'tsa.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'tsa.crt',
    '-days',
    '2',
    '-extfile',
    'tsa.ext',
  );
  writeFileSync(path.join(dir, 'serial'), '01\n');
  const config = path.join(dir, 'tsa.cnf');
  writeFileSync(
    config,
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.crt',
      'certs = $dir/ca.crt',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  return config;
}

export async function startTsaServer(): Promise<TsaServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsa-'));
  const config = await makeTsaFiles(dir);
  let requests = 0;
  let next = 0;
  // `openssl ts` bumps the serial file: one reply at a time keeps it consistent.
  let queue: Promise<unknown> = Promise.resolve();
  const reply = async (query: Buffer): Promise<Buffer> => {
    const id = (next += 1);
    const q = path.join(dir, `q${id}.tsq`);
    const r = path.join(dir, `r${id}.tsr`);
    await writeFile(q, query);
    try {
      await run('openssl', ['ts', '-reply', '-config', config, '-queryfile', q, '-out', r]);
      return await readFile(r);
    } finally {
      await rm(q, { force: true });
      await rm(r, { force: true });
    }
  };
  const state: { mode: TsaServer['mode'] } = { mode: 'ok' };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      if (state.mode === 'refuse' || req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(state.mode === 'refuse' ? 500 : 400).end();
        return;
      }
      const job = queue.then(() => reply(Buffer.concat(chunks)));
      queue = job.catch(() => undefined);
      job.then(
        (body) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    get requests() {
      return requests;
    },
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
