import { DAY_MS } from '../../src/time.js';
import type { FailRule, ThrottleRule } from '../../tools/sandbox/faults.js';
import type { SeededRandom } from '../../tools/sandbox/random.js';
import type { CrashPoint, MidFlightOperation } from './world.js';

/** Throttling on every call of the run, on top of each round's own faults. */
export const THROTTLING: readonly ThrottleRule[] = [
  { operation: 'ssm:*', probability: 0.2 },
  { operation: 'license-manager:*', probability: 0.2 },
  { operation: 'sqs:*', probability: 0.05 },
];

/** 5xx answers the calls of each service can get. */
const SERVER_ERRORS: readonly (readonly [string, string])[] = [
  ['ssm:DescribeParameters', 'InternalServerError'],
  ['ssm:PutParameter', 'InternalServerError'],
  ['license-manager:CreateToken', 'ServerInternalException'],
  ['license-manager:GetAccessToken', 'ServerInternalException'],
  ['license-manager:DeleteToken', 'ServerInternalException'],
  ['license-manager:ListTokens', 'ServerInternalException'],
  ['sqs:SendMessageBatch', 'InternalError'],
  ['sqs:SendMessage', 'ServiceUnavailable'],
  ['sqs:ReceiveMessage', 'InternalError'],
  ['sqs:DeleteMessageBatch', 'InternalError'],
];

/** Calls whose effect can land while their answer is lost (a reset or a 5xx after the fact). */
const LOST_ANSWERS: readonly (readonly [string, string])[] = [
  ['license-manager:CreateToken', 'ServerInternalException'],
  ['license-manager:GetAccessToken', 'ServerInternalException'],
  ['license-manager:DeleteToken', 'ServerInternalException'],
  ['ssm:PutParameter', 'InternalServerError'],
  ['sqs:SendMessage', 'InternalError'],
  ['sqs:SendMessageBatch', 'InternalError'],
  ['sqs:ReceiveMessage', 'InternalError'],
  ['sqs:DeleteMessageBatch', 'InternalError'],
];

const MID_FLIGHT: readonly MidFlightOperation[] = [
  'DescribeParameters',
  'CreateToken',
  'GetAccessToken',
  'PutParameter',
];

const DISRUPTIONS = [
  'crash after CreateToken',
  'crash after CreateToken, back past the ClientToken window',
  'crash after PutParameter',
  'lost deletes',
  'a call stalls until its job deadline',
] as const;

/** The disruptions that kill a rotator instance: after which call, and whether its jobs come back late. */
const CRASHES: Partial<Record<(typeof DISRUPTIONS)[number], { point: CrashPoint; late: boolean }>> =
  {
    'crash after CreateToken': { point: 'createToken', late: false },
    'crash after CreateToken, back past the ClientToken window': {
      point: 'createToken',
      late: true,
    },
    'crash after PutParameter': { point: 'putToken', late: false },
  };

/**
 * Refusals for good that a rotation can meet after it minted (or, for CreateToken, before): an
 * IAM policy or SCP denying a call, or the parameters' KMS key disabled. Each dead-letters the
 * job that meets it; a token minted for it must be deleted, never left live.
 */
const PERMANENT_FAILURES: readonly (readonly [string, string])[] = [
  ['license-manager:CreateToken', 'AccessDeniedException'],
  ['license-manager:GetAccessToken', 'AccessDeniedException'],
  ['ssm:PutParameter', 'AccessDeniedException'],
  ['ssm:PutParameter', 'KMSDisabledException'],
];

/** Everything one round does besides the scan and the drain. */
export interface RoundPlan {
  /** How far the clock jumps before the round's scan. */
  readonly jumpMs: number;
  /** failNext rules: 5xx before the call, answers lost after it, the odd permanent refusal. */
  readonly failures: readonly FailRule[];
  /** `late`: the crashed jobs come back only after their ClientTokens lapsed. */
  readonly crashes: readonly { slot: number; point: CrashPoint; nth: number; late: boolean }[];
  /** A call that stalls until its job's deadline aborts it; `landed`: its effect took place. */
  readonly midFlight: { operation: MidFlightOperation; nth: number; landed: boolean } | undefined;
  /** Lose DeleteMessageBatch's answers: rotated jobs come back after their visibility timeout. */
  readonly lostDeletes: boolean;
  /**
   * Every job of the scan delivered twice in its own group, and one of them once more in another
   * (which the rotator must dead-letter).
   */
  readonly duplicate: boolean;
  /** Old jobs sent again, long after their version moved on. */
  readonly staleDuplicates: number;
  /** Operator-forced rotations of random parameters. */
  readonly forced: number;
  /** Force again a parameter forced last round: inside its grace period, so it must wait. */
  readonly reforce: boolean;
  /** Forced jobs for one parameter, back to back (0: no flood). */
  readonly flood: number;
  /** Valid forced jobs sent in another parameter's group. */
  readonly wrongGroup: number;
  /** Hostile jobs from the corpus mixed into the queue. */
  readonly hostile: number;
  /** A second, overlapping scan (its jobs must be deduplicated). */
  readonly secondScan: boolean;
  /** A rotator instance replaced by a fresh one (a cold start). */
  readonly coldStart: number | undefined;
  readonly batchSizes: readonly number[];
}

const pick = <T>(random: SeededRandom, items: readonly T[]): T => {
  const item = items[random.int(items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
};

const between = (random: SeededRandom, low: number, high: number): number =>
  low + random.int(high - low + 1);

/**
 * The seeded plan of one round. Counts above the SDK's 3 attempts make the call fail for the
 * code under test (the job is retried by SQS); lower counts are absorbed by the SDK's retries.
 */
export function planRound(random: SeededRandom, options: { permanentFaults: boolean }): RoundPlan {
  const chance = (p: number): boolean => random.next() < p;
  const failures: FailRule[] = [];
  if (chance(0.4)) {
    const [operation, error] = pick(random, SERVER_ERRORS);
    failures.push({ operation, error, count: between(random, 1, 4), when: 'before' });
  }
  if (chance(0.3)) {
    const [operation, code] = pick(random, LOST_ANSWERS);
    const error = chance(0.5) ? 'connection-reset' : code;
    failures.push({ operation, error, count: between(random, 1, 4), when: 'after' });
  }
  if (options.permanentFaults && chance(0.06)) {
    const [operation, error] = pick(random, PERMANENT_FAILURES);
    failures.push({ operation, error, count: 1, when: 'before' });
  }
  if (options.permanentFaults && chance(0.03)) {
    // The key disabled for a while: every write until it is back fails for good.
    const count = between(random, 3, 10);
    failures.push({ operation: 'ssm:PutParameter', error: 'KMSDisabledException', count });
  }
  // One disruption a round at most: with the faults above and throttling, a job then fails at
  // most three or four receives in a round, under the redrive's maxReceiveCount of 5. A valid job
  // the DLQ receives is then a finding, not the fault budget's doing.
  const disruption = chance(0.7) ? pick(random, DISRUPTIONS) : undefined;
  const crash = disruption === undefined ? undefined : CRASHES[disruption];
  return {
    // 1 to 3 days: about 500 rounds for 1,000 days.
    jumpMs: DAY_MS + random.int(2 * DAY_MS),
    failures,
    crashes:
      crash === undefined ? [] : [{ slot: random.int(2), nth: between(random, 1, 3), ...crash }],
    midFlight:
      disruption === 'a call stalls until its job deadline'
        ? { operation: pick(random, MID_FLIGHT), nth: between(random, 1, 4), landed: chance(0.5) }
        : undefined,
    lostDeletes: disruption === 'lost deletes',
    duplicate: chance(0.35),
    staleDuplicates: chance(0.15) ? between(random, 1, 5) : 0,
    forced: chance(0.15) ? between(random, 1, 3) : 0,
    reforce: chance(0.3),
    flood: chance(0.1) ? between(random, 4, 8) : 0,
    wrongGroup: chance(0.15) ? between(random, 1, 2) : 0,
    hostile: chance(0.12) ? between(random, 1, 2) : 0,
    secondScan: chance(0.1),
    coldStart: chance(0.08) ? random.int(2) : undefined,
    batchSizes: [between(random, 1, 10), between(random, 1, 10)],
  };
}
