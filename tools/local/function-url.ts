/**
 * A Lambda function URL with AuthType AWS_IAM, on this machine: it checks each request's SigV4
 * signature (service `lambda`) against the credentials the sandbox's STS issued, answers AWS's 403
 * without running the function when anything is wrong, and otherwise calls the handler with the
 * event a function URL delivers (payload version 2.0) and turns its result into the HTTP answer.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import {
  canonicalRequest,
  SIGV4_ALGORITHM,
  sha256Hex,
  signatureOf,
} from '../../src/agent/sigv4.js';
import { MINUTE_MS } from '../../src/time.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { credentialScope } from '../sandbox/signature.js';
import { assumedRoleArn, roleId } from '../sandbox/sts/assume-role-with-web-identity.js';
import type { IssuedCredentials } from '../sandbox/sts/service.js';
import { lambdaContext } from './lambda-context.js';

/** Lambda's limit on a synchronous invocation's request payload. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** How far a request's X-Amz-Date may be from AWS's clock (the sandbox's) before it is refused. */
const MAX_SKEW_MS = 5 * MINUTE_MS;
/** Content types a function URL passes as text; any other body arrives base64-encoded. */
const TEXT_TYPES =
  /^(text\/|application\/(json|javascript|xml|yaml|x-www-form-urlencoded)\b|application\/[\w.-]+\+(json|xml)\b)/;

/** Why a request was refused before the function ran. */
export const Rejection = {
  /** No Authorization header (or a presigned query, which this emulator does not take). */
  Unsigned: 'unsigned',
  /** An Authorization header that is not AWS4-HMAC-SHA256 with Credential, SignedHeaders, Signature. */
  Malformed: 'malformed',
  /** Signed for another service or region. */
  Scope: 'scope',
  /** X-Amz-Date missing, malformed, or another day than the scope's. */
  Date: 'date',
  /** X-Amz-Date more than five minutes from the signing clock (the sandbox's, unless told). */
  ClockSkew: 'clock-skew',
  /** host, x-amz-date or x-amz-security-token sent but not signed. */
  UnsignedHeader: 'unsigned-header',
  /** An access key the sandbox's STS never issued. */
  UnknownKey: 'unknown-key',
  /** The session token missing or not the one issued with the key. */
  SessionToken: 'session-token',
  /** Credentials past their expiry on the sandbox clock. */
  Expired: 'expired',
  /** x-amz-content-sha256 is not the body's hash. */
  BodyHash: 'body-hash',
  /** The signature does not match. */
  Signature: 'signature',
  /** A role the function URL's policy does not allow to invoke it. */
  Role: 'role',
} as const;

/** One of the Rejection values. */
export type Rejection = (typeof Rejection)[keyof typeof Rejection];

/** The IAM caller a function URL with AWS_IAM auth puts in requestContext.authorizer. */
export interface IamCaller {
  readonly accessKey: string;
  readonly accountId: string;
  readonly callerId: string;
  readonly cognitoIdentity: null;
  readonly principalOrgId: string | null;
  readonly userArn: string;
  readonly userId: string;
}

/** The event a function URL with AWS_IAM auth delivers: payload 2.0 with the IAM caller. */
export type FunctionUrlEvent = APIGatewayProxyEventV2 & {
  readonly requestContext: APIGatewayProxyEventV2['requestContext'] & {
    readonly authorizer: { readonly iam: IamCaller };
  };
};

/** The function behind the URL: the exchange, or a test's stand-in for it. */
export type FunctionUrlHandler = (
  event: FunctionUrlEvent,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

/** How to run a local function URL. */
export interface FunctionUrlOptions {
  /** The sandbox whose STS issued the callers' credentials, and whose clock stands for AWS's. */
  readonly sandbox: Pick<Sandbox, 'sts' | 'clock' | 'accountId'>;
  readonly handler: FunctionUrlHandler;
  /** The function's region: requests must be signed for it (default us-east-1). */
  readonly region?: string;
  /** The function's name in the handler's context (default license-token-rotator-exchange). */
  readonly functionName?: string;
  /** The roles allowed to invoke (the URL's resource policy); default: any role STS issued for. */
  readonly allowedRoles?: readonly string[];
  /**
   * The clock a request's X-Amz-Date must be within five minutes of, in epoch milliseconds
   * (default: the sandbox's). Hosts in other processes sign with this machine's clock, which does
   * not follow the sandbox's when it is moved: `npm start -- --serve` holds them to the one they
   * can read, as AWS holds a host to a clock that agrees with its own.
   */
  readonly signingClock?: () => number;
}

/** A request the URL answered: the status, and why it was refused when it was. */
export interface FunctionUrlRequest {
  readonly status: number;
  readonly rejection?: Rejection;
}

/** The parts of an AWS4-HMAC-SHA256 Authorization header. */
interface Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

type Verdict =
  | { readonly ok: true; readonly caller: IssuedCredentials }
  | { readonly ok: false; readonly rejection: Rejection };

const refuse = (rejection: Rejection): Verdict => ({ ok: false, rejection });

/** The Authorization header's parts, or undefined when it is not a SigV4 header. */
function parseAuthorization(header: string): Authorization | undefined {
  if (!header.startsWith(`${SIGV4_ALGORITHM} `)) return undefined;
  const scope = credentialScope(header);
  const signedHeaders = /SignedHeaders=([a-z0-9;-]+)/.exec(header)?.[1];
  const signature = /Signature=([0-9a-f]{64})\b/.exec(header)?.[1];
  if (scope === undefined || signedHeaders === undefined || signature === undefined) return;
  return { ...scope, signedHeaders: signedHeaders.split(';'), signature };
}

/** Node's headers as one string each (repeated ones joined with a comma, as AWS joins them). */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return flat;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** X-Amz-Date (`20150830T123600Z`) as epoch milliseconds, or NaN. */
const amzDateMs = (value: string): number =>
  AMZ_DATE.test(value) ? Date.parse(value.replace(AMZ_DATE, '$1-$2-$3T$4:$5:$6Z')) : Number.NaN;

/** Two hex signatures compared in constant time. */
const sameSignature = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `12/Mar/2020:19:03:58 +0000`, as requestContext.time reads. */
function requestTime(moment: Date): string {
  const [, day, month, year, time] = moment.toUTCString().replace(',', '').split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
}

/** The answer's parts from whatever the function returned, as a function URL reads it. */
function answerOf(result: APIGatewayProxyResultV2): {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
} {
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'string' ? { statusCode: 200, body: result } : result;
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  if (structured.cookies !== undefined && structured.cookies.length > 0) {
    headers['set-cookie'] = structured.cookies;
  }
  const text = structured.body ?? '';
  const body = structured.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text);
  return { status: structured.statusCode ?? 200, headers, body };
}

/** A local function URL; start it with `startFunctionUrl`. */
export class LocalFunctionUrl {
  readonly #options: FunctionUrlOptions;
  readonly #region: string;
  readonly #functionName: string;
  readonly #urlId = randomUUID().replaceAll('-', '');
  readonly #server: Server;
  readonly #requests: FunctionUrlRequest[] = [];
  readonly #invocations: FunctionUrlEvent[] = [];
  #port = 0;

  constructor(options: FunctionUrlOptions) {
    this.#options = options;
    this.#region = options.region ?? 'us-east-1';
    this.#functionName = options.functionName ?? 'license-token-rotator-exchange';
    this.#server = createServer((request, response) => {
      void this.#serve(request, response);
    });
  }

  /** The URL to call, e.g. `http://127.0.0.1:4567/`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** The region requests must be signed for. */
  get region(): string {
    return this.#region;
  }

  /** Every request answered so far, oldest first. */
  requests(): readonly FunctionUrlRequest[] {
    return [...this.#requests];
  }

  /** Every event the handler was called with, oldest first. */
  invocations(): readonly FunctionUrlEvent[] {
    return [...this.#invocations];
  }

  /** Starts listening on 127.0.0.1; resolves once the port is bound. */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Checks the signature, then the caller: the order AWS's answers suggest. */
  #verify(request: IncomingMessage, url: URL, body: Buffer): Verdict {
    const headers = flatHeaders(request.headers);
    if (headers.authorization === undefined) return refuse(Rejection.Unsigned);
    const auth = parseAuthorization(headers.authorization);
    if (auth === undefined) return refuse(Rejection.Malformed);
    if (auth.service !== 'lambda' || auth.region !== this.#region) return refuse(Rejection.Scope);
    const signedAt = headers['x-amz-date'] ?? '';
    const signedMs = amzDateMs(signedAt);
    if (Number.isNaN(signedMs) || signedAt.slice(0, 8) !== auth.date) return refuse(Rejection.Date);
    const { clock, sts } = this.#options.sandbox;
    const signingNow = this.#options.signingClock?.() ?? clock.nowMs();
    if (Math.abs(signedMs - signingNow) > MAX_SKEW_MS) return refuse(Rejection.ClockSkew);
    const mustSign = ['host', 'x-amz-date', 'x-amz-security-token'].filter((h) => h in headers);
    if (mustSign.some((h) => !auth.signedHeaders.includes(h))) {
      return refuse(Rejection.UnsignedHeader);
    }
    const issued = sts.credentials(auth.accessKeyId);
    if (issued === undefined) return refuse(Rejection.UnknownKey);
    if (headers['x-amz-security-token'] !== issued.sessionToken) {
      return refuse(Rejection.SessionToken);
    }
    if (issued.expiresAt.getTime() <= clock.nowMs()) return refuse(Rejection.Expired);
    const payloadHash = sha256Hex(body);
    const claimed = headers['x-amz-content-sha256'];
    if (claimed !== undefined && claimed !== payloadHash) return refuse(Rejection.BodyHash);
    const canonical = canonicalRequest({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      headers,
      signedHeaders: auth.signedHeaders,
      payloadHash,
    });
    const expected = signatureOf(issued.secretAccessKey, signedAt, auth, canonical);
    if (!sameSignature(expected, auth.signature)) return refuse(Rejection.Signature);
    const { allowedRoles } = this.#options;
    if (allowedRoles !== undefined && !allowedRoles.includes(issued.roleArn)) {
      return refuse(Rejection.Role);
    }
    const caller = sts.issued().find((credentials) => credentials.accessKeyId === auth.accessKeyId);
    return caller === undefined ? refuse(Rejection.UnknownKey) : { ok: true, caller };
  }

  /** The event a function URL delivers for a request from a verified caller. */
  #event(
    request: IncomingMessage,
    url: URL,
    body: Buffer,
    caller: IssuedCredentials,
  ): FunctionUrlEvent {
    const { cookie, ...headers } = flatHeaders(request.headers);
    const now = this.#options.sandbox.clock.now();
    const userId = `${roleId(caller.roleArn)}:${caller.roleSessionName}`;
    const textual = TEXT_TYPES.test(headers['content-type'] ?? '');
    const query = url.search === '' ? undefined : Object.fromEntries(url.searchParams);
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      ...(cookie === undefined ? {} : { cookies: cookie.split(/;\s*/) }),
      headers,
      ...(query === undefined ? {} : { queryStringParameters: query }),
      requestContext: {
        accountId: this.#options.sandbox.accountId,
        apiId: this.#urlId,
        authorizer: {
          iam: {
            accessKey: caller.accessKeyId,
            accountId: caller.roleArn.split(':')[4] ?? '',
            callerId: userId,
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: assumedRoleArn(caller.roleArn, caller.roleSessionName),
            userId,
          },
        },
        domainName: `${this.#urlId}.lambda-url.${this.#region}.on.aws`,
        domainPrefix: this.#urlId,
        http: {
          method: request.method ?? 'GET',
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: requestTime(now),
        timeEpoch: now.getTime(),
      },
      ...(body.length === 0 ? {} : { body: body.toString(textual ? 'utf8' : 'base64') }),
      isBase64Encoded: body.length > 0 && !textual,
    };
  }

  /** Reads the body, verifies, calls the handler, answers; every request is recorded. */
  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === undefined) {
      this.#answer(response, 413, { Message: 'Request must be smaller than 6291456 bytes' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://function-url');
    const verdict = this.#verify(request, url, body);
    if (!verdict.ok) {
      this.#answer(response, 403, { Message: 'Forbidden' }, verdict.rejection);
      return;
    }
    const event = this.#event(request, url, body, verdict.caller);
    this.#invocations.push(event);
    let answer: ReturnType<typeof answerOf>;
    try {
      answer = answerOf(await this.#options.handler(event, lambdaContext(this.#functionName)));
    } catch {
      // A function that throws, or returns nothing a function URL can read: Lambda's 502.
      this.#answer(response, 502, { Message: 'Internal Server Error' });
      return;
    }
    response.writeHead(answer.status, {
      ...answer.headers,
      'x-amzn-RequestId': event.requestContext.requestId,
    });
    response.end(answer.body);
    this.#requests.push({ status: answer.status });
  }

  /** Answers with a JSON error body, as AWS answers before (or instead of) the function. */
  #answer(response: ServerResponse, status: number, body: object, rejection?: Rejection): void {
    response.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      ...(status === 403 ? { 'x-amzn-ErrorType': 'AccessDeniedException' } : {}),
    });
    response.end(JSON.stringify(body));
    this.#requests.push(rejection === undefined ? { status } : { status, rejection });
  }
}

/** The request body, or undefined when it is over Lambda's limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Starts a local function URL on a free port of 127.0.0.1. */
export function startFunctionUrl(options: FunctionUrlOptions): Promise<LocalFunctionUrl> {
  return new LocalFunctionUrl(options).listen();
}
