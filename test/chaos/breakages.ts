import { createHash } from 'node:crypto';
import type { LicenseTokens, TokenInfo } from '../../src/rotation/ports.js';
import { Invariant, recordFields, text } from './violations.js';
import type { Breakage, RotatorParts } from './world.js';

/** A broken rotator and the invariant the chaos suite must catch it breaking. */
export interface BrokenRotator {
  readonly breakage: Breakage;
  /** The invariants the bug breaks: the run must report at least one violation of one of them. */
  readonly breaks: readonly Invariant[];
}

/**
 * A working token deleted: caught as held by a parameter when it is the stored one, or by a host
 * when its parameter had just moved on (the host has not picked up the successor yet).
 */
const DELETES_WORKING_TOKEN = [Invariant.NoDeleteWhileHeld, Invariant.NoHostCutOff] as const;

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

/** What a record asks a token to be: the fields an ownership proof compares. */
type Claim = Pick<TokenInfo, 'licenseArn' | 'roleArns' | 'tokenProperties'>;

const claimOf = (description: string | undefined): Claim | undefined => {
  const { licenseArn, roleArns, tokenProperties } = recordFields(description);
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
  const license = text(licenseArn);
  return license === undefined
    ? undefined
    : {
        licenseArn: license,
        roleArns: strings(roleArns),
        tokenProperties: strings(tokenProperties),
      };
};

/**
 * The parts with ListTokens' word taken for the status of a token but not for whose it is: every
 * token listed is reported as minted for the record the rotator read last (its license, roles
 * and properties), so any proof before a delete passes. The rest is the real adapter.
 */
const withoutOwnershipCheck = (parts: RotatorParts): RotatorParts => {
  let claim: Claim | undefined;
  return {
    ...parts,
    store: {
      pages: (path) => parts.store.pages(path),
      describe: async (name) => {
        const summary = await parts.store.describe(name);
        claim = claimOf(summary?.description);
        return summary;
      },
      putToken: (write) => parts.store.putToken(write),
    },
    tokens: {
      createToken: (...args) => parts.tokens.createToken(...args),
      verifyToken: (...args) => parts.tokens.verifyToken(...args),
      deleteToken: (...args) => parts.tokens.deleteToken(...args),
      describeTokens: async (ids, region) => {
        const listed = await parts.tokens.describeTokens(ids, region);
        return new Map([...listed].map(([id, info]) => [id, { ...info, ...claim }]));
      },
      licenseTokens: (...args) => parts.tokens.licenseTokens(...args),
    },
  };
};

/**
 * Bugs a future change could plausibly introduce, each injected through the rotator's own seams
 * (its LicenseTokens, ParameterStore and logger), the rest of it real.
 */
export const BROKEN_ROTATORS: readonly BrokenRotator[] = [
  {
    breaks: [Invariant.OneTokenPerGeneration],
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
    breaks: [Invariant.OneTokenPerGeneration],
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
    breaks: [Invariant.NoSecretLeaks],
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
    breaks: DELETES_WORKING_TOKEN,
    breakage: {
      name: 'unproven-delete',
      description:
        'deletes the token a record names as previous without proving it its own (what ListTokens says of its owner is never compared), deployed without TRUSTED_SENDER_IDS (the scanner never asks to delete a token no record of its license names: only another sender can)',
      wrap: (parts) => withoutOwnershipCheck(parts),
      trustsEverySender: true,
    },
  },
  {
    breaks: DELETES_WORKING_TOKEN,
    breakage: {
      name: 'trusts-every-sender',
      description:
        "is deployed without TRUSTED_SENDER_IDS: a hostile sender's revocation for a record naming another parameter's token (its license, roles and properties copied, which no proof can tell apart) deletes that token",
      wrap: (parts) => parts,
      trustsEverySender: true,
    },
  },
  {
    breaks: [Invariant.Scope],
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
