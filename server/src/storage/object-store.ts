// The object store client (@aws-sdk/client-s3). One class for the embedded s3rver and any
// S3-compatible service: path-style addressing, and checksums only when an operation requires them
// (s3rver stores corrupted bytes for a streamed PutObject with the SDK's default checksums, and
// answers no checksum headers). Large files go up in parts through lib-storage.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Logger } from '../logging/logger';
import { assertSafeKey } from './object-keys';

const logger = new Logger('object-store');

/** Files above this go up as multipart uploads of PART_SIZE parts. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;

export interface ObjectStoreOptions {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalDigest {
  size: number;
  sha256: string;
  md5: string;
  /** The ETag S3 gives a multipart upload of this file with PART_SIZE parts. */
  multipartEtag: string | null;
}

/** SHA-256 (what we keep), MD5 and the multipart ETag (what the store can confirm) in one read. */
export async function digestFile(file: string): Promise<LocalDigest> {
  const sha = crypto.createHash('sha256');
  const md5 = crypto.createHash('md5');
  const partMd5s: Buffer[] = [];
  let part = crypto.createHash('md5');
  let inPart = 0;
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    sha.update(chunk);
    md5.update(chunk);
    size += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(PART_SIZE - inPart, chunk.length - offset);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === PART_SIZE) {
        partMd5s.push(part.digest());
        part = crypto.createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0) partMd5s.push(part.digest());
  const multipartEtag = size > MULTIPART_THRESHOLD ? `${crypto.createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}` : null;
  return { size, sha256: sha.digest('hex'), md5: md5.digest('hex'), multipartEtag };
}

export class ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The upload queue does its own retrying with backoff; fail fast here.
      maxAttempts: 2,
    });
  }

  /** Creates the bucket when missing. Failing here is not fatal: uploads retry later. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      logger.info('ensureBucket() | bucket created', { bucket: this.bucket });
    }
  }

  /** Uploads a local file under `key` with its SHA-256 as metadata; multipart above the threshold. */
  async putFile(key: string, file: string, digest: LocalDigest, contentType: string): Promise<void> {
    assertSafeKey(key);
    const metadata = { sha256: digest.sha256 };
    if (digest.size <= MULTIPART_THRESHOLD) {
      // A Buffer body (not a stream) gives the SDK a known length for the signature.
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await fs.promises.readFile(file), ContentType: contentType, Metadata: metadata }),
      );
      return;
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: fs.createReadStream(file), ContentType: contentType, Metadata: metadata },
      partSize: PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  /** Uploads a small object held in memory (evidence stills) with its SHA-256 as metadata. */
  async putBytes(key: string, bytes: Buffer, contentType: string, sha256: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType, Metadata: { sha256 } }));
  }

  async getBytes(key: string): Promise<Buffer> {
    assertSafeKey(key);
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  /**
   * What the store holds under `key`: size, ETag and our sha256 metadata, or null when absent.
   * The upload queue compares these with the local file before deleting it.
   */
  async head(key: string): Promise<{ size: number; etag: string; sha256: string | null } | null> {
    assertSafeKey(key);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: r.ContentLength ?? -1, etag: (r.ETag ?? '').replace(/"/g, ''), sha256: r.Metadata?.sha256 ?? null };
    } catch (e) {
      if (e instanceof NotFound || (e as { name?: string }).name === 'NotFound' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw e;
    }
  }

  /** Whether the stored object is byte-for-byte the local file (size, ETag as MD5, sha256 metadata). */
  static confirms(stored: { size: number; etag: string; sha256: string | null }, local: LocalDigest): boolean {
    const etagOk = stored.etag === local.md5 || (local.multipartEtag !== null && stored.etag === local.multipartEtag);
    return stored.size === local.size && etagOk && stored.sha256 === local.sha256;
  }

  /**
   * Streams `[start, end]` (inclusive) of an object. Always an explicit `bytes=a-b` range: the
   * caller translates suffix ranges itself, because s3rver answers `bytes=-N` wrongly.
   */
  async getRange(key: string, start: number, end: number): Promise<Readable> {
    assertSafeKey(key);
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` }));
    return r.Body as Readable;
  }

  /** A GET URL for `key` that the store honours without our credentials for `seconds`. */
  async presignGet(key: string, seconds: number): Promise<string> {
    assertSafeKey(key);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: seconds });
  }

  close(): void {
    this.client.destroy();
  }
}
