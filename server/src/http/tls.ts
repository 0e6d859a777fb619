// HTTPS certificate: the configured one, or a self-signed one generated on first start (phones
// need a secure context for camera access; on a LAN that means HTTPS).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Logger } from '../logging/logger';

const logger = new Logger('tls');

export function loadOrCreateCertificate(
  configured: { certPath: string; keyPath: string } | null,
  dataDir: string,
  hosts: string[],
): { cert: Buffer; key: Buffer } {
  if (configured) return { cert: fs.readFileSync(configured.certPath), key: fs.readFileSync(configured.keyPath) };
  const dir = path.join(dataDir, 'tls');
  const certPath = path.join(dir, 'self-signed.crt');
  const keyPath = path.join(dir, 'self-signed.key');
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const san = [...new Set(['localhost', '127.0.0.1', ...hosts])].map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '825',
        '-subj',
        '/CN=Cloud Ship Inspection (self-signed)',
        '-addext',
        `subjectAltName=${san}`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
    fs.chmodSync(keyPath, 0o600);
    logger.info('loadOrCreateCertificate() | self-signed certificate generated', { path: certPath, san });
  }
  return { cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) };
}
