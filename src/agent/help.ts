/** The `--help` texts: the overview and each command's. */

const EXIT_CODES = `Exit codes:
  0  success: refreshed, unchanged, or credentials printed
  1  transient failure (network, 5xx, throttling): nothing changed, try again later
  2  usage error: bad options, or a token file that cannot be read
  3  refused: the token is revoked, expired or not this parameter's. Re-provision it: ask the
     vendor for a new token (on the vendor side: license-token-rotator show NAME --reveal) and
     write it to the token file
  4  the new token could not be written to the token file (disk, permissions)`;

const ENVIRONMENT = `Environment:
  AWS_REGION, AWS_DEFAULT_REGION     the region when --region is not given
  AWS_ENDPOINT_URL                   another endpoint for License Manager and STS
  AWS_ENDPOINT_URL_LICENSE_MANAGER   another endpoint for License Manager only
  AWS_ENDPOINT_URL_STS               another endpoint for STS only`;

const SOURCE_OPTIONS = `  --token-file PATH        the file that holds the refresh token
  --role-arn ARN           a role the token names: its credentials are what the token yields
  --region R               the license's home region, where the token is traded (default
                           AWS_REGION, then AWS_DEFAULT_REGION)
  --token-properties P,Q   token properties to ask GetAccessToken for (default: none)`;

const EXCHANGE_OPTIONS = `  --parameter NAME         the token's parameter at the vendor, e.g. /license-tokens/acme/prod
  --exchange-url URL       the exchange's function URL; the request is signed for the region in
                           its host name (…lambda-url.REGION.on.aws), else for --region
  --on-change "CMD"        after the file changed, run CMD with /bin/sh -c and LICENSE_TOKEN_FILE
                           set to the file (its output goes to stderr)`;

const HELP_OPTION = '  -h, --help               show this help';

/** The overview: `license-token-agent --help`. */
export const OVERVIEW_HELP = `Usage: license-token-agent <command> [options]

Keeps a License Manager refresh token file fresh from the vendor's token exchange, and turns the
token into AWS credentials for local software. Needs Node.js 20 or later and nothing else.

Commands:
  refresh       ask the exchange for the current token once; rewrite the file if it is newer
  run           refresh on an interval until SIGTERM or SIGINT (a systemd service)
  credentials   print AWS credentials from the token, in the credential_process format

Run license-token-agent <command> --help for a command's options.

${EXIT_CODES}

${ENVIRONMENT}`;

/** `license-token-agent refresh --help`. */
export const REFRESH_HELP = `Usage: license-token-agent refresh --token-file PATH --parameter NAME --exchange-url URL
         --role-arn ARN [--region R] [--token-properties P,Q] [--on-change "CMD"]

Reads the token file, trades the token for credentials (License Manager GetAccessToken, then STS
AssumeRoleWithWebIdentity) and presents it to the exchange. When the exchange holds a newer token,
writes it to the file atomically (mode 0600, owner kept), presents it again to confirm the pickup,
runs --on-change and prints one "refreshed" line; otherwise prints one "unchanged" line. Tokens
are shown as fingerprints (the first hex digits of their SHA-256), never in full.

Options:
${SOURCE_OPTIONS}
${EXCHANGE_OPTIONS}
${HELP_OPTION}

${EXIT_CODES}

${ENVIRONMENT}`;

/** `license-token-agent run --help`. */
export const RUN_HELP = `Usage: license-token-agent run --token-file PATH --parameter NAME --exchange-url URL
         --role-arn ARN [--interval 1h] [--jitter 10m] [refresh's other options]

Refreshes at once, then every --interval plus a random part of --jitter, printing refresh's line
each time, until SIGTERM or SIGINT (then exits 0). A transient failure is retried sooner, with
exponential back-off capped at the interval; a refusal is reported and retried at the interval,
and the token file is read again every time, so a re-provisioned token is picked up.

Options:
${SOURCE_OPTIONS}
${EXCHANGE_OPTIONS}
  --interval D             time between refreshes (default 1h); D is like 90s, 10m, 1h, 1h30m
  --jitter D               up to this much is added to each interval at random (default 10m)
${HELP_OPTION}

Exit codes: 0 when stopped by SIGTERM or SIGINT, 2 for bad options.

${ENVIRONMENT}`;

/** `license-token-agent credentials --help`. */
export const CREDENTIALS_HELP = `Usage: license-token-agent credentials --token-file PATH --role-arn ARN [--region R]
         [--token-properties P,Q]

Prints temporary AWS credentials for the role, obtained with the token, as credential_process
wants them: {"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":…}.
In ~/.aws/config:

  [profile licensed]
  credential_process = license-token-agent credentials --token-file /etc/acme/license.jwt --role-arn arn:aws:iam::111122223333:role/LicenseConsumer --region us-east-1

Options:
${SOURCE_OPTIONS}
${HELP_OPTION}

${EXIT_CODES}

${ENVIRONMENT}`;
