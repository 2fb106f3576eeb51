import { describe, expect, it } from 'vitest';
import { clientTokenFor, registrationClientTokenFor } from '../../../src/rotation/client-token.js';
import { LICENSE_ARN, ROLE_ARN } from '../../helpers/factories.js';

describe('clientTokenFor', () => {
  it('is the same for the same parameter and version', () => {
    expect(clientTokenFor('/license-tokens/a', 3)).toBe(clientTokenFor('/license-tokens/a', 3));
  });

  it('differs when the version changes', () => {
    expect(clientTokenFor('/license-tokens/a', 3)).not.toBe(clientTokenFor('/license-tokens/a', 4));
  });

  it('differs when the parameter changes', () => {
    expect(clientTokenFor('/license-tokens/a', 3)).not.toBe(clientTokenFor('/license-tokens/b', 3));
  });

  it('differs for the same name in another region or account (its ARN)', () => {
    const arn = (region: string, account: string) =>
      `arn:aws:ssm:${region}:${account}:parameter/license-tokens/a`;
    const here = clientTokenFor(arn('us-east-1', '123456789012'), 3);
    expect(here).not.toBe(clientTokenFor(arn('eu-west-1', '123456789012'), 3));
    expect(here).not.toBe(clientTokenFor(arn('us-east-1', '210987654321'), 3));
  });

  it('does not confuse a name ending in digits with a version (a1 v1 vs a v11)', () => {
    expect(clientTokenFor('/license-tokens/a1', 1)).not.toBe(
      clientTokenFor('/license-tokens/a', 11),
    );
  });

  it("fits CreateToken's ClientToken: at most 2048 characters, no whitespace", () => {
    const token = clientTokenFor(`/license-tokens/${'n'.repeat(990)}`, Number.MAX_SAFE_INTEGER);
    expect(token.length).toBeLessThanOrEqual(2048);
    expect(token).toMatch(/^\S+$/);
    expect(token).toMatch(/^ltr2-[0-9a-f]{64}$/);
  });
});

describe('registrationClientTokenFor', () => {
  const request = {
    licenseArn: LICENSE_ARN,
    roleArns: [ROLE_ARN],
    tokenProperties: ['customer:acme'],
    expirationInDays: 365,
  };

  it('has its own versioned prefix, so it can never equal a rotation ClientToken', () => {
    const token = registrationClientTokenFor('/license-tokens/a', 0, request);
    expect(token).toMatch(/^ltr2-reg-[0-9a-f]{64}$/);
    expect(token).toBe(registrationClientTokenFor('/license-tokens/a', 0, { ...request }));
  });

  it('differs with the starting version and with any setting of the request', () => {
    const tokens = new Set([
      registrationClientTokenFor('/license-tokens/a', 0, request),
      registrationClientTokenFor('/license-tokens/a', 1, request),
      registrationClientTokenFor('/license-tokens/a', 0, { ...request, expirationInDays: 90 }),
      registrationClientTokenFor('/license-tokens/a', 0, { ...request, tokenProperties: [] }),
    ]);
    expect(tokens.size).toBe(4);
  });
});
