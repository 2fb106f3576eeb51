import { isObject, parseTimestamp } from '../validate.js';
import { RefusedError, TransientError, UsageError } from './errors.js';
import { type HttpReply, jsonOf, post } from './http.js';
import { type AwsCredentials, signRequest } from './sigv4.js';

/** The exchange's one refusal body, whatever the reason (the contract never says which check failed). */
export const REFUSAL = { message: 'refused' } as const;

/** What the exchange answers a host it serves. */
export interface ExchangeReply {
  readonly parameterName: string;
  readonly version: number;
  readonly tokenId: string;
  readonly expiresAt: Date;
  /** The parameter's current refresh token: a secret. */
  readonly token: string;
}

/** Where the exchange is and how to sign for it. */
export interface ExchangeTarget {
  readonly parameter: string;
  readonly url: URL;
  /** The function's region, which the signature's scope names. */
  readonly region: string;
}

/** One call: present a token, signed with credentials that token yielded. */
export interface ExchangeCall {
  readonly target: ExchangeTarget;
  readonly token: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
  readonly signal?: AbortSignal;
}

/** True for the exchange's own refusal, as opposed to AWS's 403 before the function ran. */
const isRefusal = (body: string): boolean => {
  const parsed = jsonOf(body);
  return isObject(parsed) && Object.keys(parsed).length === 1 && parsed.message === REFUSAL.message;
};

/** A 200 answer, checked field by field; anything else is the exchange's fault: retry later. */
export function parseExchangeReply(body: string, parameter: string): ExchangeReply {
  const reply = jsonOf(body);
  const bad = (why: string): TransientError =>
    new TransientError(`the exchange answered 200 with an unusable body (${why})`);
  if (!isObject(reply)) throw bad('not a JSON object');
  if (reply.v !== 1) throw bad('v is not 1');
  if (reply.parameterName !== parameter) throw bad('another parameter');
  const { version, tokenId, token } = reply;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw bad('version');
  }
  if (typeof tokenId !== 'string' || tokenId === '') throw bad('tokenId');
  const expiresAt = parseTimestamp(reply.expiresAt);
  if (expiresAt === undefined) throw bad('expiresAt');
  if (typeof token !== 'string' || token === '' || /\s/.test(token)) throw bad('token');
  return { parameterName: parameter, version, tokenId, expiresAt, token };
}

/** What a non-200 answer means. */
function failure(reply: HttpReply, target: ExchangeTarget): Error {
  if (reply.status === 403 && isRefusal(reply.body)) {
    return new RefusedError(`the exchange refused the token for ${target.parameter}`);
  }
  if (reply.status === 403) {
    // AWS answered before the function ran: the signature, or the role's right to invoke.
    return new UsageError(
      `the function URL refused the signed request (403 ${reply.body.trim().slice(0, 200)}): check --exchange-url, that --role-arn may invoke it, and this host's clock`,
    );
  }
  return new TransientError(`the exchange answered HTTP ${reply.status}`);
}

/**
 * Presents a token to the exchange: `POST /` with `{"parameterName","token"}`, signed with SigV4
 * for the function URL (service `lambda`). Resolves with the parameter's current token.
 */
export async function callExchange(call: ExchangeCall): Promise<ExchangeReply> {
  const { target } = call;
  const body = JSON.stringify({ parameterName: target.parameter, token: call.token });
  const headers = signRequest(
    { method: 'POST', url: target.url, headers: { 'content-type': 'application/json' }, body },
    call.credentials,
    { region: target.region, service: 'lambda' },
    call.now,
  );
  const reply = await post({
    url: target.url,
    headers,
    body,
    label: 'the exchange call',
    signal: call.signal,
  });
  if (reply.status !== 200) throw failure(reply, target);
  return parseExchangeReply(reply.body, target.parameter);
}
