import { DAY_MS } from '../time.js';
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

/**
 * cert-manager's rule: due when now ≥ expiresAt − renewBefore, where renewBefore is the record's
 * renewBeforeDays, else the configured default, else a third of the token's lifetime. A default
 * as long as the lifetime would make every new token due at once, so it falls back to a third.
 */
export function assess(
  record: RotationRecord,
  now: Date,
  defaultRenewBeforeDays?: number,
): Assessment {
  const issuedAt = Date.parse(record.issuedAt);
  const expiresAt = Date.parse(record.expiresAt);
  const lifetime = expiresAt - issuedAt;
  const configured =
    defaultRenewBeforeDays === undefined ? undefined : defaultRenewBeforeDays * DAY_MS;
  let renewBefore = lifetime / 3;
  let renewBeforeSource: RenewBeforeSource = 'lifetime';
  if (record.renewBeforeDays !== undefined) {
    renewBefore = record.renewBeforeDays * DAY_MS;
    renewBeforeSource = 'record';
  } else if (configured !== undefined && configured < lifetime) {
    renewBefore = configured;
    renewBeforeSource = 'config';
  }
  const renewAt = expiresAt - renewBefore;
  const time = now.getTime();
  const state =
    time >= expiresAt ? TokenState.Expired : time >= renewAt ? TokenState.Due : TokenState.Ok;
  return {
    state,
    expiresAt: new Date(expiresAt),
    renewAt: new Date(renewAt),
    renewBeforeSource,
    daysLeft: (expiresAt - time) / DAY_MS,
  };
}
