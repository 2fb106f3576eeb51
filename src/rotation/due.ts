import { InvalidRecordError } from '../errors.js';
import { DAY_MS, HOUR_MS } from '../time.js';
import { CLIENT_TOKEN_WINDOW_MS } from './client-token.js';
import type { RotationRecord } from './record.js';

/** How a managed token stands at a given moment. */
export const TokenState = {
  /** Valid and not yet inside its renewal window. */
  Ok: 'ok',
  /** Inside its renewal window: rotate it now. */
  Due: 'due',
  /** Past its expiry: rotate it now, and treat it as an incident. */
  Expired: 'expired',
} as const;

/** One of the TokenState values. */
export type TokenState = (typeof TokenState)[keyof typeof TokenState];

/** Where the renewal window came from. */
export type RenewBeforeSource = 'record' | 'config' | 'lifetime';

/** The due rule's verdict for one token. */
export interface Assessment {
  readonly state: TokenState;
  readonly expiresAt: Date;
  /** The moment the token becomes due: expiresAt − renewBefore. */
  readonly renewAt: Date;
  readonly renewBeforeSource: RenewBeforeSource;
  /** Days from now to expiry; negative once expired. */
  readonly daysLeft: number;
}

/** What decides when a token is due, besides its record: the configuration. */
export interface DueRule {
  /** The renewal window for records that set none; undefined means a third of the lifetime. */
  readonly renewBeforeDays?: number | undefined;
  /**
   * The least time a token stays stored before it is due again. Shorter, and a rotation would
   * push out a previous token still in its grace period: see `leastRotationPeriodMs`.
   */
  readonly leastRotationPeriodMs?: number;
}

/** The configuration the due rule is made of. */
export interface RotationSettings {
  readonly renewBeforeDays: number | undefined;
  readonly revokePreviousAfterHours: number;
  readonly scanIntervalHours: number;
}

/**
 * The least time between two rotations of one parameter: the previous token's grace period, one
 * scan interval (the scan that revokes it) and the ClientToken window (a rotation's retries).
 */
export const leastRotationPeriodMs = (config: RotationSettings): number =>
  (config.revokePreviousAfterHours + config.scanIntervalHours) * HOUR_MS + CLIENT_TOKEN_WINDOW_MS;

/** The due rule a configuration sets. */
export const dueRuleOf = (config: RotationSettings): DueRule => ({
  renewBeforeDays: config.renewBeforeDays,
  leastRotationPeriodMs: leastRotationPeriodMs(config),
});

/**
 * cert-manager's rule, with a floor: renewBefore is the record's renewBeforeDays, else the
 * configured default, else a third of the token's lifetime. A configured default that would leave
 * less than the least rotation period (a default as long as the lifetime would rotate every new
 * token at once) gives way to the third of the lifetime.
 */
function renewBefore(
  record: RotationRecord,
  rule: DueRule,
): { readonly ms: number; readonly source: RenewBeforeSource } {
  if (record.renewBeforeDays !== undefined) {
    return { ms: record.renewBeforeDays * DAY_MS, source: 'record' };
  }
  const lifetime = Date.parse(record.expiresAt) - Date.parse(record.issuedAt);
  const configured = rule.renewBeforeDays === undefined ? undefined : rule.renewBeforeDays * DAY_MS;
  const leaves = configured === undefined ? 0 : lifetime - configured;
  if (configured !== undefined && leaves > 0 && leaves >= (rule.leastRotationPeriodMs ?? 0)) {
    return { ms: configured, source: 'config' };
  }
  return { ms: lifetime / 3, source: 'lifetime' };
}

/** Where the token stands at `now` under the due rule. */
export function assess(record: RotationRecord, now: Date, rule: DueRule = {}): Assessment {
  const expiresAt = Date.parse(record.expiresAt);
  const { ms, source } = renewBefore(record, rule);
  const renewAt = expiresAt - ms;
  const time = now.getTime();
  const state =
    time >= expiresAt ? TokenState.Expired : time >= renewAt ? TokenState.Due : TokenState.Ok;
  return {
    state,
    expiresAt: new Date(expiresAt),
    renewAt: new Date(renewAt),
    renewBeforeSource: source,
    daysLeft: (expiresAt - time) / DAY_MS,
  };
}

/**
 * Throws InvalidRecordError when a token just written would be due again in less than the least
 * rotation period: its rotations would delete previous tokens still in their grace period.
 */
export function checkRotationPeriod(record: RotationRecord, rule: DueRule): void {
  const least = rule.leastRotationPeriodMs ?? 0;
  const { ms } = renewBefore(record, rule);
  const stored = Date.parse(record.expiresAt) - ms - Date.parse(record.issuedAt);
  if (stored >= least) return;
  const days = (value: number): string => (value / DAY_MS).toFixed(2);
  throw new InvalidRecordError(
    'renewBeforeDays',
    `leaves ${days(stored)} days between rotations; at least ${days(least)} are needed (grace period + scan interval + ClientToken window)`,
  );
}
