// The seal's signing key: generated once into DATA_DIR/seal with mode 0600 and read back the same,
// a looser mode tightened, SEAL_PRIVATE_KEY taking precedence, a key that is not Ed25519 or not a
// key refused with a message naming where it came from, and signatures that verify under the
// published raw key (the same check the verifier makes).
import { generateKeyPairSync, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkpointBytes } from '@cloudship/shared';
import { SigningKey } from '../../server/src/seal/signing-key';
import { ed25519PublicKeyFromRaw } from '../../server/src/seal/node-seal-crypto';
import { sha256Hex } from '../../server/src/seal/evidence-log';
import { loadConfig } from '../../server/src/config/config';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-key-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = () => path.join(dir, 'seal', 'signing-key.pem');

test('generated on first load with mode 0600, the same key on the next', () => {
  const a = SigningKey.load({ privateKeyPem: null, dataDir: dir });
  expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
  const b = SigningKey.load({ privateKeyPem: null, dataDir: dir });
  expect(b.keyId).toBe(a.keyId);
  // The id is the SHA-256 of the raw public key that is published.
  expect(a.keyId).toBe(sha256Hex(Buffer.from(a.publicKey, 'base64')));
});

test('a key file readable by others is tightened to 0600', () => {
  SigningKey.load({ privateKeyPem: null, dataDir: dir });
  fs.chmodSync(file(), 0o644);
  SigningKey.load({ privateKeyPem: null, dataDir: dir });
  expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
});

test('SEAL_PRIVATE_KEY is used instead of the file, and its signatures verify under the published key', () => {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const key = SigningKey.load({ privateKeyPem: pem, dataDir: dir });
  expect(fs.existsSync(file())).toBe(false);
  const bytes = checkpointBytes({
    v: 1,
    kind: 'checkpoint',
    inspectionId: 'i',
    count: 3,
    head: 'a'.repeat(64),
    at: '2026-12-06T10:00:00.000Z',
    final: true,
  });
  const signature = Buffer.from(key.sign(bytes), 'base64');
  const pub = ed25519PublicKeyFromRaw(Buffer.from(key.publicKey, 'base64'));
  expect(verify(null, bytes, pub, signature)).toBe(true);
  expect(verify(null, Buffer.concat([bytes, Buffer.from(' ')]), pub, signature)).toBe(false);
});

test('a key that is not Ed25519, or not a key, is refused with where it came from', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  expect(() => SigningKey.load({ privateKeyPem: rsa, dataDir: dir })).toThrow('SEAL_PRIVATE_KEY: an Ed25519 key is needed, not rsa');
  expect(() => SigningKey.fromPem('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n', 'SEAL_PRIVATE_KEY')).toThrow(
    /^SEAL_PRIVATE_KEY: not a readable private key/,
  );
  // The configuration refuses what is not PEM at all before anything starts.
  expect(() => loadConfig({ SEAL_PRIVATE_KEY: 'hunter2' })).toThrow(/SEAL_PRIVATE_KEY: a PKCS#8 PEM private key/);
  expect(() => loadConfig({ TSA_URL: 'ftp://tsa.example' })).toThrow(/TSA_URL/);
  expect(() => loadConfig({ SEAL_CHECKPOINT_MINUTES: '0' })).toThrow(/SEAL_CHECKPOINT_MINUTES/);
});
