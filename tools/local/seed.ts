import { CreateTokenCommand, type LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULT_EXPIRATION_DAYS } from '../../src/cli/commands/register.js';
import { tokenDates } from '../../src/rotation/mint.js';
import { type RotationRecord, serialiseRecord } from '../../src/rotation/record.js';
import { DAY_MS } from '../../src/time.js';
import type { Sandbox } from '../sandbox/sandbox.js';

/** One managed token to seed: a parameter under the token path holding a real sandbox token. */
export interface TokenSeed {
  readonly name: string;
  readonly licenseArn: string;
  /** Days since the token was issued (0: just now). */
  readonly ageDays: number;
  readonly expirationInDays?: number;
  readonly renewBeforeDays?: number;
  readonly roleArns?: readonly string[];
  readonly tokenProperties?: readonly string[];
  readonly homeRegion?: string;
}

/** The role a seeded token may assume, unless the seed names its own: the hosts' role. */
export const CONSUMER_ROLE_ARN = 'arn:aws:iam::123456789012:role/LicenseConsumer';

/** Clients the seeding uses: the same SDK calls a user would make. */
export interface SeedClients {
  readonly ssm: SSMClient;
  readonly licenseManager: LicenseManagerClient;
}

/** What seeding one token created. */
export interface SeededToken {
  readonly name: string;
  readonly tokenId: string;
  readonly version: number;
}

/**
 * Registers a token as the CLI's `register` would, back-dated: the sandbox's clock goes back
 * `ageDays`, CreateToken mints a real token, PutParameter stores it with a valid record, and the
 * clock comes back to where it was.
 */
export async function seedToken(
  sandbox: Sandbox,
  clients: SeedClients,
  seed: TokenSeed,
): Promise<SeededToken> {
  const back = seed.ageDays * DAY_MS;
  sandbox.clock.advance(-back);
  try {
    const expirationInDays = seed.expirationInDays ?? DEFAULT_EXPIRATION_DAYS;
    const roleArns = [...(seed.roleArns ?? [CONSUMER_ROLE_ARN])];
    const tokenProperties = [...(seed.tokenProperties ?? [])];
    const requestedAt = sandbox.clock.nowMs();
    const minted = await clients.licenseManager.send(
      new CreateTokenCommand({
        LicenseArn: seed.licenseArn,
        RoleArns: roleArns,
        TokenProperties: tokenProperties,
        ExpirationInDays: expirationInDays,
        ClientToken: `seed-${seed.name.replaceAll('/', '-')}-${requestedAt}`,
      }),
    );
    const record: RotationRecord = {
      v: 1,
      licenseArn: seed.licenseArn,
      roleArns,
      tokenProperties,
      expirationInDays,
      ...(seed.renewBeforeDays === undefined ? {} : { renewBeforeDays: seed.renewBeforeDays }),
      ...(seed.homeRegion === undefined ? {} : { homeRegion: seed.homeRegion }),
      tokenId: minted.TokenId ?? '',
      // Dated as the rotator dates a token, so the record never promises more than it has.
      ...tokenDates(new Date(requestedAt), expirationInDays),
    };
    const put = await clients.ssm.send(
      new PutParameterCommand({
        Name: seed.name,
        Type: 'SecureString',
        Value: minted.Token,
        Description: serialiseRecord(record),
      }),
    );
    return { name: seed.name, tokenId: record.tokenId, version: put.Version ?? 0 };
  } finally {
    sandbox.clock.advance(back);
  }
}
