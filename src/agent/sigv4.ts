/**
 * AWS Signature Version 4, written against node:crypto so the agent needs no SDK. The pieces are
 * exported one by one because the local function URL (tools/local/function-url.ts) verifies
 * requests with the same canonical form the agent signs them with.
 */
import { createHash, createHmac } from 'node:crypto';

/** The one SigV4 algorithm there is for HMAC signing. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** Credentials to sign with: long-term keys, or a session's (with its token). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Everything a signature covers, as a signer and a verifier can both build it. */
export interface CanonicalParts {
  readonly method: string;
  /** The path as sent on the wire, still percent-encoded. */
  readonly path: string;
  /** The query string as sent on the wire, without the `?`. */
  readonly query: string;
  /** Header values by lower-case name; every signed header must be there. */
  readonly headers: Readonly<Record<string, string>>;
  /** The lower-case names of the signed headers. */
  readonly signedHeaders: readonly string[];
  /** Hex SHA-256 of the body. */
  readonly payloadHash: string;
}

/** Hex SHA-256 of a text or bytes. */
export const sha256Hex = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest();

/** RFC 3986 percent-encoding, as SigV4 wants it: encodeURIComponent also leaves !'()* alone. */
export const uriEscape = (text: string): string =>
  encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** The path without `.` and `..` segments, encoded once more, as every service but S3 signs it. */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return uriEscape(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

/** The query's pairs, each side encoded, sorted by name and then by value. */
function canonicalQuery(query: string): string {
  const pairs = [...new URLSearchParams(query)].map(([name, value]) => [
    uriEscape(name),
    uriEscape(value),
  ]);
  pairs.sort(([a = '', x = ''], [b = '', y = '']) =>
    a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
  );
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** The canonical request: method, path, query, signed headers and payload hash, one per line. */
export function canonicalRequest(parts: CanonicalParts): string {
  const names = [...parts.signedHeaders].sort();
  const headerLines = names
    .map((name) => `${name}:${(parts.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [
    parts.method,
    canonicalPath(parts.path),
    canonicalQuery(parts.query),
    headerLines,
    names.join(';'),
    parts.payloadHash,
  ].join('\n');
}

/** The scope a signature is bound to: `DATE/REGION/SERVICE/aws4_request`. */
export const credentialScope = (date: string, region: string, service: string): string =>
  `${date}/${region}/${service}/aws4_request`;

/** The string to sign: algorithm, timestamp, scope and the canonical request's hash. */
export const stringToSign = (amzDate: string, scope: string, canonical: string): string =>
  [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');

/** The signing key: the secret HMAC-chained through date, region, service and `aws4_request`. */
export const signingKey = (secret: string, date: string, region: string, service: string): Buffer =>
  hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');

/** The hex signature of a canonical request, signed at `amzDate` for a region and service. */
export function signatureOf(
  secret: string,
  amzDate: string,
  scope: { readonly region: string; readonly service: string },
  canonical: string,
): string {
  const date = amzDate.slice(0, 8);
  const key = signingKey(secret, date, scope.region, scope.service);
  const text = stringToSign(amzDate, credentialScope(date, scope.region, scope.service), canonical);
  return createHmac('sha256', key).update(text).digest('hex');
}

/** A moment as X-Amz-Date writes it: `20150830T123600Z`. */
export const amzDate = (moment: Date): string =>
  moment
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

/** A request to sign; header names in lower case. */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The request's headers, signed: host, x-amz-date, x-amz-content-sha256, x-amz-security-token
 * (with session credentials) and authorization added, and every header it carries signed.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  scope: { readonly region: string; readonly service: string },
  now: Date,
): Record<string, string> {
  const signedAt = amzDate(now);
  const payloadHash = sha256Hex(request.body);
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.url.host,
    'x-amz-date': signedAt,
    'x-amz-content-sha256': payloadHash,
    ...(credentials.sessionToken === undefined
      ? {}
      : { 'x-amz-security-token': credentials.sessionToken }),
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: request.method,
    path: request.url.pathname,
    query: request.url.search.slice(1),
    headers,
    signedHeaders,
    payloadHash,
  });
  const signature = signatureOf(credentials.secretAccessKey, signedAt, scope, canonical);
  const credential = `${credentials.accessKeyId}/${credentialScope(signedAt.slice(0, 8), scope.region, scope.service)}`;
  return {
    ...headers,
    authorization: `${SIGV4_ALGORITHM} Credential=${credential}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}
