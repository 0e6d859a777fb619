// HTML -> PDF with Debian's headless Chromium (`--print-to-pdf`). Each print gets its own
// temporary profile directory, so concurrent prints (and the test browsers) never share a profile
// lock. Chinese text needs a CJK font on the machine (scripts/bootstrap.mjs installs one).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@cloudship/shared';
import { Logger } from '../logging/logger';

const logger = new Logger('pdf');

/** Generous: two shared cores and a cold Chromium can take a while; this is not a timing claim. */
const PRINT_TIMEOUT_MS = 120_000;

export async function htmlToPdf(html: string, chromiumPath: string): Promise<Buffer> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cloudship-pdf-'));
  try {
    const input = path.join(dir, 'report.html');
    const output = path.join(dir, 'report.pdf');
    await fs.promises.writeFile(input, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-extensions',
      '--disable-background-networking',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${output}`,
      `file://${input}`,
    ];
    const stderr: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(chromiumPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), PRINT_TIMEOUT_MS);
      child.stderr.on('data', (d: Buffer) => stderr.length < 50 && stderr.push(d.toString()));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const pdf = await fs.promises.readFile(output).catch(() => null);
    if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      logger.error('htmlToPdf() | chromium produced no PDF', { code, stderr: stderr.join('').slice(-500) });
      throw new AppError('INTERNAL', 'The PDF could not be produced.');
    }
    return pdf;
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
