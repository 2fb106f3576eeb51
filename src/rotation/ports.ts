import type { Pickup } from './revocation-policy.js';
import type { Secret } from './secret.js';

/**
 * The ports the rotation logic talks to. The AWS adapters in src/aws implement them; tests and
 * the CLI can hand in anything of the same shape.
 */

/** A parameter's metadata as DescribeParameters returns it: never its value. */
export interface ParameterSummary {
  readonly name: string;
  /** The parameter's ARN (account, region, name), when the service gives it. */
  readonly arn?: string | undefined;
  readonly version: number;
  readonly description: string | undefined;
  readonly lastModified: Date | undefined;
}

/** What PutParameter needs to store a token and its record in one call. */
export interface TokenWrite {
  readonly name: string;
  readonly token: Secret;
  readonly description: string;
  readonly kmsKeyId: string;
  /** Replace an existing parameter (rotation) or refuse to (first registration). */
  readonly overwrite: boolean;
}

/** Token parameters in SSM Parameter Store. */
export interface ParameterStore {
  /** SecureString parameters under a path, recursively, a page at a time. */
  pages(path: string): AsyncIterable<readonly ParameterSummary[]>;
  /** One parameter's metadata, or undefined when it does not exist. */
  describe(name: string): Promise<ParameterSummary | undefined>;
  /** Writes the token as a Standard-tier SecureString with its record; returns the new version. */
  putToken(write: TokenWrite): Promise<number>;
}

/** Where the exchange records that a host holds a parameter's token (a tag on the parameter). */
export interface Pickups {
  /** The pickup last recorded on the parameter, if any. */
  pickup(name: string): Promise<Pickup | undefined>;
  /** Records that a host holds the parameter's token: no value is read or written. */
  recordPickup(name: string, pickup: Pickup): Promise<void>;
}

/** One version of a parameter with its value: only the exchange reads these. */
export interface StoredToken {
  readonly version: number;
  readonly token: Secret;
  /** The version's Description: its rotation record. */
  readonly description: string | undefined;
}

/** Token values in SSM Parameter Store, decrypted: the exchange's (and `show --reveal`'s) port. */
export interface TokenVault {
  /** The current version's value, or undefined when the parameter does not exist. */
  current(name: string): Promise<Omit<StoredToken, 'description'> | undefined>;
  /** Every version kept, with value and record, oldest first, a page at a time. */
  history(name: string): AsyncIterable<readonly StoredToken[]>;
}

/** What happened, for whoever subscribes: names, versions, token ids, never a token value. */
export interface RotationEvent {
  /** The EventBridge detail-type, e.g. `Token Rotated`. */
  readonly type: string;
  readonly detail: Readonly<Record<string, string | number | undefined>>;
}

/** Where rotation events go (an EventBridge bus). */
export interface EventPublisher {
  /** Publishes the events; throws when any of them was not accepted. */
  publish(events: readonly RotationEvent[]): Promise<void>;
}

/** One message for a FIFO queue. */
export interface QueueMessage {
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  /**
   * Text attributes, best effort: the queue makes each fit its own rules, and sends the body
   * without them when they leave it no room. The body is never changed.
   */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** An entry of a batch send that the queue refused. */
export interface FailedSend {
  /** Index of the entry in the batch that was sent. */
  readonly index: number;
  readonly code: string;
  /** True when the entry itself is at fault and a resend cannot succeed. */
  readonly senderFault: boolean;
}

/** A FIFO queue to send to. */
export interface MessageQueue {
  /** Sends up to 10 messages in one call; returns the entries that failed. */
  sendBatch(messages: readonly QueueMessage[]): Promise<readonly FailedSend[]>;
  /** Sends one message. */
  send(message: QueueMessage): Promise<void>;
}

/** Where a license's token calls go: its home region, when the record or a redirect told us. */
export interface LicenseLocation {
  readonly licenseArn: string;
  readonly homeRegion?: string;
}

/** What CreateToken needs; the fields come from the stored record, never from a job. */
export interface TokenRequest extends LicenseLocation {
  readonly roleArns: readonly string[];
  readonly tokenProperties: readonly string[];
  readonly expirationInDays: number;
  readonly clientToken: string;
}

/** A freshly minted refresh token. */
export interface IssuedToken {
  readonly tokenId: string;
  readonly token: Secret;
  /** The region that minted it, when a redirect showed it differs from the one asked. */
  readonly redirectedTo?: string;
}

/** How a DeleteToken ended; a token that was already gone counts as done. */
export type Revocation = 'revoked' | 'already-revoked';

/** A token as ListTokens describes it: who it is for, never its value. */
export interface TokenInfo {
  readonly tokenId: string;
  readonly licenseArn: string;
  /** `AVAILABLE`, or `DELETED` once revoked. */
  readonly status: string;
  readonly roleArns: readonly string[];
  readonly tokenProperties: readonly string[];
  readonly expiresAt: Date | undefined;
}

/** License Manager's token API, each call made in the license's home region. */
export interface LicenseTokens {
  /** CreateToken; replays the same token for the same ClientToken within its window. */
  createToken(request: TokenRequest): Promise<IssuedToken>;
  /**
   * GetAccessToken with the new token: resolves when License Manager accepts it, throws a
   * PermanentError (code TokenRejected) when it refuses it, a TransientError when it cannot say.
   */
  verifyToken(
    token: Secret,
    tokenProperties: readonly string[],
    where: LicenseLocation,
  ): Promise<void>;
  /** DeleteToken. Call it through `deleteProvenToken`, which checks the target first. */
  deleteToken(tokenId: string, where: LicenseLocation): Promise<Revocation>;
  /** ListTokens by id (at most 100), in a home region: the ones License Manager lists, by id. */
  describeTokens(
    tokenIds: readonly string[],
    homeRegion?: string,
  ): Promise<ReadonlyMap<string, TokenInfo>>;
  /** ListTokens of one license, every status, a page at a time. */
  licenseTokens(licenseArn: string, homeRegion?: string): AsyncIterable<readonly TokenInfo[]>;
}

/** The structured logger the logic reports through (Powertools' Logger fits). */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}
