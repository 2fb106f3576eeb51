import { InvalidInputError, InvalidRecordError } from '../errors.js';
import { DAY_MS } from '../time.js';
import { registrationClientTokenFor } from './client-token.js';
import { assess } from './due.js';
import { mint, recordFor, type TokenSettings } from './mint.js';
import { nameProblem } from './parameter-name.js';
import type { LicenseTokens, ParameterStore } from './ports.js';
import {
  assertRoomToRotate,
  parseRecord,
  type RotationRecord,
  serialiseRecord,
  validateRecord,
} from './record.js';

/** What an operator asks to register. */
export interface Registration extends TokenSettings {
  readonly name: string;
  /** Replace the token of a parameter that already exists. */
  readonly force: boolean;
}

/** What a registration produced. */
export interface Registered {
  readonly name: string;
  readonly version: number;
  readonly tokenId: string;
  readonly expiresAt: string;
  readonly renewAt: string;
  readonly verified: boolean;
  /** The token this one replaced, when `force` replaced a managed parameter's token. */
  readonly replacedTokenId?: string;
}

// Field names in the record, as an operator typed them on the command line.
const OPTION_FOR: Readonly<Record<string, string>> = {
  licenseArn: '--license-arn',
  roleArns: '--role-arn',
  tokenProperties: '--token-property',
  expirationInDays: '--expiration-days',
  renewBeforeDays: '--renew-before-days',
  homeRegion: '--home-region',
  description: 'the record',
};

/** Checks the settings as a record would be checked, before anything is minted. */
function checkedSettings(registration: Registration): TokenSettings {
  const { name: _name, force: _force, ...settings } = registration;
  // A record as registration will write it, dated at the epoch: checked now, before minting.
  const draft: RotationRecord = {
    ...settings,
    tokenId: 'draft',
    issuedAt: new Date(0).toISOString(),
    expiresAt: new Date(settings.expirationInDays * DAY_MS).toISOString(),
  };
  try {
    validateRecord(draft);
    assertRoomToRotate(draft);
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    const option = OPTION_FOR[error.field] ?? error.field;
    throw new InvalidInputError(`${option}: ${error.message.slice(error.field.length + 2)}`);
  }
  return settings;
}

/**
 * Onboards a token: mints the first one (with a ClientToken derived from the request, so a
 * re-run after a failure replays it rather than minting a second), verifies it, and writes the
 * parameter with its record. Refuses an existing parameter unless `force`.
 */
export async function register(
  registration: Registration,
  deps: {
    readonly store: ParameterStore;
    readonly tokens: LicenseTokens;
    readonly clock: () => Date;
  },
  options: {
    readonly tokenPath: string;
    readonly kmsKeyId: string;
    readonly verifyNewTokens: boolean;
    readonly renewBeforeDays?: number | undefined;
  },
): Promise<Registered> {
  const { name } = registration;
  const problem = nameProblem(name, options.tokenPath);
  if (problem !== undefined) throw new InvalidInputError(`${name} ${problem}`);
  const settings = checkedSettings(registration);
  const existing = await deps.store.describe(name);
  if (existing !== undefined && !registration.force) {
    throw new InvalidInputError(
      `${name} already exists (version ${existing.version}); pass --force to replace its token`,
    );
  }
  let replacedTokenId: string | undefined;
  try {
    replacedTokenId = existing && parseRecord(existing.description).tokenId;
  } catch {
    // An unmanaged parameter being taken over has no token of ours to supersede.
  }
  const clientToken = registrationClientTokenFor(name, existing?.version ?? 0, settings);
  const minted = await mint(deps, settings, clientToken, options.verifyNewTokens);
  const record = recordFor(settings, minted, replacedTokenId);
  const version = await deps.store.putToken({
    name,
    token: minted.issued.token,
    description: serialiseRecord(record),
    kmsKeyId: options.kmsKeyId,
    overwrite: existing !== undefined,
  });
  return {
    name,
    version,
    tokenId: record.tokenId,
    expiresAt: record.expiresAt,
    renewAt: assess(record, deps.clock(), options.renewBeforeDays).renewAt.toISOString(),
    verified: minted.verified,
    ...(replacedTokenId === undefined ? {} : { replacedTokenId }),
  };
}
