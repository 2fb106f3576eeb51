import { hostname } from 'node:os';
import { getAccessToken } from './license-manager.js';
import { type AgentOutput, isoSeconds } from './output.js';
import { assumeRoleWithWebIdentity, type SessionCredentials } from './sts.js';

/** Where a token comes from and how it is turned into credentials: the options every command shares. */
export interface TokenSource {
  /** The token file, as an absolute path. */
  readonly tokenFile: string;
  readonly roleArn: string;
  /** The license's home region, where GetAccessToken is called. */
  readonly region: string;
  readonly tokenProperties: readonly string[];
  readonly licenseManager: URL;
  readonly sts: URL;
}

/** What every call needs besides its own inputs: the output to register secrets with, a stop. */
export interface CallContext {
  readonly output: AgentOutput;
  readonly signal?: AbortSignal;
}

/** STS's rule for a session name: 2 to 64 of letters, digits and `+=,.@_-`. */
const SESSION_NAME_LENGTH = 64;

/** The STS session name: the agent's name and this host's, so CloudTrail says which host it was. */
export function sessionName(host: string = hostname()): string {
  const cleaned = host.replace(/[^\w+=,.@-]/g, '-');
  return `license-token-agent-${cleaned}`.slice(0, SESSION_NAME_LENGTH);
}

/**
 * Role credentials from a refresh token: GetAccessToken, then AssumeRoleWithWebIdentity with the
 * access token. Both calls are unsigned; every secret they return is registered with the output.
 */
export async function credentialsFor(
  token: string,
  source: TokenSource,
  context: CallContext,
  durationSeconds?: number,
): Promise<SessionCredentials> {
  context.output.secret(token);
  const accessToken = await getAccessToken({
    endpoint: source.licenseManager,
    token,
    tokenProperties: source.tokenProperties,
    signal: context.signal,
  });
  context.output.secret(accessToken);
  const credentials = await assumeRoleWithWebIdentity({
    endpoint: source.sts,
    roleArn: source.roleArn,
    sessionName: sessionName(),
    webIdentityToken: accessToken,
    durationSeconds,
    signal: context.signal,
  });
  context.output.secret(credentials.secretAccessKey, credentials.sessionToken);
  return credentials;
}

/** Credentials in the form `credential_process` expects (Version 1), as one line of JSON. */
export function credentialProcessJson(credentials: SessionCredentials): string {
  return `${JSON.stringify({
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: isoSeconds(credentials.expiration),
  })}\n`;
}
