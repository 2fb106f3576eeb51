import { describe, expect, it } from 'vitest';
import {
  type HostFacts,
  type PreviousToken,
  pickupSurprises,
} from '../../../tools/local/pickup.js';

const HOST = '/license-tokens/globex/analytics';

const host = (overrides: Partial<HostFacts> = {}): HostFacts => ({
  agent: { code: 0, stdout: 'refreshed …\n', stderr: '' },
  fileHoldsCurrent: true,
  pickedUp: true,
  ...overrides,
});

const previous = (name: string, overrides: Partial<PreviousToken> = {}): PreviousToken => ({
  name,
  tokenId: `id-${name}`,
  status: 'AVAILABLE',
  revokedBecause: undefined,
  ...overrides,
});

/** The host's old token revoked after its pickup, another kept: how the demo must end. */
const asExpected = (): PreviousToken[] => [
  previous(HOST, { status: 'DELETED', revokedBecause: 'picked-up' }),
  previous('/license-tokens/acme/eu/prod'),
];

describe("the pickup half of the demo's verdict", () => {
  it('finds nothing wrong when the host picked up and only its old token went', () => {
    expect(pickupSurprises(host(), asExpected(), HOST)).toEqual([]);
  });

  it.each([
    [
      'the agent failed',
      host({ agent: { code: 3, stdout: '', stderr: 'refused' } }),
      asExpected(),
      "the host's agent exited 3",
    ],
    [
      'the file kept the old token',
      host({ fileHoldsCurrent: false }),
      asExpected(),
      "the host's token file does not hold the new token",
    ],
    [
      'no pickup was recorded',
      host({ pickedUp: false }),
      asExpected(),
      "the exchange recorded no pickup of the host's new token",
    ],
    [
      "the host's old token is still there",
      host(),
      [previous(HOST), previous('/license-tokens/acme/eu/prod')],
      "the host's old token was not revoked after the pickup",
    ],
    [
      "the host's old token went for another reason",
      host(),
      [
        previous(HOST, { status: 'DELETED', revokedBecause: 'grace-period-ended' }),
        previous('/license-tokens/acme/eu/prod'),
      ],
      "the host's old token was not revoked after the pickup",
    ],
    [
      'an old token nobody picked up went',
      host(),
      [
        ...asExpected(),
        previous('/license-tokens/initech/tps', {
          status: 'DELETED',
          revokedBecause: 'grace-period-ended',
        }),
      ],
      '1 old token(s) gone although no host picked up their replacement',
    ],
  ])('says so when %s', (_, facts, tokens, surprise) => {
    expect(pickupSurprises(facts, tokens, HOST)).toEqual([surprise]);
  });
});
