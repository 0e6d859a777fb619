// What a staged file is, and whether the object store holds exactly that: SHA-256 (what we keep),
// MD5 and the multipart ETag (what the store can confirm), computed in one read. Kept apart from
// the S3 client so that the upload queue's rules can be checked without loading the SDK.
import crypto from 'node:crypto';
import fs from 'node:fs';

/** Files above this go up as multipart uploads of PART_SIZE parts. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;

export interface LocalDigest {
  size: number;
  sha256: string;
  md5: string;
  /** The ETag S3 gives a multipart upload of this file with PART_SIZE parts. */
  multipartEtag: string | null;
}

/** What HeadObject tells of a stored object: size, ETag and our sha256 metadata. */
export interface StoredObject {
  size: number;
  etag: string;
  sha256: string | null;
}

/** SHA-256, MD5 and the multipart ETag of a file in one read. */
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
  const multipartEtag =
    size > MULTIPART_THRESHOLD ? `${crypto.createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}` : null;
  return { size, sha256: sha.digest('hex'), md5: md5.digest('hex'), multipartEtag };
}

/** Whether the stored object is byte-for-byte the local file (size, ETag as MD5, sha256 metadata). */
export function storeConfirms(stored: StoredObject, local: LocalDigest): boolean {
  const etagOk = stored.etag === local.md5 || (local.multipartEtag !== null && stored.etag === local.multipartEtag);
  return stored.size === local.size && etagOk && stored.sha256 === local.sha256;
}
