import { createHash } from 'node:crypto';
import type { LicenseTokens } from '../../src/rotation/ports.js';
import { Invariant } from './violations.js';
import type { Breakage, RotatorParts } from './world.js';

/** A broken rotator and the invariant the chaos suite must catch it breaking. */
export interface BrokenRotator {
  readonly breakage: Breakage;
  readonly breaks: Invariant;
}

/** The parts with CreateToken replaced; the other token calls go to the real adapter. */
const withCreateToken = (
  parts: RotatorParts,
  createToken: LicenseTokens['createToken'],
): RotatorParts => ({
  ...parts,
  tokens: {
    createToken,
    verifyToken: (...args) => parts.tokens.verifyToken(...args),
    deleteToken: (...args) => parts.tokens.deleteToken(...args),
    describeTokens: (...args) => parts.tokens.describeTokens(...args),
    licenseTokens: (...args) => parts.tokens.licenseTokens(...args),
  },
});

/**
 * Bugs a future change could plausibly introduce, each injected through the rotator's own seams
 * (its LicenseTokens, ParameterStore and logger), the rest of it real.
 */
export const BROKEN_ROTATORS: readonly BrokenRotator[] = [
  {
    breaks: Invariant.OneTokenPerGeneration,
    breakage: {
      name: 'clock-client-token',
      description: 'derives the ClientToken from the time instead of the parameter and its version',
      wrap: (parts, sandbox) =>
        withCreateToken(parts, (request) =>
          parts.tokens.createToken({ ...request, clientToken: `ltr1-${sandbox.clock.nowMs()}` }),
        ),
    },
  },
  {
    breaks: Invariant.OneTokenPerGeneration,
    breakage: {
      name: 'versionless-client-token',
      description: 'hashes what the record asks for into the ClientToken, but not the version',
      wrap: (parts) =>
        withCreateToken(parts, (request) =>
          parts.tokens.createToken({
            ...request,
            clientToken: `ltr1-${createHash('sha256')
              .update(JSON.stringify([request.licenseArn, request.tokenProperties]))
              .digest('hex')}`,
          }),
        ),
    },
  },
  {
    breaks: Invariant.NoSecretLeaks,
    breakage: {
      name: 'logs-the-token',
      description:
        'logs the new token "for debugging" (the logger redacts it: the check sees that)',
      wrap: (parts) =>
        withCreateToken(parts, async (request) => {
          const issued = await parts.tokens.createToken(request);
          parts.logger.info('Minted', { tokenId: issued.tokenId, token: issued.token.reveal() });
          return issued;
        }),
    },
  },
  {
    breaks: Invariant.Scope,
    breakage: {
      name: 'writes-a-backup',
      description: 'also writes each new token to a backup parameter outside the token path',
      wrap: (parts) => ({
        ...parts,
        store: {
          pages: (path) => parts.store.pages(path),
          describe: (name) => parts.store.describe(name),
          putToken: async (write) => {
            await parts.store.putToken({ ...write, name: `/backup${write.name}` });
            return parts.store.putToken(write);
          },
        },
      }),
    },
  },
];
