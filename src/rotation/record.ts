import { InvalidRecordError } from '../errors.js';
import { DAY_MS, MINUTE_MS } from '../time.js';
import { isObject, isRegionName, keyProblem, parseTimestamp } from '../validate.js';

/**
 * When a superseded token may be deleted. Deleting a token a host still holds is the one way this
 * project can cause the outage it exists to prevent, so by default it waits for the evidence that
 * the replacement reached the host, not merely for time to pass.
 */
export const RevocationPolicy = {
  /** After its grace period, and once the exchange has recorded the replacement's pickup. */
  AfterPickup: 'after-pickup',
  /** After its grace period: for consumers that read Parameter Store themselves at every use. */
  AfterGrace: 'after-grace',
  /** Never: the token lives until it expires. */
  Never: 'never',
} as const;

/** One of the RevocationPolicy values. */
export type RevocationPolicy = (typeof RevocationPolicy)[keyof typeof RevocationPolicy];

const POLICIES: ReadonlySet<string> = new Set(Object.values(RevocationPolicy));

/** True when the text names a revocation policy. */
export const isRevocationPolicy = (value: unknown): value is RevocationPolicy =>
  typeof value === 'string' && POLICIES.has(value);

/**
 * The rotation record: what the rotator needs to mint the next token, kept as compact JSON in
 * the parameter's Description, written in the same PutParameter call as the token itself.
 */
export interface RotationRecord {
  readonly v: 1;
  readonly licenseArn: string;
  readonly roleArns: readonly string[];
  readonly tokenProperties: readonly string[];
  readonly expirationInDays: number;
  readonly renewBeforeDays?: number;
  /** When this parameter's superseded tokens are deleted, if not the deploy's default. */
  readonly revocation?: RevocationPolicy;
  readonly homeRegion?: string;
  readonly tokenId: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly previousTokenId?: string;
  readonly rotatedAt?: string;
  /**
   * Since when attempts to mint this token may have run: the moment its predecessor became due
   * (or, for a forced rotation retried past the ClientToken window, the job's first receive).
   * An attempt that minted and then failed before storing left a token nothing names; the scan's
   * audit finds such stray mints by this window and has them deleted (see `isStrayMintOf`).
   */
  readonly mintsFrom?: string;
}

/** SSM's limit on a Description, and so on a serialised record. */
export const MAX_RECORD_LENGTH = 1024;
/** CreateToken's limit on TokenProperties. */
export const MAX_TOKEN_PROPERTIES = 3;
/** CreateToken's limit on an ARN's length. */
export const MAX_ARN_LENGTH = 2048;

const LICENSE_ARN =
  /^arn:aws(-[a-z]+)*:license-manager:[a-z0-9-]*:\d{0,12}:license[:/][A-Za-z0-9._/-]+$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const TOKEN_ID = /^[A-Za-z0-9_.:-]{1,256}$/;

/** True when the text has the shape of a License Manager token id. */
export const isTokenId = (value: string): boolean => TOKEN_ID.test(value);
const KEYS = ['v', 'licenseArn', 'roleArns', 'tokenProperties', 'expirationInDays'] as const;
const STATE_KEYS = ['tokenId', 'issuedAt', 'expiresAt'] as const;
const OPTIONAL_KEYS = [
  'renewBeforeDays',
  'revocation',
  'homeRegion',
  'previousTokenId',
  'rotatedAt',
  'mintsFrom',
] as const;

/**
 * How far a record's dates may lie ahead of the reader's clock. A record dated later than that
 * was not written by the rotator (which dates issue back ten minutes); believing it would put off
 * the token's renewal past its real expiry.
 */
export const MAX_CLOCK_SKEW_MS = 5 * MINUTE_MS;

/** True when the text is a License Manager license ARN. */
export const isLicenseArn = (value: string): boolean =>
  value.length <= MAX_ARN_LENGTH && LICENSE_ARN.test(value);

/** True when the text is an IAM role ARN. */
export const isRoleArn = (value: string): boolean =>
  value.length <= MAX_ARN_LENGTH && ROLE_ARN.test(value);

const fail = (field: string, message: string): never => {
  throw new InvalidRecordError(field, message);
};

function stringList(value: unknown, field: string, check: (item: string) => boolean): string[] {
  if (!Array.isArray(value)) return fail(field, 'must be an array of strings');
  for (const item of value) {
    if (typeof item !== 'string' || !check(item)) fail(field, `has an invalid entry`);
  }
  return value as string[];
}

function positiveNumber(value: unknown, field: string, integer: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0;
  if (!ok || (integer && !Number.isSafeInteger(value))) {
    fail(field, integer ? 'must be a whole number above 0' : 'must be a number above 0');
  }
  return value as number;
}

function optionalString(
  value: unknown,
  field: string,
  pattern: { test(text: string): boolean },
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) fail(field, 'is malformed');
  return value as string;
}

function timestamp(value: unknown, field: string): string {
  if (parseTimestamp(value) === undefined)
    fail(field, 'must be a UTC timestamp like 2026-01-31T12:00:00.000Z');
  return value as string;
}

/** A timestamp of something that has happened: not later than `now`, give or take the skew. */
function pastTimestamp(value: unknown, field: string, now: Date): string {
  const text = timestamp(value, field);
  if (Date.parse(text) > now.getTime() + MAX_CLOCK_SKEW_MS) fail(field, 'is in the future');
  return text;
}

const optionalPastTimestamp = (value: unknown, field: string, now: Date): string | undefined =>
  value === undefined ? undefined : pastTimestamp(value, field, now);

/**
 * Checks a record object field by field, as of `now`; throws InvalidRecordError naming the first
 * bad one.
 */
export function validateRecord(value: unknown, now: Date): RotationRecord {
  if (!isObject(value)) return fail('description', 'is not a JSON object');
  const keys = keyProblem(value, [...KEYS, ...STATE_KEYS], OPTIONAL_KEYS);
  if (keys?.kind === 'unknown') fail(keys.key, 'is not a record field');
  if (keys?.kind === 'missing') fail(keys.key, 'is required');
  if (value.v !== 1) fail('v', 'must be 1');
  if (typeof value.licenseArn !== 'string' || !isLicenseArn(value.licenseArn)) {
    fail('licenseArn', 'must be a License Manager license ARN');
  }
  const roleArns = stringList(value.roleArns, 'roleArns', isRoleArn);
  const tokenProperties = stringList(value.tokenProperties, 'tokenProperties', (p) => p.length > 0);
  if (tokenProperties.length > MAX_TOKEN_PROPERTIES) {
    fail('tokenProperties', `allows at most ${MAX_TOKEN_PROPERTIES} entries`);
  }
  const expirationInDays = positiveNumber(value.expirationInDays, 'expirationInDays', true);
  const renewBeforeDays =
    value.renewBeforeDays === undefined
      ? undefined
      : positiveNumber(value.renewBeforeDays, 'renewBeforeDays', false);
  if (renewBeforeDays !== undefined && renewBeforeDays >= expirationInDays) {
    // Otherwise every new token would be due the moment it is written, and rotate forever.
    fail('renewBeforeDays', 'must be less than expirationInDays');
  }
  const tokenId =
    optionalString(value.tokenId, 'tokenId', TOKEN_ID) ?? fail('tokenId', 'is required');
  const issuedAt = pastTimestamp(value.issuedAt, 'issuedAt', now);
  const expiresAt = timestamp(value.expiresAt, 'expiresAt');
  const lifetime = Date.parse(expiresAt) - Date.parse(issuedAt);
  if (lifetime <= 0) fail('expiresAt', 'must be after issuedAt');
  if (lifetime > expirationInDays * DAY_MS) {
    // A record must never promise more than the token can have: that is how tokens lapse.
    fail('expiresAt', 'is later than issuedAt + expirationInDays');
  }
  const rotatedAt = optionalPastTimestamp(value.rotatedAt, 'rotatedAt', now);
  const mintsFrom = optionalPastTimestamp(value.mintsFrom, 'mintsFrom', now);
  const previousTokenId = optionalString(value.previousTokenId, 'previousTokenId', TOKEN_ID);
  if (previousTokenId === tokenId) {
    // Revoking the "previous" token would then delete the only one the parameter holds.
    fail('previousTokenId', 'is the token the parameter holds');
  }
  return {
    v: 1,
    licenseArn: value.licenseArn as string,
    roleArns,
    tokenProperties,
    expirationInDays,
    ...(renewBeforeDays === undefined ? {} : { renewBeforeDays }),
    ...optionalField('revocation', revocation(value.revocation)),
    ...optionalField(
      'homeRegion',
      optionalString(value.homeRegion, 'homeRegion', { test: isRegionName }),
    ),
    tokenId,
    issuedAt,
    expiresAt,
    ...optionalField('previousTokenId', previousTokenId),
    ...optionalField('rotatedAt', rotatedAt),
    ...optionalField('mintsFrom', mintsFrom),
  };
}

const optionalField = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

function revocation(value: unknown): RevocationPolicy | undefined {
  if (value === undefined || isRevocationPolicy(value)) return value;
  return fail('revocation', 'must be after-pickup, after-grace or never');
}

/**
 * Parses a parameter Description into a record, as of `now`; throws InvalidRecordError when it is
 * not one.
 */
export function parseRecord(description: string | undefined, now: Date): RotationRecord {
  if (description === undefined || description === '') return fail('description', 'is empty');
  if (description.length > MAX_RECORD_LENGTH) {
    return fail('description', `is longer than ${MAX_RECORD_LENGTH} characters`);
  }
  let json: unknown;
  try {
    json = JSON.parse(description);
  } catch {
    return fail('description', 'is not JSON');
  }
  return validateRecord(json, now);
}

/** Serialises a record in its canonical field order; throws when it exceeds 1024 characters. */
export function serialiseRecord(record: RotationRecord): string {
  const ordered = {
    v: record.v,
    licenseArn: record.licenseArn,
    roleArns: record.roleArns,
    tokenProperties: record.tokenProperties,
    expirationInDays: record.expirationInDays,
    renewBeforeDays: record.renewBeforeDays,
    revocation: record.revocation,
    homeRegion: record.homeRegion,
    tokenId: record.tokenId,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    previousTokenId: record.previousTokenId,
    rotatedAt: record.rotatedAt,
    mintsFrom: record.mintsFrom,
  };
  const text = JSON.stringify(ordered);
  if (text.length > MAX_RECORD_LENGTH) {
    fail('description', `would be ${text.length} characters; SSM allows ${MAX_RECORD_LENGTH}`);
  }
  return text;
}

// Token ids are not documented to have a fixed length; leave room for a generous one.
const HEADROOM_TOKEN_ID = 'x'.repeat(64);

/**
 * Throws unless the record still fits after a rotation adds `previousTokenId`, `rotatedAt` and
 * `mintsFrom`, so a token registered today can always be rotated tomorrow.
 */
export function assertRoomToRotate(record: RotationRecord): void {
  const date = new Date(0).toISOString();
  serialiseRecord({
    ...record,
    tokenId: HEADROOM_TOKEN_ID,
    previousTokenId: HEADROOM_TOKEN_ID,
    rotatedAt: date,
    mintsFrom: date,
  });
}
