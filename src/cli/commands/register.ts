import { UsageError } from '../../errors.js';
import { isRevocationPolicy, RevocationPolicy } from '../../rotation/record.js';
import { type Registered, register } from '../../rotation/register.js';
import { revocationResult, shortTime } from '../format.js';
import { type Invocation, parameterName, stackKmsKey } from '../invocation.js';
import { ExitCode } from '../io.js';

/** A new token's lifetime when the operator names none: a year, as CreateToken's own default. */
export const DEFAULT_EXPIRATION_DAYS = 365;

/** Help for `register`. */
export const registerHelp = `Usage: license-token-rotator register NAME --license-arn ARN [options]

Onboards a token: mints the first one with CreateToken, verifies it with
GetAccessToken, and writes the parameter (SecureString) with its rotation record.
A re-run after a failure replays the same ClientToken, so it never mints a second
token. NAME is a full parameter name or one relative to the token path.

Options:
  --license-arn ARN          the license the token is for (required)
  --role-arn ARN             a role the token may assume (repeatable)
  --token-property P         a token property, at most 3 (repeatable)
  --expiration-days N        token lifetime in days (default ${DEFAULT_EXPIRATION_DAYS})
  --renew-before-days N      renew this many days before expiry (default: the
                             RENEW_BEFORE_DAYS setting, else a third of the lifetime)
  --home-region REGION       the license's home region (default: the client's; a
                             redirect from License Manager corrects it)
  --kms-key-id KEY           the stack's KMS key for the SecureString (required
                             unless KMS_KEY_ID is set: the stack output KmsKeyId);
                             no default: pass alias/aws/ssm only if you mean it
  --revocation POLICY        when a superseded token is deleted: after-pickup (once
                             a host picked up its replacement through the exchange),
                             after-grace (after REVOKE_PREVIOUS_AFTER_HOURS) or
                             never; default: the stack's REVOCATION_POLICY
  --no-verify                skip the GetAccessToken check
  --force                    replace the token of an existing parameter: the
                             replaced token becomes the previous one, and the token
                             the old record named as previous is deleted (once
                             ListTokens shows it is of this license)
  --json                     one JSON document instead of text

Refused (exit 2, nothing minted): a license or role outside LICENSE_ARNS / ROLE_ARNS
when those are set, since the rotator would refuse to rotate the token.`;

/** The values `register` reads from the command line. */
export interface RegisterOptions {
  readonly 'license-arn'?: string | undefined;
  readonly 'role-arn'?: string[] | undefined;
  readonly 'token-property'?: string[] | undefined;
  readonly 'expiration-days'?: string | undefined;
  readonly 'renew-before-days'?: string | undefined;
  readonly 'home-region'?: string | undefined;
  readonly 'kms-key-id'?: string | undefined;
  readonly revocation?: string | undefined;
  readonly 'no-verify'?: boolean | undefined;
  readonly force?: boolean | undefined;
}

const number = (option: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new UsageError(`--${option} must be a number, got "${value}"`);
  return parsed;
};

const revocationPolicy = (value: string | undefined): RevocationPolicy | undefined => {
  if (value === undefined || isRevocationPolicy(value)) return value;
  const policies = Object.values(RevocationPolicy).join(', ');
  throw new UsageError(`--revocation must be one of ${policies}, got "${value}"`);
};

/** The registration as text: what was written, then what became of the tokens it replaced. */
function registeredText(registered: Registered): string {
  const lines = [
    `Registered ${registered.name} (version ${registered.version}): token ${registered.tokenId}` +
      `${registered.verified ? ' (verified)' : ''}, expires ${shortTime(registered.expiresAt)} UTC, ` +
      `renews from ${shortTime(registered.renewAt)} UTC.`,
  ];
  if (registered.replacedTokenId !== undefined) {
    lines.push(
      `The replaced token ${registered.replacedTokenId} is now the previous one: deleted when the revocation policy says.`,
    );
  }
  const { pushedOut } = registered;
  if (pushedOut !== undefined) {
    lines.push(
      `Pushed out of the record: the older token ${pushedOut.tokenId}, ${revocationResult(pushedOut.result)}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Registers a parameter and mints its first token. */
export async function registerCommand(
  invocation: Invocation,
  name: string | undefined,
  options: RegisterOptions,
): Promise<ExitCode> {
  if (name === undefined) throw new UsageError('register needs a parameter NAME');
  const licenseArn = options['license-arn'];
  if (licenseArn === undefined) throw new UsageError('register needs --license-arn');
  const { config, io } = invocation;
  const renewBeforeDays = number('renew-before-days', options['renew-before-days']);
  const revocation = revocationPolicy(options.revocation);
  const kmsKeyId = stackKmsKey(invocation, options['kms-key-id'], 'register');
  // The record names the region the token is minted in (a redirect corrects it): a scanner in
  // another region then lists the license's tokens where they are, not where there are none.
  const homeRegion = options['home-region'] ?? invocation.region;
  const registered = await register(
    {
      name: parameterName(name, config.tokenPath),
      licenseArn,
      roleArns: options['role-arn'] ?? [],
      tokenProperties: options['token-property'] ?? [],
      expirationInDays:
        number('expiration-days', options['expiration-days']) ?? DEFAULT_EXPIRATION_DAYS,
      ...(renewBeforeDays === undefined ? {} : { renewBeforeDays }),
      ...(homeRegion === undefined ? {} : { homeRegion }),
      ...(revocation === undefined ? {} : { revocation }),
      v: 1,
      force: options.force === true,
    },
    { store: invocation.store(), tokens: invocation.tokens(), clock: io.clock },
    {
      ...config,
      kmsKeyId,
      verifyNewTokens: options['no-verify'] === true ? false : config.verifyNewTokens,
      // Unset, the operator's lists are `*`: the operator's own IAM permissions are the bound.
      allowLists: { licenseArns: config.licenseArns, roleArns: config.roleArns },
    },
  );
  io.stdout.write(
    invocation.json ? `${JSON.stringify(registered, null, 2)}\n` : registeredText(registered),
  );
  return ExitCode.Ok;
}
