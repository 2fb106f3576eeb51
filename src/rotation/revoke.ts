import { HOUR_MS } from '../time.js';
import type { RotationJob } from './job.js';
import type { LicenseTokens, ParameterStore, Revocation } from './ports.js';
import type { RotationRecord } from './record.js';
import { rotatableRecord } from './rotatable-record.js';

/**
 * When the record's previous token may be deleted: its grace period after it was superseded
 * (`rotatedAt`, else the current token's `issuedAt`). Undefined when there is nothing to revoke
 * or revocation is off (0 hours).
 */
export function revocationDueAt(record: RotationRecord, graceHours: number): Date | undefined {
  if (record.previousTokenId === undefined || graceHours <= 0) return undefined;
  const supersededAt = Date.parse(record.rotatedAt ?? record.issuedAt);
  return new Date(supersededAt + graceHours * HOUR_MS);
}

/** How a revoke job ended. */
export type RevocationOutcome =
  | {
      readonly kind: 'revoked';
      readonly parameterName: string;
      readonly tokenId: string;
      readonly result: Revocation;
    }
  | {
      readonly kind: 'skipped';
      readonly parameterName: string;
      readonly why: 'gone' | 'nothing-to-revoke' | 'in-grace-period';
    };

/**
 * Deletes the token a parameter's record names as previous, once its grace period is over. The
 * token id comes from the stored record, never from the job; an already deleted token is done.
 */
export async function revokePrevious(
  job: RotationJob,
  deps: {
    readonly store: ParameterStore;
    readonly tokens: LicenseTokens;
    readonly clock: () => Date;
  },
  options: { readonly revokePreviousAfterHours: number },
): Promise<RevocationOutcome> {
  const { parameterName } = job;
  const current = await deps.store.describe(parameterName);
  if (current === undefined) return { kind: 'skipped', parameterName, why: 'gone' };
  const record = rotatableRecord(parameterName, current.description);
  const dueAt = revocationDueAt(record, options.revokePreviousAfterHours);
  if (record.previousTokenId === undefined || dueAt === undefined) {
    return { kind: 'skipped', parameterName, why: 'nothing-to-revoke' };
  }
  if (deps.clock() < dueAt) return { kind: 'skipped', parameterName, why: 'in-grace-period' };
  const result = await deps.tokens.deleteToken(record.previousTokenId, record);
  return { kind: 'revoked', parameterName, tokenId: record.previousTokenId, result };
}
