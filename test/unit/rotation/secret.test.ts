import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/rotation/secret.js';
import { fakeToken } from '../../helpers/secrets.js';

describe('Secret', () => {
  it('introduces itself to util.inspect and console.log as a redacted Secret', () => {
    const secret = new Secret(fakeToken());
    expect(inspect(secret)).toBe('Secret([REDACTED])');
    expect(inspect({ token: secret })).toBe('{ token: Secret([REDACTED]) }');
  });
});
