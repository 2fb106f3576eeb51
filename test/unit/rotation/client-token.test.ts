import { describe, expect, it } from 'vitest';
import { clientTokenFor } from '../../../src/rotation/client-token.js';

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
