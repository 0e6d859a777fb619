// Reading an evidence package (a ZIP) for the verifier: the member list, manifest.json, and each
// member's size and SHA-256 hashed as it streams out of the archive (yauzl), so a package of many
// gigabytes is checked in constant memory.
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { FileDigest } from '@cloudship/shared';
import { hashStream } from './node-seal-crypto';

/** manifest.json of a 60-minute inspection is a few MB; anything far beyond is not a manifest. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

export class ZipPackage {
  private closed = false;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** Every member name, in archive order, duplicates kept (the verifier reports them). */
    readonly members: string[],
    private readonly byName: Map<string, yauzl.Entry>,
  ) {}

  static async open(path: string): Promise<ZipPackage> {
    const zip = await promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open)(path, { lazyEntries: true, autoClose: false });
    const members: string[] = [];
    const byName = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        members.push(entry.fileName);
        // The first of two same-named members is the one hashed; the duplicate is reported anyway.
        if (!byName.has(entry.fileName)) byName.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.once('end', resolve);
      zip.once('error', reject);
      zip.readEntry();
    });
    return new ZipPackage(zip, members, byName);
  }

  private async stream(name: string): Promise<Readable | null> {
    const entry = this.byName.get(name);
    if (!entry) return null;
    return promisify<yauzl.Entry, Readable>(this.zip.openReadStream.bind(this.zip))(entry);
  }

  /** The member's size and SHA-256, or null when the package has no such member. */
  async digest(name: string): Promise<FileDigest | null> {
    const s = await this.stream(name);
    return s ? hashStream(s) : null;
  }

  /** A member's bytes, whole (for the manifest, and for tests that rewrite a package). */
  async read(name: string, maxBytes = MAX_MANIFEST_BYTES): Promise<Buffer> {
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`the package has no ${name}`);
    if (entry.uncompressedSize > maxBytes) throw new Error(`${name} is ${entry.uncompressedSize} bytes: too large`);
    const chunks: Buffer[] = [];
    for await (const chunk of (await this.stream(name)) as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async readJson(name: string): Promise<unknown> {
    const bytes = await this.read(name);
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (err) {
      throw new Error(`${name} is not JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.zip.close();
  }
}
