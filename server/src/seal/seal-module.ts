// Composition of the seal for app.ts: the evidence log (handed to every feature that writes a fact
// worth sealing), the signing key, the checkpoints, and the public keys at the well-known URL.
import express from 'express';
import type { DataSource } from 'typeorm';
import { WELL_KNOWN_KEYS_PATH } from '@cloudship/shared';
import type { Config } from '../config/config';
import { EvidenceLog } from './evidence-log';
import { Sealer } from './sealer';
import { SigningKey, publishedKeys } from './signing-key';
import { createTsaTimestamper } from './tsa-client';

export interface SealModule {
  log: EvidenceLog;
  sealer: Sealer;
  key: SigningKey;
  /** GET /.well-known/cloudship-seal-keys.json: every key that ever signed, for anyone. */
  router: express.Router;
  close(): Promise<void>;
}

export async function createSealModule(deps: { db: DataSource; config: Pick<Config, 'dataDir' | 'seal'> }): Promise<SealModule> {
  const { seal } = deps.config;
  const key = SigningKey.load({ privateKeyPem: seal.privateKeyPem, dataDir: deps.config.dataDir });
  await key.register(deps.db);
  const log = new EvidenceLog(deps.db);
  const timestamper = seal.tsaUrl ? createTsaTimestamper({ tsaUrl: seal.tsaUrl }) : null;
  const sealer = new Sealer(deps.db, log, key, { timestamper, intervalMs: seal.checkpointIntervalMs }).start();
  const router = express.Router();
  router.get(WELL_KNOWN_KEYS_PATH, (_req, res, next) => {
    publishedKeys(deps.db)
      .then((set) => {
        // Public and meant to be saved and compared: cacheable for a short while, readable cross-origin.
        res.set({ 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' });
        res.json(set);
      })
      .catch(next);
  });
  return { log, sealer, key, router, close: () => sealer.close() };
}
