import { redactTokens } from '../../src/observability/redact.js';

/**
 * The invariants of docs/design.md, the token lifecycle it describes, and the safety rules of a
 * rotator that may never cut off working software nor be turned against its owner.
 */
export const Invariant = {
  NoLostToken: '1 no lost token',
  OneTokenPerGeneration: '2 one token per generation',
  NoSecretLeaks: '3 no secret leaks',
  Scope: '4 scope',
  BadInputNeverBlocks: '5 bad input never blocks good input',
  NothingExpiresSilently: '6 nothing expires silently',
  Lifecycle: 'lifecycle: one AVAILABLE token per parameter',
  NoDeleteWhileHeld: 'safety: no token deleted while a parameter holds it',
  OneRotationPerGrace: 'safety: at most one rotation per grace period',
  NothingUnrecorded: 'safety: no unrecorded token at the end',
  ScannerSees: 'safety: every scan finds no fleet token lost and every conflicting record',
  NoHostCutOff: 'consumers: no host cut off while its parameter holds a working token',
  HostsServed: 'consumers: every online host holds the stored token within one interval',
  ExchangeRefuses: 'consumers: the exchange hands a token only to a holder of an accepted one',
  PickupFirst:
    'consumers: under after-pickup a previous token goes only after its successor is picked up',
  DeferralsMatch: 'consumers: revocations deferred and overdue match the hosts yet to pick up',
} as const;

/** One of the Invariant values. */
export type Invariant = (typeof Invariant)[keyof typeof Invariant];

/** A broken invariant, found in the sandbox's own state after a round. */
export interface Violation {
  readonly round: number;
  readonly invariant: Invariant;
  readonly detail: string;
}

/** A record's fields as stored, unchecked: whatever a Description's JSON object holds. */
export interface RecordFields {
  readonly licenseArn?: unknown;
  readonly roleArns?: unknown;
  readonly tokenProperties?: unknown;
  readonly tokenId?: unknown;
  readonly previousTokenId?: unknown;
  readonly issuedAt?: unknown;
  readonly expiresAt?: unknown;
  readonly rotatedAt?: unknown;
  readonly renewBeforeDays?: unknown;
  readonly mintsFrom?: unknown;
  readonly homeRegion?: unknown;
  readonly revocation?: unknown;
}

/** The fields of a Description, if it is a JSON object; none otherwise. */
export const recordFields = (description: string | undefined): RecordFields => {
  try {
    const value: unknown = JSON.parse(description ?? '');
    return typeof value === 'object' && value !== null ? (value as RecordFields) : {};
  } catch {
    return {};
  }
};

/** The value if it is a string. */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** The parameter and version a job body names, as far as it is a JSON object that names them. */
export const jobTarget = (
  body: string,
): { parameterName: string | undefined; observedVersion: number | undefined } => {
  try {
    const value: unknown = JSON.parse(body);
    const { parameterName, observedVersion } =
      typeof value === 'object' && value !== null
        ? (value as { parameterName?: unknown; observedVersion?: unknown })
        : {};
    return {
      parameterName: text(parameterName),
      observedVersion: typeof observedVersion === 'number' ? observedVersion : undefined,
    };
  } catch {
    return { parameterName: undefined, observedVersion: undefined };
  }
};

/** The parameterName of a job body, if it is a JSON object with one. */
export const jobParameter = (body: string): string | undefined => jobTarget(body).parameterName;

/** An excerpt safe to print in a failure message: tokens redacted, bounded length. */
export const excerpt = (value: string): string => {
  const clean = redactTokens(value);
  return clean.length > 240 ? `${clean.slice(0, 240)}…` : clean;
};
