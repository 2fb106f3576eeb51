import { createHash, timingSafeEqual } from 'node:crypto';
import { PermanentError, TransientError } from '../errors.js';
import { isObject } from '../validate.js';
import { nameProblem } from './parameter-name.js';
import type { LicenseTokens, ParameterStore, Pickups, TokenVault } from './ports.js';
import { parseRecord, type RotationRecord } from './record.js';
import { acceptsPrevious, type Pickup, type RevocationSettings } from './revocation-policy.js';
import { Secret } from './secret.js';

/** What a host sends the exchange: the parameter it reads, and the token it holds. */
export interface ExchangeRequest {
  readonly parameterName: string;
  readonly token: Secret;
}

/** Why the exchange refused; logged and counted, never told to the caller. */
export const RefusalReason = {
  BadRequest: 'bad-request',
  UnknownParameter: 'unknown-parameter',
  Unmanaged: 'unmanaged',
  NotCurrent: 'not-current-or-previous',
  Rejected: 'rejected-by-license-manager',
} as const;

/** One of the RefusalReason values. */
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

/** How one exchange ended. */
export type ExchangeOutcome =
  | {
      readonly kind: 'delivered';
      readonly parameterName: string;
      readonly version: number;
      readonly tokenId: string;
      readonly expiresAt: string;
      readonly token: Secret;
      /** Which token the host presented: it holds the current one, or picks it up now. */
      readonly presented: 'current' | 'previous';
      /** Set when this exchange recorded a pickup of the current token. */
      readonly pickedUp?: Pickup;
    }
  | { readonly kind: 'refused'; readonly why: RefusalReason };

/** What the exchange talks to. */
export interface ExchangeDeps {
  readonly store: ParameterStore;
  readonly vault: TokenVault;
  readonly tokens: Pick<LicenseTokens, 'verifyToken'>;
  readonly pickups: Pickups;
  readonly clock: () => Date;
}

/** The exchange's settings. */
export interface ExchangeOptions extends RevocationSettings {
  readonly tokenPath: string;
}

// CreateToken's and GetAccessToken's limit on a token, and their pattern.
const MAX_TOKEN_LENGTH = 4096;
const TOKEN_TEXT = /^\S+$/;

const refused = (why: RefusalReason): ExchangeOutcome => ({ kind: 'refused', why });

/** The request a body carries: exactly `parameterName` and `token`, both strings; else undefined. */
export function parseExchangeRequest(body: string, tokenPath: string): ExchangeRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(value) || Object.keys(value).sort().join() !== 'parameterName,token') return;
  const { parameterName, token } = value;
  if (typeof parameterName !== 'string' || nameProblem(parameterName, tokenPath)) return;
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_TEXT.test(token)) {
    return undefined;
  }
  return { parameterName, token: new Secret(token) };
}

/** Compares two tokens in time that does not depend on where they differ. */
export function sameToken(a: Secret, b: Secret): boolean {
  const digest = (secret: Secret) => createHash('sha256').update(secret.reveal()).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The value the parameter held when its record named `tokenId` as current, if still kept. */
async function valueHolding(
  vault: TokenVault,
  name: string,
  tokenId: string,
  now: Date,
): Promise<Secret | undefined> {
  let found: Secret | undefined;
  for await (const page of vault.history(name)) {
    for (const version of page) {
      let record: RotationRecord;
      try {
        record = parseRecord(version.description, now);
      } catch {
        continue;
      }
      // Oldest first: the last version that holds the token wins (a rewrite of the same token).
      if (record.tokenId === tokenId) found = version.token;
    }
  }
  return found;
}

/** Which of the parameter's tokens the host presented, compared by value. */
async function presentedWhich(
  request: ExchangeRequest,
  current: Secret,
  record: RotationRecord,
  deps: ExchangeDeps,
  options: ExchangeOptions,
): Promise<'current' | 'previous' | undefined> {
  if (sameToken(request.token, current)) return 'current';
  const now = deps.clock();
  const previousId = record.previousTokenId;
  if (previousId === undefined || !acceptsPrevious(record, now, options)) return undefined;
  const previous = await valueHolding(deps.vault, request.parameterName, previousId, now);
  return previous !== undefined && sameToken(request.token, previous) ? 'previous' : undefined;
}

/** Records a pickup of the current token, unless one is recorded already. */
async function recordPickup(
  deps: ExchangeDeps,
  name: string,
  record: RotationRecord,
): Promise<Pickup | undefined> {
  const existing = await deps.pickups.pickup(name);
  if (existing?.tokenId === record.tokenId) return undefined;
  const pickup = { tokenId: record.tokenId, at: deps.clock() };
  await deps.pickups.recordPickup(name, pickup);
  return pickup;
}

/**
 * The token exchange: a host that presents the parameter's current token, or its previous token
 * while the policy still accepts it, receives the current token. Compared by value against
 * Parameter Store (never by a claim inside the JWT, which AWS does not document), and checked
 * with License Manager (GetAccessToken) as well. A host that presents the current token proves
 * it holds it: that is recorded as a pickup, which revocation under `after-pickup` waits for.
 * Everything else is refused with one reason the caller never sees.
 */
export async function exchange(
  request: ExchangeRequest,
  deps: ExchangeDeps,
  options: ExchangeOptions,
): Promise<ExchangeOutcome> {
  const name = request.parameterName;
  const parameter = await deps.store.describe(name);
  if (parameter === undefined) return refused(RefusalReason.UnknownParameter);
  let record: RotationRecord;
  try {
    record = parseRecord(parameter.description, deps.clock());
  } catch {
    return refused(RefusalReason.Unmanaged);
  }
  const current = await deps.vault.current(name);
  if (current === undefined) return refused(RefusalReason.UnknownParameter);
  if (current.version !== parameter.version) {
    // A write between the two reads: the host asks again and finds the two in step.
    throw new TransientError('Exchange', 'VersionMoved', `${name} changed while it was read`);
  }
  const presented = await presentedWhich(request, current.token, record, deps, options);
  if (presented === undefined) return refused(RefusalReason.NotCurrent);
  try {
    await deps.tokens.verifyToken(request.token, record.tokenProperties, record);
  } catch (error) {
    if (error instanceof PermanentError && error.code === 'TokenRejected') {
      return refused(RefusalReason.Rejected);
    }
    throw error;
  }
  const pickedUp = presented === 'current' ? await recordPickup(deps, name, record) : undefined;
  return {
    kind: 'delivered',
    parameterName: name,
    version: parameter.version,
    tokenId: record.tokenId,
    expiresAt: record.expiresAt,
    token: current.token,
    presented,
    ...(pickedUp === undefined ? {} : { pickedUp }),
  };
}
