import { clientTokenFor } from '../../src/rotation/client-token.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import { parameterArn } from '../../tools/sandbox/ssm/parameter.js';
import { TEST_REGION } from '../helpers/sandbox.js';
import type { TokenFinder } from '../helpers/token-finder.js';
import type { HostileRecord } from './hostile-records.js';
import { excerpt, Invariant, jobTarget, type Violation } from './violations.js';

/** Permanent failures the chaos run provokes on purpose; any other one in the DLQ is a finding. */
export const PROVOKED_PERMANENT_FAILURES: readonly string[] = [
  'AccessDeniedException',
  'KMSDisabledException',
];

/** The reason a deleting job from a sender other than the scanner is dead-lettered with. */
export const UNTRUSTED_SENDER = 'UntrustedSender';

/** Why the runner sent a message that must end in the DLQ. */
export type ExpectedWhy = 'hostile job' | 'wrong group' | 'hostile record';

/** A message the runner sent that must end in the DLQ, as what, with which reason. */
export interface DeadLetterExpectation {
  readonly kind: 'InvalidJob' | 'PermanentFailure';
  readonly reason: string;
  readonly why: ExpectedWhy;
}

/** What the new dead letters of a round say about the fleet. */
export interface DeadLetterFindings {
  /** Fleet parameters a job of which the rotator dead-lettered for a provoked permanent failure. */
  readonly deadLettered: ReadonlySet<string>;
  /** Fleet parameters a job of which SQS moved after five failed receives (the DLQ alarm). */
  readonly redriven: ReadonlySet<string>;
}

/** Dead-letter figures of the run. */
export interface DeadLetterFigures {
  /** Expected dead letters that arrived, by why they were sent. */
  readonly expected: Record<ExpectedWhy, number>;
  /** Expected dead letters that arrived more than once. */
  repeated: number;
  /** Of the expected, the deleting jobs refused for their sender (UntrustedSender). */
  untrusted: number;
  /** Jobs of fleet parameters dead-lettered for a provoked permanent failure, by reason. */
  readonly provoked: Map<string, number>;
  /** The scanner's jobs for hostile records, refused as each record must be. */
  refused: number;
  /**
   * Fleet jobs dead-lettered as VerificationFailed because their generation's ClientToken
   * replayed a token an earlier attempt had deleted after a provoked failure: a duplicate, a
   * forced job or an old job sent again that met that generation, within the ten minutes License
   * Manager remembers the key.
   */
  replayedDeleted: number;
  /** Valid jobs SQS moved to the DLQ after maxReceiveCount failed receives. */
  redriven: number;
}

/** The token a VerificationFailed dead letter's message names (the rotator's own words). */
const REJECTED_TOKEN = /new token (\S+) was rejected and deleted/;

/** The source message a dead letter stands for: the rotator names it, SQS's redrive keeps it. */
const sourceOf = (message: StoredMessage): string =>
  message.attributes.SourceMessageId?.StringValue ?? message.messageId;

/**
 * The dead-letter queue's book: every message that reaches it must be one the runner sent to be
 * refused (with the kind and reason expected), a fleet job that met a provoked permanent failure,
 * a hostile record's job refused as that record must be, or SQS's redrive of a valid job.
 * Anything else is a finding. Each expected message must arrive within the round it was sent.
 */
export class DeadLetterBook {
  readonly figures: DeadLetterFigures = {
    expected: { 'hostile job': 0, 'wrong group': 0, 'hostile record': 0 },
    repeated: 0,
    untrusted: 0,
    provoked: new Map(),
    refused: 0,
    replayedDeleted: 0,
    redriven: 0,
  };
  readonly #pending = new Map<string, DeadLetterExpectation & { body: string }>();
  readonly #arrived = new Set<string>();
  // Ids, not a count: the DLQ drops messages past its retention period (14 days) as SQS does.
  readonly #seen = new Set<string>();
  readonly #refusals: ReadonlyMap<string, string>;
  /** Each fleet parameter's dead letters, as `round N: kind/reason`, for failure stories. */
  readonly #byParameter = new Map<string, string[]>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly finder: TokenFinder,
    private readonly fleet: ReadonlySet<string>,
    hostileRecords: readonly HostileRecord[],
  ) {
    this.#refusals = new Map(hostileRecords.map((record) => [record.name, record.refusal]));
    for (const message of this.#letters()) this.#seen.add(message.messageId);
  }

  /** Notes a message the runner sent (by its SQS message id) that must end in the DLQ. */
  expect(messageId: string, body: string, expectation: DeadLetterExpectation): void {
    this.#pending.set(messageId, { ...expectation, body });
  }

  /** Checks the dead letters that arrived since the last round. */
  check(round: number, violations: Violation[]): DeadLetterFindings {
    const deadLettered = new Set<string>();
    const redriven = new Set<string>();
    for (const message of this.#letters()) {
      if (this.#seen.has(message.messageId)) continue;
      this.#seen.add(message.messageId);
      this.#checkLeaks(round, message, violations);
      this.#note(round, message);
      const problem = this.#classify(message, { deadLettered, redriven });
      if (problem !== undefined) {
        violations.push({ round, invariant: Invariant.BadInputNeverBlocks, detail: problem });
      }
    }
    for (const [id, expected] of this.#pending) {
      violations.push({
        round,
        invariant: Invariant.BadInputNeverBlocks,
        detail: `a ${expected.why} message did not reach the DLQ (expected ${expected.kind}/${expected.reason}): ${excerpt(expected.body)}`,
      });
      this.#pending.delete(id);
    }
    return { deadLettered, redriven };
  }

  /** A fleet parameter's dead letters over the run, as `round N: kind/reason`. */
  lettersOf(name: string): readonly string[] {
    return this.#byParameter.get(name) ?? [];
  }

  #note(round: number, message: StoredMessage): void {
    const name = jobTarget(message.body).parameterName;
    if (name === undefined || !this.fleet.has(name)) return;
    const kind = message.attributes.FailureKind?.StringValue ?? 'redrive';
    const reason = message.attributes.FailureReason?.StringValue ?? '';
    this.#byParameter.set(name, [...this.lettersOf(name), `round ${round}: ${kind}/${reason}`]);
  }

  #letters(): readonly StoredMessage[] {
    return this.sandbox.sqs.queue('chaos-dlq.fifo')?.messages ?? [];
  }

  #checkLeaks(round: number, message: StoredMessage, violations: Violation[]): void {
    const values = Object.values(message.attributes).map((a) => a.StringValue ?? '');
    if ([message.body, ...values].some((value) => this.finder.find(value).length > 0)) {
      violations.push({
        round,
        invariant: Invariant.NoSecretLeaks,
        detail: 'a dead letter carried a token',
      });
    }
  }

  /** Accounts for one new dead letter; returns what is wrong with it, if anything. */
  #classify(
    message: StoredMessage,
    fleet: { deadLettered: Set<string>; redriven: Set<string> },
  ): string | undefined {
    const kind = message.attributes.FailureKind?.StringValue;
    const reason = message.attributes.FailureReason?.StringValue ?? '';
    const as = `${kind ?? 'nothing'}/${reason}`;
    const source = sourceOf(message);
    const expected = this.#pending.get(source);
    if (expected !== undefined || this.#arrived.has(source)) {
      return this.#arrivedAsExpected(source, expected, as, message.body);
    }
    const { parameterName: name, observedVersion } = jobTarget(message.body);
    if (kind === 'PermanentFailure' && name !== undefined) {
      if (this.fleet.has(name) && PROVOKED_PERMANENT_FAILURES.includes(reason)) {
        return this.#provoked(name, reason, fleet.deadLettered);
      }
      if (this.#refusals.get(name) === reason) {
        this.figures.refused++;
        return undefined;
      }
      if (
        reason === 'VerificationFailed' &&
        this.#replaysDeleted(name, observedVersion, message.attributes.FailureMessage?.StringValue)
      ) {
        this.figures.replayedDeleted++;
        fleet.deadLettered.add(name);
        return undefined;
      }
    }
    if (kind === undefined && message.deadLetterSourceArn !== undefined && name !== undefined) {
      this.figures.redriven++;
      if (this.fleet.has(name)) fleet.redriven.add(name);
      return undefined;
    }
    return `a job ended in the DLQ as ${as}: ${excerpt(message.body)}`;
  }

  #arrivedAsExpected(
    source: string,
    expected: (DeadLetterExpectation & { body: string }) | undefined,
    as: string,
    body: string,
  ): string | undefined {
    if (expected === undefined) {
      this.figures.repeated++;
      return undefined;
    }
    this.#pending.delete(source);
    this.#arrived.add(source);
    this.figures.expected[expected.why]++;
    if (expected.reason === UNTRUSTED_SENDER) this.figures.untrusted++;
    const wanted = `${expected.kind}/${expected.reason}`;
    return as === wanted
      ? undefined
      : `a ${expected.why} message was dead-lettered as ${as}, expected ${wanted}: ${excerpt(body)}`;
  }

  /**
   * True when the token the rotator names as rejected (and deleted) is DELETED and was minted
   * with the ClientToken of a generation of this fleet parameter that the job could have met: its
   * observed version or a later one, up to the parameter's version now. A job is rotated under
   * the version the rotator reads, not the one it observed: an old job delivered again (a stale
   * duplicate) finds a later version due, and replays what that generation's failed attempt
   * minted and deleted within the ten minutes License Manager remembers the key.
   */
  #replaysDeleted(name: string, version: number | undefined, failure: string | undefined): boolean {
    const current = this.sandbox.ssm.parameter(name)?.version;
    if (!this.fleet.has(name) || version === undefined || current === undefined) return false;
    const tokenId = REJECTED_TOKEN.exec(failure ?? '')?.[1];
    const token = tokenId === undefined ? undefined : this.sandbox.licenseManager.token(tokenId);
    if (token?.status !== 'DELETED') return false;
    const arn = parameterArn(name, TEST_REGION, this.sandbox.accountId);
    for (let generation = version; generation <= current; generation++) {
      if (token.clientToken === clientTokenFor(arn, generation)) return true;
    }
    return false;
  }

  #provoked(name: string, reason: string, deadLettered: Set<string>): string | undefined {
    deadLettered.add(name);
    const count = (this.figures.provoked.get(reason) ?? 0) + 1;
    this.figures.provoked.set(reason, count);
    const injected = this.sandbox.faults.injected.get(`error:${reason}`) ?? 0;
    return count > injected
      ? `more ${reason} dead letters (${count}) than such faults injected (${injected})`
      : undefined;
  }
}
