// The server's Ed25519 signing key for checkpoints. Given by SEAL_PRIVATE_KEY (PKCS#8 PEM), or kept
// in DATA_DIR/seal/signing-key.pem (mode 0600), generated there on first start. The key id is the
// SHA-256 of the raw 32-byte public key. Rotation: replace the key (new file or new variable); at
// start-up every public key ever used stays in `seal_key`, the old ones marked retired, and all of
// them are published at the well-known URL, so what an old key signed still verifies.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IsNull, Not, type DataSource } from 'typeorm';
import { SEAL_VERSION, type SealKeySet, type SealPublicKey } from '@cloudship/shared';
import { Logger } from '../logging/logger';
import { SealKeyEntity, type SealKeyRow } from './entities';
import { sha256Hex } from './evidence-log';

const logger = new Logger('seal-key');

export class SigningKey {
  readonly keyId: string;
  /** base64 of the raw public key. */
  readonly publicKey: string;

  private constructor(private readonly privateKey: KeyObject) {
    const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
    this.publicKey = raw.toString('base64');
    this.keyId = sha256Hex(raw);
  }

  /** From PEM text, else from (or generated into) `<dataDir>/seal/signing-key.pem`. */
  static load(opts: { privateKeyPem: string | null; dataDir: string }): SigningKey {
    if (opts.privateKeyPem) return SigningKey.fromPem(opts.privateKeyPem, 'SEAL_PRIVATE_KEY');
    const file = path.join(opts.dataDir, 'seal', 'signing-key.pem');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      // 'wx': never overwrite a key another process wrote a moment ago.
      try {
        fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
        logger.info('load() | signing key generated', { file });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) {
      logger.warn('load() | the signing key was readable by others: mode set to 0600', { file, mode: mode.toString(8) });
      fs.chmodSync(file, 0o600);
    }
    return SigningKey.fromPem(fs.readFileSync(file, 'utf8'), file);
  }

  static fromPem(pem: string, source: string): SigningKey {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (e) {
      throw new Error(`${source}: not a readable private key (${(e as Error).message})`, { cause: e });
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw new Error(`${source}: an Ed25519 key is needed, not ${key.asymmetricKeyType ?? 'unknown'}`);
    return new SigningKey(key);
  }

  /** base64 Ed25519 signature. Well under a millisecond (bench:seal measures it: about 36 µs). */
  sign(bytes: Uint8Array): string {
    return sign(null, bytes, this.privateKey).toString('base64');
  }

  /** Publishes this key in `seal_key` and retires the others (they stay published). */
  async register(db: DataSource, now = new Date()): Promise<void> {
    await db.transaction(async (m) => {
      const keys = m.getRepository(SealKeyEntity);
      if (!(await keys.findOneBy({ keyId: this.keyId }))) {
        await keys.insert({ keyId: this.keyId, publicKey: this.publicKey, createdAt: now.toISOString(), retiredAt: null });
        logger.info('register() | new signing key published', { keyId: this.keyId });
      } else {
        // A key put back into use is current again.
        await keys.update({ keyId: this.keyId }, { retiredAt: null });
      }
      const r = await keys.update({ keyId: Not(this.keyId), retiredAt: IsNull() }, { retiredAt: now.toISOString() });
      if (r.affected) logger.info('register() | earlier signing keys retired (still published)', { retired: r.affected });
    });
  }
}

export const toPublicKey = (r: SealKeyRow): SealPublicKey => ({
  keyId: r.keyId,
  alg: 'Ed25519',
  publicKey: r.publicKey,
  createdAt: r.createdAt,
  retiredAt: r.retiredAt,
});

/** Every key that ever signed, oldest first: the well-known file. */
export async function publishedKeys(db: DataSource): Promise<SealKeySet> {
  const rows = await db.getRepository(SealKeyEntity).find({ order: { createdAt: 'ASC' } });
  return { v: SEAL_VERSION, keys: rows.map(toPublicKey) };
}
