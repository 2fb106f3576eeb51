import { isObject } from '../validate.js';
import { RefusedError, TransientError, UsageError } from './errors.js';
import { type HttpReply, jsonOf, post } from './http.js';

/** Error codes that mean "later", not "no". */
const RETRYABLE = new Set([
  'RateLimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServerInternalException',
]);

/** What GetAccessToken needs: where, the refresh token, and the properties to ask for. */
export interface AccessTokenRequest {
  readonly endpoint: URL;
  readonly token: string;
  readonly tokenProperties: readonly string[];
  readonly signal?: AbortSignal;
}

/** An AWS JSON error's code (`x-amzn-ErrorType`, else `__type`, without any namespace) and message. */
function jsonError(reply: HttpReply): { code: string; message: string; location?: string } {
  const body = jsonOf(reply.body);
  const fields = isObject(body) ? body : {};
  const header = reply.headers['x-amzn-errortype'];
  const raw = typeof header === 'string' ? header : String(fields.__type ?? '');
  const code = raw.split(':')[0]?.split('#').at(-1) || `HTTP ${reply.status}`;
  const message = fields.message ?? fields.Message;
  const location = reply.headers.location ?? fields.Location;
  return {
    code,
    message: typeof message === 'string' ? message : '',
    ...(typeof location === 'string' ? { location } : {}),
  };
}

/** The failure a GetAccessToken error means: retry later, fix --region, or a refused token. */
function failure(reply: HttpReply): Error {
  const { code, message, location } = jsonError(reply);
  const said = `GetAccessToken failed (${code})${message === '' ? '' : `: ${message}`}`;
  if (reply.status >= 500 || RETRYABLE.has(code)) return new TransientError(said);
  if (code === 'RedirectException') {
    return new UsageError(
      `${said}: the license's home region is ${location ?? 'another region'}; pass it as --region`,
    );
  }
  return new RefusedError(`License Manager refused the token: ${said}`);
}

/**
 * License Manager's GetAccessToken (JSON 1.1), sent without AWS credentials: the refresh token is
 * the credential. Returns the hour-long access token.
 */
export async function getAccessToken(request: AccessTokenRequest): Promise<string> {
  const body = JSON.stringify({
    Token: request.token,
    ...(request.tokenProperties.length > 0 ? { TokenProperties: request.tokenProperties } : {}),
  });
  const reply = await post({
    url: request.endpoint,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSLicenseManager.GetAccessToken',
    },
    body,
    label: 'GetAccessToken',
    signal: request.signal,
  });
  if (reply.status !== 200) throw failure(reply);
  const answer = jsonOf(reply.body);
  const accessToken = isObject(answer) ? answer.AccessToken : undefined;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TransientError('GetAccessToken answered 200 without an access token');
  }
  return accessToken;
}
