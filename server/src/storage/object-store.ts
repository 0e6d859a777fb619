// The object store client (@aws-sdk/client-s3). One class for the embedded s3rver and any
// S3-compatible service: path-style addressing, and checksums only when an operation requires them
// (s3rver stores corrupted bytes for a streamed PutObject with the SDK's default checksums, and
// answers no checksum headers). Large files go up in parts through lib-storage.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Logger } from '../logging/logger';
import { MULTIPART_THRESHOLD, PART_SIZE, type LocalDigest, type StoredObject } from './file-digest';
import { assertSafeKey } from './object-keys';

const logger = new Logger('object-store');

export interface ObjectStoreOptions {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** S3_OBJECT_LOCK_DAYS: uploads get compliance-mode retention this long, where the bucket supports it. */
  objectLockDays?: number | null;
}

/**
 * Whether uploads are locked against change and deletion: 'off' (not asked for), 'active' (the
 * bucket has object lock enabled: each upload carries COMPLIANCE retention), 'unsupported' (asked
 * for, but the bucket or the service has none: uploads go on unlocked, and the admin is told why).
 */
export interface ObjectLockState {
  state: 'off' | 'active' | 'unsupported';
  days: number | null;
  reason?: string;
}

export class ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  private lock: ObjectLockState;

  constructor(options: ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.lock = { state: 'off', days: options.objectLockDays ?? null };
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

  get objectLock(): ObjectLockState {
    return { ...this.lock };
  }

  /**
   * With S3_OBJECT_LOCK_DAYS: asks the bucket whether object lock is enabled (it can only be turned
   * on when a bucket is created). Called at start-up, after ensureBucket(); says what it found.
   */
  async probeObjectLock(): Promise<ObjectLockState> {
    const days = this.lock.days;
    if (days === null) return this.objectLock;
    try {
      const r = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket }));
      this.lock =
        r.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled'
          ? { state: 'active', days }
          : { state: 'unsupported', days, reason: `object lock is not enabled on bucket ${this.bucket}` };
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'error';
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      this.lock = {
        state: 'unsupported',
        days,
        reason: `the store cannot report object lock (${name}${status ? `, HTTP ${status}` : ''})`,
      };
    }
    if (this.lock.state === 'active') logger.info('probeObjectLock() | uploads get COMPLIANCE retention', { bucket: this.bucket, days });
    else
      logger.warn('probeObjectLock() | S3_OBJECT_LOCK_DAYS is set but uploads stay unlocked', {
        bucket: this.bucket,
        reason: this.lock.reason,
      });
    return this.objectLock;
  }

  /** The retention headers of a new object while object lock is active. */
  private retention(): { ObjectLockMode?: 'COMPLIANCE'; ObjectLockRetainUntilDate?: Date; ChecksumAlgorithm?: 'SHA256' } {
    if (this.lock.state !== 'active' || this.lock.days === null) return {};
    // S3 asks for a checksum on a locked PUT: SHA-256, computed by the SDK.
    return {
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date(Date.now() + this.lock.days * 86_400_000),
      ChecksumAlgorithm: 'SHA256',
    };
  }

  /** Uploads a local file under `key` with its SHA-256 as metadata; multipart above the threshold. */
  async putFile(key: string, file: string, digest: LocalDigest, contentType: string): Promise<void> {
    assertSafeKey(key);
    const metadata = { sha256: digest.sha256 };
    const retention = this.retention();
    if (digest.size <= MULTIPART_THRESHOLD) {
      // A Buffer body (not a stream) gives the SDK a known length for the signature.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: await fs.promises.readFile(file),
          ContentType: contentType,
          Metadata: metadata,
          ...retention,
        }),
      );
      return;
    }
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: fs.createReadStream(file),
        ContentType: contentType,
        Metadata: metadata,
        ...retention,
      },
      partSize: PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async getBytes(key: string): Promise<Buffer> {
    assertSafeKey(key);
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  /**
   * What the store holds under `key`: size, ETag and our sha256 metadata, or null when absent.
   * The upload queue compares these with the local file before deleting it (storeConfirms).
   */
  async head(key: string): Promise<StoredObject | null> {
    assertSafeKey(key);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: r.ContentLength ?? -1, etag: (r.ETag ?? '').replace(/"/g, ''), sha256: r.Metadata?.sha256 ?? null };
    } catch (e) {
      if (
        e instanceof NotFound ||
        (e as { name?: string }).name === 'NotFound' ||
        (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      )
        return null;
      throw e;
    }
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
