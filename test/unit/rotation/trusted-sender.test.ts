import { describe, expect, it } from 'vitest';
import { isTrustedSender } from '../../../src/rotation/trusted-sender.js';

describe('isTrustedSender', () => {
  it('trusts a listed user id, and a listed role id in any session', () => {
    const trusted = ['AROASCANNER', 'AIDAUSER'];
    expect(isTrustedSender('AROASCANNER:license-token-rotator-scanner', trusted)).toBe(true);
    expect(isTrustedSender('AIDAUSER', trusted)).toBe(true);
  });

  it('trusts no one else: another id, one that only starts alike, or none at all', () => {
    const trusted = ['AROASCANNER'];
    expect(isTrustedSender('AROAOPERATOR:alice', trusted)).toBe(false);
    expect(isTrustedSender('AROASCANNERX:session', trusted)).toBe(false);
    expect(isTrustedSender(undefined, trusted)).toBe(false);
  });

  it('trusts everyone when there is no list', () => {
    expect(isTrustedSender(undefined, undefined)).toBe(true);
  });
});
