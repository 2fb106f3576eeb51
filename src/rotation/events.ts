import { JobReason } from './job.js';
import type { RotationEvent } from './ports.js';
import type { DeadLettered, MessageOutcome } from './process-message.js';
import type { Retired } from './rotate.js';
import type { ManagedParameter } from './scan.js';

/** The source of every event the project publishes. */
export const EVENT_SOURCE = 'license-token-rotator';

/** The events the project publishes (EventBridge detail-types); docs/events.md has each detail. */
export const EventType = {
  /** A new token was minted, verified and stored. */
  Rotated: 'Token Rotated',
  /** A superseded token was deleted. */
  Revoked: 'Token Revoked',
  /** A job failed for good and went to the dead-letter queue. */
  RotationFailed: 'Rotation Failed',
  /** A stored token is close to its expiry, or past it (from the scanner). */
  Critical: 'Token Critical',
  /** A host presented a parameter's current token to the exchange (it holds it). */
  PickedUp: 'Token Picked Up',
} as const;

/** Why a token was deleted, as the Token Revoked event says it. */
export type RevokedBecause =
  | 'grace-period-ended'
  | 'picked-up'
  | 'leaked'
  | 'pushed-out'
  | 'stray-mint';

const event = (type: string, detail: RotationEvent['detail']): RotationEvent => ({
  type,
  detail: { v: 1, ...detail },
});

const revoked = (
  parameterName: string,
  version: number,
  tokenId: string,
  reason: RevokedBecause,
): RotationEvent => event(EventType.Revoked, { parameterName, version, tokenId, reason });

/** A Token Revoked event for a deletion a rotation made, when it did take effect. */
const deletion = (
  parameterName: string,
  version: number,
  retired: Retired | undefined,
  reason: RevokedBecause,
): RotationEvent[] =>
  retired?.result === 'revoked' ? [revoked(parameterName, version, retired.tokenId, reason)] : [];

const failed = (outcome: DeadLettered): RotationEvent[] =>
  outcome.invalid || outcome.parameterName === undefined
    ? []
    : [
        event(EventType.RotationFailed, {
          parameterName: outcome.parameterName,
          version: outcome.observedVersion,
          reason: outcome.reason,
          jobReason: outcome.jobReason,
        }),
      ];

/**
 * The events one job's outcome makes: what happened, with names, versions and token ids, never a
 * token value. An invalid job (hostile input) makes none: its dead letter and metric report it.
 */
export function eventsFor(outcome: MessageOutcome): RotationEvent[] {
  switch (outcome.kind) {
    case 'rotated': {
      const { parameterName, version } = outcome;
      return [
        event(EventType.Rotated, {
          parameterName,
          version,
          tokenId: outcome.tokenId,
          previousTokenId: outcome.previousTokenId,
          expiresAt: outcome.expiresAt,
          reason: outcome.reason === JobReason.Expiring ? 'expiring' : outcome.reason,
        }),
        ...deletion(parameterName, version, outcome.retired, 'pushed-out'),
        ...deletion(parameterName, version, outcome.leakedRevoked, 'leaked'),
      ];
    }
    case 'revoked':
      return outcome.result === 'revoked'
        ? [revoked(outcome.parameterName, outcome.version, outcome.tokenId, outcome.why)]
        : [];
    case 'orphans-revoked':
      return outcome.tokenIds.map((id) =>
        revoked(outcome.parameterName, outcome.version, id, 'stray-mint'),
      );
    case 'dead-lettered':
      return failed(outcome);
    case 'skipped':
      return [];
  }
}

/** The Token Critical event of a token the scan found under CRITICAL_DAYS, or expired. */
export const criticalEvent = (item: ManagedParameter): RotationEvent =>
  event(EventType.Critical, {
    parameterName: item.name,
    version: item.version,
    tokenId: item.record.tokenId,
    expiresAt: item.record.expiresAt,
    daysLeft: Math.round(item.assessment.daysLeft * 100) / 100,
    state: item.state === 'expired' ? 'expired' : 'critical',
  });

/** The Token Picked Up event: a host presented the parameter's current token to the exchange. */
export const pickedUpEvent = (
  parameterName: string,
  version: number,
  tokenId: string,
  at: Date,
): RotationEvent =>
  event(EventType.PickedUp, { parameterName, version, tokenId, pickedUpAt: at.toISOString() });
