import crypto from 'node:crypto';
import { AppError } from '@cloudship/shared';
import { CrewTokenSigner } from '../../server/src/auth/crew-tokens';

const signer = new CrewTokenSigner(crypto.randomBytes(32));
const claims = { i: 'inspection-1', l: 'link-1', e: Date.now() + 60_000 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
}

test('a signed token verifies and returns its claims', () => {
  expect(signer.verify(signer.sign(claims))).toEqual(claims);
});

test('a token signed with another secret is UNAUTHENTICATED', () => {
  const other = new CrewTokenSigner(crypto.randomBytes(32));
  expect(codeOf(() => signer.verify(other.sign(claims)))).toBe('UNAUTHENTICATED');
});

test('changing any claim breaks the signature', () => {
  const [, sig] = signer.sign(claims).split('.');
  for (const changed of [
    { ...claims, i: 'inspection-2' },
    { ...claims, l: 'link-2' },
    { ...claims, e: claims.e + 1 },
  ]) {
    const payload = Buffer.from(JSON.stringify(changed)).toString('base64url');
    expect(codeOf(() => signer.verify(`${payload}.${sig}`))).toBe('UNAUTHENTICATED');
  }
});

test('malformed tokens are UNAUTHENTICATED, never a crash', () => {
  for (const t of ['', '.', 'a.b.c', 'x'.repeat(5000), '{}.{}', signer.sign(claims) + '.extra']) {
    expect(codeOf(() => signer.verify(t))).toBe('UNAUTHENTICATED');
  }
  expect(codeOf(() => signer.verify(undefined as unknown as string))).toBe('UNAUTHENTICATED');
});

test('a signed payload with the wrong shape is UNAUTHENTICATED', () => {
  const bad = signer.sign({ i: 1, l: 'x' } as unknown as typeof claims);
  expect(codeOf(() => signer.verify(bad))).toBe('UNAUTHENTICATED');
});

test('a token past its expiry is LINK_EXPIRED', () => {
  const token = signer.sign(claims);
  expect(codeOf(() => signer.verify(token, claims.e - 1))).toBe('OK');
  expect(codeOf(() => signer.verify(token, claims.e))).toBe('LINK_EXPIRED');
});

test('a short secret is refused', () => {
  expect(() => new CrewTokenSigner(Buffer.alloc(8))).toThrow(TypeError);
});
