import { HOUR_MS } from '../time.js';
import { RevocationPolicy, type RotationRecord } from './record.js';

/** The settings the revocation rule reads. */
export interface RevocationSettings {
  /** The deploy's policy; a record's `revocation` field overrides it. */
  readonly revocationPolicy: RevocationPolicy;
  /** The grace period of a superseded token; 0 turns revocation off. */
  readonly revokePreviousAfterHours: number;
  /** After this long unpicked, a replacement's pickup is overdue (alarmed). */
  readonly pickupOverdueHours: number;
}

/** The exchange's record that a host holds a token: its id, and when it was last presented. */
export interface Pickup {
  readonly tokenId: string;
  readonly at: Date;
}

/** Where a record's previous token stands. */
export type PreviousStanding =
  | { readonly kind: 'none' }
  | { readonly kind: 'in-grace'; readonly until: Date }
  | { readonly kind: 'retained' }
  | { readonly kind: 'awaiting-pickup'; readonly overdue: boolean }
  | { readonly kind: 'due'; readonly reason: 'grace-period-ended' | 'picked-up' };

/** The record's policy: its own `revocation` field, else the deploy's. */
export const policyOf = (record: RotationRecord, settings: RevocationSettings): RevocationPolicy =>
  record.revocation ?? settings.revocationPolicy;

/** When the record's token superseded its previous one. */
const supersededAt = (record: RotationRecord): number =>
  Date.parse(record.rotatedAt ?? record.issuedAt);

/**
 * Whether the record's previous token may be deleted now: never under `never` (or with revocation
 * off), not inside its grace period, and under `after-pickup` only once the current token has
 * been picked up. `pickup` is what the exchange recorded (undefined: nothing, or not asked yet).
 */
export function previousStanding(
  record: RotationRecord,
  pickup: Pickup | undefined,
  now: Date,
  settings: RevocationSettings,
): PreviousStanding {
  if (record.previousTokenId === undefined) return { kind: 'none' };
  const policy = policyOf(record, settings);
  if (policy === RevocationPolicy.Never || settings.revokePreviousAfterHours <= 0) {
    return { kind: 'retained' };
  }
  const graceEnds = supersededAt(record) + settings.revokePreviousAfterHours * HOUR_MS;
  if (now.getTime() < graceEnds) return { kind: 'in-grace', until: new Date(graceEnds) };
  if (policy === RevocationPolicy.AfterGrace) return { kind: 'due', reason: 'grace-period-ended' };
  const overdueAt = supersededAt(record) + settings.pickupOverdueHours * HOUR_MS;
  return withPickup(
    { kind: 'awaiting-pickup', overdue: now.getTime() >= overdueAt },
    pickup,
    record.tokenId,
  );
}

/** A standing awaiting the pickup, once the pickup is known: due if the current token was taken. */
export function withPickup(
  standing: PreviousStanding,
  pickup: Pickup | undefined,
  currentTokenId: string,
): PreviousStanding {
  if (standing.kind !== 'awaiting-pickup' || pickup?.tokenId !== currentTokenId) return standing;
  return { kind: 'due', reason: 'picked-up' };
}

/**
 * True when the exchange may still accept the record's previous token from a host: inside its
 * grace period under `after-grace`; until it is revoked under the other policies (License Manager
 * then refuses it), since a host that has not picked up the replacement must be able to.
 */
export function acceptsPrevious(
  record: RotationRecord,
  now: Date,
  settings: RevocationSettings,
): boolean {
  if (record.previousTokenId === undefined) return false;
  if (policyOf(record, settings) !== RevocationPolicy.AfterGrace) return true;
  return now.getTime() < supersededAt(record) + settings.revokePreviousAfterHours * HOUR_MS;
}
