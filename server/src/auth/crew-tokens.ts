// Crew link tokens: `<payload>.<signature>`, both base64url. The payload names the inspection, the
// link row (so a link can be revoked) and the expiry; the signature is HMAC-SHA256 with the server
// secret. Verifying the signature needs no database; revocation and the inspection's state are
// checked against the database by the caller (InspectionService.resolveCrewToken).
import crypto from 'node:crypto';
import { AppError } from '@cloudship/shared';

export interface CrewTokenClaims {
  /** inspection id */
  i: string;
  /** crew link id */
  l: string;
  /** expiry, ms since epoch */
  e: number;
}

export class CrewTokenSigner {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new TypeError('crew token secret must be at least 32 bytes');
  }

  sign(claims: CrewTokenClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** Throws UNAUTHENTICATED for anything forged or malformed, LINK_EXPIRED after the expiry. */
  verify(token: string, now = Date.now()): CrewTokenClaims {
    const forged = new AppError('UNAUTHENTICATED', 'This inspection link is not valid.');
    if (typeof token !== 'string' || token.length > 1024) throw forged;
    const [payload, signature, ...rest] = token.split('.');
    if (!payload || !signature || rest.length) throw forged;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) throw forged;
    let claims: CrewTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CrewTokenClaims;
    } catch {
      throw forged;
    }
    if (typeof claims?.i !== 'string' || typeof claims.l !== 'string' || typeof claims.e !== 'number') throw forged;
    if (claims.e <= now) throw new AppError('LINK_EXPIRED', 'This inspection link has expired. Ask the surveyor for a new one.');
    return claims;
  }

  private mac(payload: string): string {
    return crypto.createHmac('sha256', this.secret).update(`crew-link.v1.${payload}`).digest('base64url');
  }
}
