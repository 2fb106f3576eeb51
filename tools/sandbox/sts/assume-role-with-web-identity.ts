import { createHash, randomBytes } from 'node:crypto';
import { AwsError, constraintMessage, memberPath } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { AccessTokenClaims } from '../license-manager/state.js';
import type { RequestContext } from '../service.js';
import type { IssuedCredentials, StsState } from './state.js';

/** The session lengths AssumeRoleWithWebIdentity allows, in seconds, and its default. */
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;
const DEFAULT_DURATION = 3600;
const SESSION_NAME = /^[\w+=,.@-]*$/;
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** STS's ValidationError for a member that breaks its constraint (a secret is shown as ***). */
const invalid = (member: string, value: string | null, constraint: string): AwsError =>
  new AwsError('ValidationError', constraintMessage(memberPath(member), value, constraint));

/** A string member within the model's lengths. */
function lengthChecked(input: Input, member: string, min: number, max: number, secret = false) {
  const value = input.string(member);
  const shown = secret ? '***' : value;
  if (value.length < min)
    throw invalid(member, shown, `Member must have length greater than or equal to ${min}`);
  if (value.length > max)
    throw invalid(member, shown, `Member must have length less than or equal to ${max}`);
  return value;
}

/** The request's members, checked as the model checks them. */
function readRequest(input: Input) {
  const roleArn = lengthChecked(input, 'RoleArn', 20, 2048);
  const sessionName = lengthChecked(input, 'RoleSessionName', 2, 64);
  if (!SESSION_NAME.test(sessionName)) {
    throw invalid(
      'RoleSessionName',
      sessionName,
      `Member must satisfy regular expression pattern: ${SESSION_NAME.source.slice(1, -1)}`,
    );
  }
  const token = lengthChecked(input, 'WebIdentityToken', 4, 20_000, true);
  const given = input.optString('DurationSeconds');
  const duration = given === undefined ? DEFAULT_DURATION : Number(given);
  const constraint = !Number.isInteger(duration)
    ? 'Member must be an integer'
    : duration < MIN_DURATION
      ? `Member must have value greater than or equal to ${MIN_DURATION}`
      : duration > MAX_DURATION
        ? `Member must have value less than or equal to ${MAX_DURATION}`
        : undefined;
  if (constraint !== undefined) throw invalid('DurationSeconds', given ?? null, constraint);
  return { roleArn, sessionName, token, duration };
}

/** The claims of an access token this sandbox's License Manager issued, or STS's refusal. */
function acceptedClaims(state: StsState, token: string): AccessTokenClaims {
  const checked = state.verifyAccessToken(token);
  if (checked.ok) return checked.claims;
  if (checked.reason === 'expired') {
    throw new AwsError(
      'ExpiredTokenException',
      `Token expired: current date/time ${Math.floor(state.clock.nowMs() / 1000)} must be before the expiration date/time${checked.expiresAt}`,
    );
  }
  throw new AwsError(
    'InvalidIdentityToken',
    checked.reason === 'not-access'
      ? 'The web identity token is not an access token: trade the refresh token with GetAccessToken first.'
      : "The web identity token is not one this sandbox's License Manager signed.",
  );
}

/** `length` characters of the access key alphabet (upper case and digits 2 to 7). */
const keyCharacters = (bytes: Buffer, length: number): string =>
  [...bytes.subarray(0, length)].map((byte) => KEY_ALPHABET[byte % 32]).join('');

/** A role's id, the same for every session of the role, as AWS keeps it: AROA and 17 characters. */
export const roleId = (roleArn: string): string =>
  `AROA${keyCharacters(createHash('sha256').update(roleArn).digest(), 17)}`;

/** Mints credentials for a session of a role. */
function issue(
  state: StsState,
  request: ReturnType<typeof readRequest>,
  licenseArn: string,
  context: RequestContext,
): IssuedCredentials {
  const now = state.clock.nowMs();
  return {
    accessKeyId: `ASIA${keyCharacters(Buffer.from(state.random.hex(32), 'hex'), 16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(192).toString('base64'),
    roleArn: request.roleArn,
    roleSessionName: request.sessionName,
    licenseArn,
    region: context.region,
    issuedAt: new Date(now),
    expiresAt: new Date(Math.floor(now / 1000 + request.duration) * 1000),
  };
}

/** The session's ARN: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
export function assumedRoleArn(roleArn: string, sessionName: string): string {
  const [, partition = 'aws', , , account = ''] = roleArn.split(':');
  const role = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return `arn:${partition}:sts::${account}:assumed-role/${role}/${sessionName}`;
}

/**
 * AssumeRoleWithWebIdentity, for License Manager access tokens only: it accepts a token the
 * sandbox's License Manager issued through GetAccessToken, unexpired, for a role the token names,
 * and keeps the credentials it issues so that a request signed with them can be checked.
 */
export function assumeRoleWithWebIdentity(
  state: StsState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const request = readRequest(input);
  const claims = acceptedClaims(state, request.token);
  if (!claims.roles.includes(request.roleArn)) {
    throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', {
      status: 403,
    });
  }
  const credentials = issue(state, request, claims.aud, context);
  state.keep(credentials);
  return {
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: credentials.expiresAt.toISOString().replace('.000Z', 'Z'),
    },
    SubjectFromWebIdentityToken: claims.sub,
    AssumedRoleUser: {
      Arn: assumedRoleArn(request.roleArn, request.sessionName),
      AssumedRoleId: `${roleId(request.roleArn)}:${request.sessionName}`,
    },
    Provider: claims.iss,
    Audience: claims.aud,
  };
}
