import { InvalidInputError, InvalidRecordError } from '../errors.js';
import { DAY_MS } from '../time.js';
import { type AllowLists, allowListProblem } from './allow-list.js';
import { registrationClientTokenFor } from './client-token.js';
import { assess, checkRotationPeriod, dueRuleOf, type RotationSettings } from './due.js';
import { mint, recordFor, storeMinted, type TokenSettings } from './mint.js';
import { nameProblem } from './parameter-name.js';
import type { LicenseTokens, ParameterStore, ParameterSummary, Revocation } from './ports.js';
import {
  assertRoomToRotate,
  parseRecord,
  type RotationRecord,
  serialiseRecord,
  validateRecord,
} from './record.js';
import { deleteProvenToken } from './revoke.js';

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
  /** The token `force` pushed out of the record (its previous one), and what became of it. */
  readonly pushedOut?: { readonly tokenId: string; readonly result: Revocation };
}

/** What registration checks and writes with. */
export interface RegisterOptions extends RotationSettings {
  readonly tokenPath: string;
  readonly kmsKeyId: string;
  readonly verifyNewTokens: boolean;
  /** The deploy's allow-lists, when known: a record outside them would never rotate. */
  readonly allowLists?: AllowLists | undefined;
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
function checkedSettings(
  registration: Registration,
  options: RegisterOptions,
  now: Date,
): TokenSettings {
  const { name: _name, force: _force, ...settings } = registration;
  // A record as registration will write it, dated at the epoch: checked now, before minting.
  const draft: RotationRecord = {
    ...settings,
    tokenId: 'draft',
    issuedAt: new Date(0).toISOString(),
    expiresAt: new Date(settings.expirationInDays * DAY_MS).toISOString(),
  };
  try {
    validateRecord(draft, now);
    checkRotationPeriod(draft, dueRuleOf(options));
    assertRoomToRotate(draft);
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    const option = OPTION_FOR[error.field] ?? error.field;
    throw new InvalidInputError(`${option}: ${error.message.slice(error.field.length + 2)}`);
  }
  const refused = options.allowLists && allowListProblem(draft, options.allowLists);
  if (refused) throw new InvalidInputError(`${refused}: the rotator would refuse to rotate it`);
  return settings;
}

/** The managed record a `--force` replaces, if the parameter holds one. */
function replacedRecord(
  existing: ParameterSummary | undefined,
  now: Date,
): RotationRecord | undefined {
  try {
    return existing && parseRecord(existing.description, now);
  } catch {
    // An unmanaged parameter being taken over has no token of ours to supersede.
    return undefined;
  }
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
  options: RegisterOptions,
): Promise<Registered> {
  const { name } = registration;
  const now = deps.clock();
  const problem = nameProblem(name, options.tokenPath);
  if (problem !== undefined) throw new InvalidInputError(`${name} ${problem}`);
  const settings = checkedSettings(registration, options, now);
  const existing = await deps.store.describe(name);
  if (existing !== undefined && !registration.force) {
    throw new InvalidInputError(
      `${name} already exists (version ${existing.version}); pass --force to replace its token`,
    );
  }
  const replaced = replacedRecord(existing, now);
  // The replaced token becomes the previous one (revoked after its grace period); the one the
  // old record named as previous drops out of the record, so it is deleted, proven first.
  const pushedOut = replaced?.previousTokenId;
  const result = pushedOut && (await deleteProvenToken(deps.tokens, pushedOut, replaced));
  const clientToken = registrationClientTokenFor(name, existing?.version ?? 0, settings);
  const minted = await mint(
    deps,
    settings,
    clientToken,
    options.verifyNewTokens,
    replaced?.tokenId,
  );
  const record = recordFor(settings, minted, replaced?.tokenId);
  const version = await storeMinted(
    deps,
    {
      name,
      description: serialiseRecord(record),
      kmsKeyId: options.kmsKeyId,
      overwrite: existing !== undefined,
    },
    minted,
  );
  return {
    name,
    version,
    tokenId: record.tokenId,
    expiresAt: record.expiresAt,
    renewAt: assess(record, now, dueRuleOf(options)).renewAt.toISOString(),
    verified: minted.verified,
    ...(replaced === undefined ? {} : { replacedTokenId: replaced.tokenId }),
    ...(pushedOut && result ? { pushedOut: { tokenId: pushedOut, result } } : {}),
  };
}
