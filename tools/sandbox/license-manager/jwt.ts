import { createHmac, timingSafeEqual } from 'node:crypto';

/** The claims of a token the sandbox mints. */
export interface Claims {
  readonly [claim: string]: unknown;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs claims as an HS256 JWT. */
export function signJwt(claims: Claims, key: Buffer): string {
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

/** Why a token does not verify. */
export type JwtProblem = 'malformed' | 'bad-signature';

/** Verifies an HS256 JWT signed with `key`; returns its claims or what is wrong with it. */
export function verifyJwt(
  token: string,
  key: Buffer,
): { claims: Claims } | { problem: JwtProblem } {
  const parts = token.split('.');
  if (parts.length !== 3) return { problem: 'malformed' };
  const [header = '', payload = '', signature = ''] = parts;
  let claims: unknown;
  try {
    const parsedHeader: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    if ((parsedHeader as { alg?: unknown } | null)?.alg !== 'HS256')
      return { problem: 'malformed' };
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { problem: 'malformed' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    return { problem: 'malformed' };
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { problem: 'bad-signature' };
  }
  return { claims: claims as Claims };
}
