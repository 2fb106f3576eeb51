import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from '../../../../tools/sandbox/license-manager/jwt.js';

describe('the sandbox JWTs', () => {
  const key = randomBytes(32);

  it('verify with the key that signed them', () => {
    const token = signJwt({ aud: 'license', amr: ['a'] }, key);
    expect(verifyJwt(token, key)).toEqual({ claims: { aud: 'license', amr: ['a'] } });
  });

  it('fail with another key, a changed payload, or a shape that is not a JWT', () => {
    const token = signJwt({ aud: 'license' }, key);
    expect(verifyJwt(token, randomBytes(32))).toEqual({ problem: 'bad-signature' });
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${Buffer.from('{"aud":"other"}').toString('base64url')}.${signature}`;
    expect(verifyJwt(tampered, key)).toEqual({ problem: 'bad-signature' });
    expect(verifyJwt('a.b', key)).toEqual({ problem: 'malformed' });
    expect(verifyJwt('e30.e30.x', key)).toEqual({ problem: 'malformed' });
  });
});
