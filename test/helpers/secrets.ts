import { randomBytes } from 'node:crypto';

/** Every token value a test has minted; the setup file checks none of them was ever printed. */
export const mintedTokens = new Set<string>();

/**
 * An opaque fake token. Deliberately not JWT-shaped: the logger redacts JWTs, and a leak test
 * that the redactor silently satisfies would prove nothing about the code under test.
 */
export function fakeToken(): string {
  const token = `lmrt_${randomBytes(24).toString('hex')}`;
  mintedTokens.add(token);
  return token;
}

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-shaped fake token, for the redaction tests. */
export function fakeJwt(claims: Record<string, unknown> = {}): string {
  const token = [
    base64url({ alg: 'RS256', typ: 'JWT' }),
    base64url({
      iss: 'https://license-manager.amazonaws.com',
      jti: randomBytes(8).toString('hex'),
      ...claims,
    }),
    randomBytes(32).toString('base64url'),
  ].join('.');
  mintedTokens.add(token);
  return token;
}
