// RFC 3161 time-stamp tokens: the request the TSA client sends, the response it reads, and the
// check a verifier makes. ASN.1 and CMS are left to pkijs/asn1js (the PKI.js project), which also
// verifies the token's CMS signature with WebCrypto; no DER is parsed by hand here.
//
// What a token proves: the TSA, holding the certificate in the token, saw this SHA-256 at genTime.
// Whether that TSA is one to trust is the reader's decision, so the verdict names its subject and
// the certificate's SHA-256 for them to compare; the chain to a root is not walked here.
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { TimestampCheck } from '@cloudship/shared';

// PKI.js looks for WebCrypto on `self` unless told; Node's is the same API.
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';
const TIME_STAMPING_EKU = '1.3.6.1.5.5.7.3.8';

// A copy: a Node Buffer is often a view into a larger pool, whose .buffer holds other bytes too.
const toArrayBuffer = (u: Uint8Array): ArrayBuffer => new Uint8Array(u).buffer;
const hexToBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** DER TimeStampReq for a SHA-256 imprint, asking for the TSA's certificate in the token. */
export function buildTimestampRequest(imprintSha256: string): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(hexToBytes(imprintSha256)) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(new Uint8Array([0x01, ...randomBytes(8)])) }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

export class TimestampError extends Error {
  override name = 'TimestampError';
}

/** The token (DER ContentInfo) out of a TimeStampResp, or a TimestampError saying why there is none. */
export function tokenFromResponse(der: Uint8Array): Uint8Array {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1) throw new TimestampError('the TSA response is not DER');
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema: asn.result });
  } catch (err) {
    throw new TimestampError(`the TSA response is not a TimeStampResp: ${(err as Error).message}`, { cause: err });
  }
  const status = resp.status.status;
  // Granted, or granted with modifications; anything else is a refusal with a reason.
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw new TimestampError(`the TSA refused the request (status ${status}${text ? `: ${text}` : ''})`);
  }
  if (!resp.timeStampToken) throw new TimestampError('the TSA granted the request but sent no token');
  return new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
}

/** Rule 4 of the verifier: the imprint matches and the CMS signature verifies under the token's certificate. */
export async function verifyTimestampToken(token: Uint8Array, imprintSha256: string, data: Uint8Array): Promise<TimestampCheck> {
  const asn = asn1js.fromBER(toArrayBuffer(token));
  if (asn.offset === -1) return { ok: false, reason: 'the token is not DER' };
  let signed: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    const content = new pkijs.ContentInfo({ schema: asn.result });
    if (content.contentType !== pkijs.ContentInfo.SIGNED_DATA) return { ok: false, reason: 'the token is not CMS SignedData' };
    signed = new pkijs.SignedData({ schema: content.content });
    if (signed.encapContentInfo.eContentType !== TST_INFO_OID) return { ok: false, reason: 'the token does not hold a TSTInfo' };
    const eContent = signed.encapContentInfo.eContent;
    if (!eContent) return { ok: false, reason: 'the token has no TSTInfo content' };
    info = new pkijs.TSTInfo({ schema: asn1js.fromBER(eContent.getValue()).result });
  } catch (err) {
    return { ok: false, reason: `the token cannot be read: ${(err as Error).message}` };
  }
  const genTime = info.genTime.toISOString();
  const imprint = info.messageImprint;
  const hashed = Buffer.from(imprint.hashedMessage.valueBlock.valueHexView).toString('hex');
  if (imprint.hashAlgorithm.algorithmId !== SHA256_OID)
    return { ok: false, genTime, reason: `the imprint is not SHA-256 (${imprint.hashAlgorithm.algorithmId})` };
  if (hashed !== imprintSha256)
    return { ok: false, genTime, reason: "the token is for other bytes: its imprint is not the checkpoint's SHA-256" };

  const certs = (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  if (certs.length === 0) return { ok: false, genTime, reason: 'the token carries no certificate to verify it with' };
  let result: pkijs.SignedDataVerifyResult;
  try {
    // PKI.js checks the imprint once more against `data` and the signed attributes' digest.
    result = await signed.verify({ signer: 0, data: toArrayBuffer(data), checkChain: false, extendedMode: true });
  } catch (err) {
    const e = err as { message?: string; signerCertificate?: pkijs.Certificate | null };
    return { ok: false, genTime, reason: `the token's signature does not verify: ${e.message ?? String(err)}` };
  }
  const cert = result.signerCertificate;
  if (!result.signatureVerified || !cert) return { ok: false, genTime, reason: "the token's signature does not verify" };
  const signer = describeCertificate(cert);
  if (!hasTimeStampingUsage(cert)) return { ok: false, genTime, signer, reason: 'the signing certificate is not for time-stamping' };
  return { ok: true, genTime, signer };
}

function describeCertificate(cert: pkijs.Certificate): string {
  const cn = cert.subject.typesAndValues.map((tv) => `${tv.type === '2.5.4.3' ? 'CN' : tv.type}=${String(tv.value.valueBlock.value)}`);
  const fingerprint = createHash('sha256')
    .update(new Uint8Array(cert.toSchema().toBER(false)))
    .digest('hex');
  return `${cn.join(', ')} (certificate SHA-256 ${fingerprint})`;
}

/** RFC 3161 §2.3: the TSA's certificate carries the critical extendedKeyUsage id-kp-timeStamping. */
function hasTimeStampingUsage(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.37');
  const usage = ext?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return !!usage?.keyPurposes.includes(TIME_STAMPING_EKU);
}
