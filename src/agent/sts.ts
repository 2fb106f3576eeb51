import { RefusedError, TransientError, UsageError } from './errors.js';
import { type HttpReply, post } from './http.js';
import type { AwsCredentials } from './sigv4.js';
import { parseXml, textAt, type XmlElement, XmlError } from './xml.js';

/** STS's API version, which every awsQuery request names. */
const VERSION = '2011-06-15';
/** Error codes that mean "later", not "no" (an access token expired on arrival is a clock skew). */
const RETRYABLE = new Set(['Throttling', 'IDPCommunicationError', 'ExpiredTokenException']);
/** Error codes that mean the command line is wrong, not the token. */
const MISCONFIGURED = new Set(['AccessDenied', 'ValidationError', 'RegionDisabledException']);

/** Role credentials from STS, with the moment they stop working. */
export interface SessionCredentials extends AwsCredentials {
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** What AssumeRoleWithWebIdentity needs. */
export interface AssumeRoleRequest {
  readonly endpoint: URL;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly webIdentityToken: string;
  /** Seconds the session lasts; STS's default (an hour) when undefined. */
  readonly durationSeconds?: number;
  readonly signal?: AbortSignal;
}

/** The XML of an answer, or undefined when the body is not XML (a proxy's HTML page). */
function xmlOf(body: string): XmlElement | undefined {
  try {
    return parseXml(body);
  } catch (error) {
    if (error instanceof XmlError) return undefined;
    throw error;
  }
}

/** The failure an STS error answer means. */
function failure(reply: HttpReply): Error {
  const xml = xmlOf(reply.body);
  const code = (xml && textAt(xml, 'Error', 'Code')) ?? `HTTP ${reply.status}`;
  const message = xml && textAt(xml, 'Error', 'Message');
  const said = `AssumeRoleWithWebIdentity failed (${code})${message === undefined ? '' : `: ${message}`}`;
  if (reply.status >= 500 || RETRYABLE.has(code)) return new TransientError(said);
  if (MISCONFIGURED.has(code)) {
    return new UsageError(`${said}: check --role-arn names a role the token allows`);
  }
  return new RefusedError(`STS refused the token's access token: ${said}`);
}

/** The credentials of a successful answer; a TransientError when any field is missing. */
function credentialsOf(body: string): SessionCredentials {
  const xml = xmlOf(body);
  const path = ['AssumeRoleWithWebIdentityResult', 'Credentials'];
  const field = (name: string): string | undefined => xml && textAt(xml, ...path, name);
  const [accessKeyId, secretAccessKey, sessionToken, expires] = [
    'AccessKeyId',
    'SecretAccessKey',
    'SessionToken',
    'Expiration',
  ].map(field);
  const expiration = new Date(expires ?? '');
  if (
    xml?.name !== 'AssumeRoleWithWebIdentityResponse' ||
    accessKeyId === undefined ||
    secretAccessKey === undefined ||
    sessionToken === undefined ||
    Number.isNaN(expiration.getTime())
  ) {
    throw new TransientError('AssumeRoleWithWebIdentity answered 200 without credentials');
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/**
 * STS's AssumeRoleWithWebIdentity over awsQuery, unsigned: the web identity token is the
 * credential. The answer's XML is read for the four fields of the credentials.
 */
export async function assumeRoleWithWebIdentity(
  request: AssumeRoleRequest,
): Promise<SessionCredentials> {
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: VERSION,
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    WebIdentityToken: request.webIdentityToken,
    ...(request.durationSeconds === undefined
      ? {}
      : { DurationSeconds: String(request.durationSeconds) }),
  });
  const reply = await post({
    url: request.endpoint,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
    label: 'AssumeRoleWithWebIdentity',
    signal: request.signal,
  });
  if (reply.status !== 200) throw failure(reply);
  return credentialsOf(reply.body);
}
