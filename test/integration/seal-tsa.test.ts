// RFC 3161 against a real TSA (openssl ts behind test/helpers/tsa-server.ts): the client's token
// verifies, the verifier refuses a token for other bytes or one whose signature was tampered with.
import { createHash } from 'node:crypto';
import { createTsaTimestamper } from '../../server/src/seal/tsa-client';
import { verifyTimestampToken } from '../../server/src/seal/timestamp-token';
import { startTsaServer, type TsaServer } from '../helpers/tsa-server';

let tsa: TsaServer;
beforeAll(async () => (tsa = await startTsaServer()));
afterAll(() => tsa?.close());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('a token from the TSA verifies for the checkpoint bytes and names its time and signer', async () => {
  const bytes = new TextEncoder().encode('{"count":3,"kind":"checkpoint"}');
  const before = Date.now();
  const stamp = await createTsaTimestamper({ tsaUrl: tsa.url })(bytes);
  expect(stamp.tsaUrl).toBe(tsa.url);
  const check = await verifyTimestampToken(Buffer.from(stamp.token, 'base64'), sha(bytes), bytes);
  expect(check).toMatchObject({ ok: true, signer: expect.stringMatching(/^CN=Test TSA \(certificate SHA-256 [0-9a-f]{64}\)$/) });
  // genTime has whole seconds (accuracy secs:1).
  expect(Date.parse(check.genTime!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(Date.parse(check.genTime!)).toBeLessThanOrEqual(Date.now());
});

test('a token is refused for other bytes, and when a byte of its signature changes', async () => {
  const bytes = new TextEncoder().encode('checkpoint A');
  const token = Buffer.from((await createTsaTimestamper({ tsaUrl: tsa.url })(bytes)).token, 'base64');
  const other = new TextEncoder().encode('checkpoint B');
  expect(await verifyTimestampToken(token, sha(other), other)).toMatchObject({
    ok: false,
    reason: "the token is for other bytes: its imprint is not the checkpoint's SHA-256",
  });
  // The RSA signature is the token's last 256 bytes (no unsigned attributes): flip one of them.
  const forged = Buffer.from(token);
  forged[forged.length - 10] = forged[forged.length - 10]! ^ 0x01;
  const check = await verifyTimestampToken(forged, sha(bytes), bytes);
  expect(check.ok).toBe(false);
  expect(check.reason).toMatch(/signature does not verify/);
  expect(await verifyTimestampToken(new Uint8Array([1, 2, 3]), sha(bytes), bytes)).toMatchObject({ ok: false });
});

test('a TSA that is down or unreachable is a clear error, not a token', async () => {
  tsa.mode = 'refuse';
  try {
    await expect(createTsaTimestamper({ tsaUrl: tsa.url })(new Uint8Array(1))).rejects.toThrow(/answered HTTP 500/);
  } finally {
    tsa.mode = 'ok';
  }
  await expect(createTsaTimestamper({ tsaUrl: 'http://127.0.0.1:1/tsa', timeoutMs: 2000 })(new Uint8Array(1))).rejects.toThrow(
    /cannot be reached/,
  );
  expect(() => createTsaTimestamper({ tsaUrl: 'ftp://x' })).toThrow(TypeError);
});
