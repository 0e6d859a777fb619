// Short crew link codes: the `<code>` of `/j/<code>`, a link people can type, read out or send by
// SMS instead of the ~280-character signed token. A code is only a pointer: it names a crew_link
// row (inspection/), whose expiry, revocation and inspection are checked exactly as for the signed
// token it stands for (InspectionService.resolveCrewCode). Codes are opened only through a
// throttled route (CREW_LINK_THROTTLE_*), so guessing one is as slow as guessing a token is hopeless.
//
// 10 characters from 31 (digits 2-9 and lower-case letters without i, l, o: nothing that reads as
// another character) are 31^10 ≈ 8.2e14 codes, 49.5 bits, drawn with crypto.randomInt (uniform).
// Input is taken case-insensitively: phones capitalise the first letter of what is typed.
import crypto from 'node:crypto';

export const CREW_LINK_CODE_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const CREW_LINK_CODE_LENGTH = 10;

const CODE_PATTERN = new RegExp(`^[${CREW_LINK_CODE_ALPHABET}]{${CREW_LINK_CODE_LENGTH}}$`);

export function generateCrewLinkCode(): string {
  let code = '';
  for (let i = 0; i < CREW_LINK_CODE_LENGTH; i++) code += CREW_LINK_CODE_ALPHABET[crypto.randomInt(CREW_LINK_CODE_ALPHABET.length)];
  return code;
}

/** The code in its stored form (lower case), or null when `input` cannot be a code at all. */
export function normalizeCrewLinkCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input.trim().toLowerCase();
  return CODE_PATTERN.test(code) ? code : null;
}
