// The embedded default object store: s3rver in-process on 127.0.0.1 (port 0), backed by a
// directory under the recordings dir. It is what a single machine uses when S3_ENDPOINT is not set;
// the same ObjectStore code talks to it and to any S3-compatible service. s3rver only checks that
// requests are signed with its fixed credentials, so it listens on loopback only.
import fs from 'node:fs';
import S3rver from 's3rver';
import { Logger } from '../logging/logger';

const logger = new Logger('embedded-store');

export const EMBEDDED_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface EmbeddedStore {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedStore(directory: string, options: { port?: number } = {}): Promise<EmbeddedStore> {
  fs.mkdirSync(directory, { recursive: true });
  const s3rver = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, directory, silent: true });
  const address = await s3rver.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  logger.info('startEmbeddedStore() | listening', { endpoint, directory });
  let closed: Promise<void> | null = null;
  return {
    endpoint,
    port: address.port,
    close() {
      // Keep-alive sockets of the SDK client would hold http.Server.close() open.
      closed ??= Promise.resolve()
        .then(() => {
          const done = s3rver.close();
          s3rver.httpServer?.closeAllConnections();
          return done;
        })
        .then(() => logger.info('close() | stopped', { endpoint }));
      return closed;
    },
  };
}
