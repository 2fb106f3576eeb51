import {
  InvalidJobReason,
  JobReason,
  messageGroupId,
  newJob,
  serialiseJob,
} from '../../src/rotation/job.js';
import { deletingReasons } from '../../src/rotation/trusted-sender.js';
import type { SeededRandom } from '../../tools/sandbox/random.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import type { HostileJob } from '../helpers/hostile-jobs.js';
import { type DeadLetterExpectation, UNTRUSTED_SENDER } from './dead-letters.js';
import type { FleetEntry } from './fleet.js';
import type { HostileRecords } from './hostile-records.js';
import type { RoundPlan } from './plan.js';
import { jobParameter } from './violations.js';
import { type ChaosWorld, Sender } from './world.js';

/** A message the runner adds to the jobs queue, and, if it must end in the DLQ, as what. */
export interface Delivery {
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
  /** Whose SenderId it carries: only the scanner's jobs may delete. */
  readonly sender: Sender;
  readonly expect?: DeadLetterExpectation;
}

/** What the extra deliveries of a round are drawn from. */
export interface DeliveryContext {
  readonly round: number;
  readonly random: SeededRandom;
  readonly world: ChaosWorld;
  readonly fleet: readonly FleetEntry[];
  /** The hostile-job corpus (small bodies only). */
  readonly hostile: readonly HostileJob[];
  readonly hostileRecords: HostileRecords;
  /** The jobs the round's scan enqueued. */
  readonly enqueued: readonly StoredMessage[];
  /** Job bodies of earlier rounds. */
  readonly past: readonly string[];
  /** The parameters forced last round. */
  readonly forcedLast: readonly FleetEntry[];
}

const pick = <T>(random: SeededRandom, items: readonly T[]): T | undefined =>
  items[random.int(items.length)];

const WRONG_GROUP: DeadLetterExpectation = {
  kind: 'InvalidJob',
  reason: InvalidJobReason.WrongGroup,
  why: 'wrong group',
};

/** A forced rotation of a fleet parameter at the version it holds now. */
function forcedBody(context: DeliveryContext, entry: FleetEntry): string {
  const { sandbox } = context.world;
  const version = sandbox.ssm.parameter(entry.name)?.version ?? 1;
  return serialiseJob(newJob(entry.name, version, JobReason.Forced, sandbox.clock.now()));
}

/**
 * Each job of the scan once more in its own group (a duplicate the rotator must make idempotent),
 * and one of them in a group of its own, which a sender other than the scanner could do to have
 * two rotators hold the same parameter at once: the rotator must dead-letter that copy.
 */
function duplicates(plan: RoundPlan, context: DeliveryContext): Delivery[] {
  if (!plan.duplicate) return [];
  const { round, world, enqueued } = context;
  // The scanner's own jobs sent twice (a retried SendMessageBatch with new deduplication ids).
  const copies: Delivery[] = enqueued.map((message) => ({
    body: message.body,
    groupId: message.groupId ?? 'dup',
    deduplicationId: `dup-a-${message.messageId}`,
    sender: Sender.Scanner,
  }));
  world.tally.add('duplicate deliveries', copies.length);
  const elsewhere = pick(context.random, enqueued);
  if (elsewhere === undefined) return copies;
  world.tally.add('wrong-group copies');
  return [
    ...copies,
    {
      body: elsewhere.body,
      groupId: `dup-${round}`,
      deduplicationId: `dup-b-${elsewhere.messageId}`,
      sender: Sender.Operator,
      expect: WRONG_GROUP,
    },
  ];
}

/**
 * Old jobs of the scanner sent again in their parameter's group, long after their version moved
 * on (as the scanner: what a stuck retry of its own send would deliver).
 */
function staleDuplicates(plan: RoundPlan, context: DeliveryContext): Delivery[] {
  const { round, random, world, past } = context;
  const messages: Delivery[] = [];
  for (let i = 0; i < plan.staleDuplicates && past.length > 0; i++) {
    const body = pick(random, past) ?? '';
    const name = jobParameter(body);
    if (name === undefined) continue;
    messages.push({
      body,
      groupId: messageGroupId(name),
      deduplicationId: `stale-${round}-${i}`,
      sender: Sender.Scanner,
    });
    world.tally.add('stale duplicate deliveries');
  }
  return messages;
}

/**
 * Operator-forced rotations of random parameters, and again of one forced last round (inside its
 * grace period: the rotator must wait it out).
 */
function forcedRotations(
  plan: RoundPlan,
  context: DeliveryContext,
): { messages: Delivery[]; forced: FleetEntry[] } {
  const { round, random, world, fleet } = context;
  const forced = Array.from({ length: plan.forced }, () => pick(random, fleet)).filter(
    (entry): entry is FleetEntry => entry !== undefined,
  );
  const again = plan.reforce ? pick(random, context.forcedLast) : undefined;
  if (again !== undefined) forced.push(again);
  const unique = [...new Set(forced)];
  const messages = unique.map((entry) => {
    world.tally.add('forced rotations');
    return {
      body: forcedBody(context, entry),
      groupId: messageGroupId(entry.name),
      deduplicationId: `forced-${round}-${entry.property}`,
      sender: Sender.Operator,
    };
  });
  return { messages, forced: unique };
}

/**
 * A flood: forced jobs for one parameter, back to back in its own group, from a sender that is
 * not the scanner. Valid, every one; at most one may rotate it per grace period.
 */
function flood(plan: RoundPlan, context: DeliveryContext): Delivery[] {
  const entry = plan.flood > 0 ? pick(context.random, context.fleet) : undefined;
  if (entry === undefined) return [];
  context.world.tally.add('forced floods');
  context.world.tally.add('forced jobs in floods', plan.flood);
  const body = forcedBody(context, entry);
  return Array.from({ length: plan.flood }, (_, i) => ({
    body,
    groupId: messageGroupId(entry.name),
    deduplicationId: `flood-${context.round}-${i}`,
    sender: Sender.Operator,
  }));
}

/** Valid forced jobs sent in another parameter's group: the rotator must dead-letter them. */
function wrongGroups(plan: RoundPlan, context: DeliveryContext): Delivery[] {
  const { round, random, world, fleet } = context;
  const messages: Delivery[] = [];
  for (let i = 0; i < plan.wrongGroup; i++) {
    const entry = pick(random, fleet);
    const host = pick(random, fleet);
    if (entry === undefined || host === undefined || host === entry) continue;
    messages.push({
      body: forcedBody(context, entry),
      groupId: messageGroupId(host.name),
      deduplicationId: `wrong-group-${round}-${i}`,
      sender: Sender.Operator,
      expect: WRONG_GROUP,
    });
    world.tally.add('wrong-group forced jobs');
  }
  return messages;
}

/** Jobs of the hostile corpus, half of them in a good parameter's group. */
function hostileCorpus(plan: RoundPlan, context: DeliveryContext): Delivery[] {
  const { round, random, world, fleet } = context;
  const messages: Delivery[] = [];
  for (let i = 0; i < plan.hostile; i++) {
    const job = pick(random, context.hostile);
    if (job === undefined) break;
    // Half of them in a good parameter's group, ahead of or behind its job.
    const neighbour = random.next() < 0.5 ? pick(random, fleet) : undefined;
    messages.push({
      body: job.body,
      groupId: neighbour === undefined ? `hostile-${round}-${i}` : messageGroupId(neighbour.name),
      deduplicationId: `hostile-${round}-${i}`,
      sender: Sender.Hostile,
      expect: { kind: 'InvalidJob', reason: job.reason, why: 'hostile job' },
    });
    world.tally.add('hostile jobs');
  }
  return messages;
}

/**
 * Valid jobs for the hostile records, from a sender other than the scanner: each refused, a
 * revocation for its sender before anything else (UntrustedSender), a rotation for its record.
 */
function hostileRecordJobs(context: DeliveryContext): Delivery[] {
  return context.hostileRecords.jobs(context.random).map((job, i) => {
    context.world.tally.add('hostile-record jobs');
    const deletes = deletingReasons.has(job.reason);
    return {
      body: job.body,
      groupId: job.groupId,
      deduplicationId: `hostile-record-${context.round}-${i}`,
      sender: Sender.Hostile,
      expect: {
        kind: 'PermanentFailure',
        reason: deletes ? UNTRUSTED_SENDER : job.record.refusal,
        why: 'hostile record',
      },
    };
  });
}

/** Every message the round adds to the scan's jobs, and the parameters it forced. */
export function extraDeliveries(
  plan: RoundPlan,
  context: DeliveryContext,
): { messages: Delivery[]; forced: FleetEntry[] } {
  const forced = forcedRotations(plan, context);
  return {
    messages: [
      ...duplicates(plan, context),
      ...staleDuplicates(plan, context),
      ...forced.messages,
      ...flood(plan, context),
      ...wrongGroups(plan, context),
      ...hostileCorpus(plan, context),
      ...hostileRecordJobs(context),
    ],
    forced: forced.forced,
  };
}
