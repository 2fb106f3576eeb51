import { JobReason, messageGroupId, newJob, serialiseJob } from '../../src/rotation/job.js';
import { DAY_MS } from '../../src/time.js';
import type { FailRule } from '../../tools/sandbox/faults.js';
import { SeededRandom } from '../../tools/sandbox/random.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import type { HostileJob } from '../helpers/hostile-jobs.js';
import { mintedTokens } from '../helpers/secrets.js';
import { TokenFinder } from '../helpers/token-finder.js';
import { chaosFleet, type FleetEntry, seedFleet } from './fleet.js';
import {
  type CheckerFigures,
  type ExtraReason,
  InvariantChecker,
  type Violation,
} from './invariants.js';
import { planRound, type RoundPlan, THROTTLING } from './plan.js';
import { type Breakage, ChaosWorld } from './world.js';

/** A superseded token's grace period (REVOKE_PREVIOUS_AFTER_HOURS, default 72). */
export const GRACE_MS = 72 * 3_600_000;

/** What a chaos run is made of. */
export interface ChaosOptions {
  readonly seed: number;
  /** Simulated days to run through (the last round may end a little past them). */
  readonly days: number;
  readonly fleetSize: number;
  /** Hostile jobs to mix in now and then. */
  readonly hostile: readonly HostileJob[];
  readonly breakage?: Breakage;
  /** Provoke the odd permanent failure (AccessDeniedException on CreateToken). */
  readonly permanentFaults?: boolean;
  /** Crash a rotator after CreateToken in every round (for short runs that must hit it). */
  readonly crashEveryRound?: boolean;
}

/** What a chaos run found and did. */
export interface ChaosReport {
  readonly seed: number;
  readonly breakage: string | undefined;
  readonly fleet: readonly FleetEntry[];
  readonly rounds: number;
  readonly simulatedDays: number;
  readonly realMs: number;
  readonly violations: readonly Violation[];
  /** Faults and events by kind: the sandbox's injected faults and the runner's own. */
  readonly faults: readonly [string, number][];
  readonly events: readonly [string, number][];
  readonly figures: CheckerFigures;
  readonly revocations: number;
  readonly scanFailures: number;
  /** Tokens still AVAILABLE at the end besides the one each parameter holds, by why. */
  readonly extras: Record<ExtraReason, number>;
}

/** The runner's own faults, counted apart from the sandbox's. */
const RUNNER_FAULTS = [
  'crash after createToken',
  'crash after putToken',
  'visibility timeouts expired mid-flight',
  'duplicate deliveries',
  'stale duplicate deliveries',
  'hostile jobs',
  'forced rotations',
  'overlapping scans',
  'rotator cold starts',
  'lost deletes (after PutParameter, before the delete)',
] as const;

// Jobs the scanner's DeleteMessageBatch answers go missing for: the batch comes back after its
// visibility timeout although it was done (a crash after PutParameter, before the delete).
const LOST_DELETES: FailRule = {
  operation: 'sqs:DeleteMessageBatch',
  count: 3,
  error: 'InternalError',
  when: 'before',
};

// Small enough to mix into a round cheaply; the hostile-jobs suite covers the large ones.
const MAX_CHAOS_HOSTILE_BODY = 8192;

const pick = <T>(random: SeededRandom, items: readonly T[]): T | undefined =>
  items[random.int(items.length)];

/**
 * A seeded chaos run: the fleet, then rounds of a clock jump, faults, a scan, extra deliveries
 * and two rotators draining the queue, with every invariant checked after each round. The seed
 * fixes the fleet, the clock jumps and every round's plan; the sandbox draws its throttling from
 * the same seed, though which call draws which number depends on how the two rotators' calls
 * interleave.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the run's loop reads best as one story, round by round; its parts (plan, world, checker) live in their own modules.
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = new SeededRandom(options.seed);
  const finder = new TokenFinder();
  const world = await ChaosWorld.start({
    seed: options.seed,
    ...(options.breakage === undefined ? {} : { breakage: options.breakage }),
    onSecret: (value) => {
      finder.add(value);
      mintedTokens.add(value);
    },
  });
  try {
    const { sandbox } = world;
    const fleet = chaosFleet(options.fleetSize);
    await seedFleet(sandbox, fleet, random);
    const checker = new InvariantChecker(sandbox, fleet, finder, GRACE_MS);
    const violations: Violation[] = [...checker.start()];
    const hostile = options.hostile.filter((job) => job.body.length <= MAX_CHAOS_HOSTILE_BODY);
    const started = Date.now();
    const startAt = sandbox.clock.nowMs();
    const past: string[] = [];
    let forcedLast: FleetEntry[] = [];
    let scanFailures = 0;
    let rounds = 0;

    const round = async (plan: RoundPlan, faults: boolean): Promise<void> => {
      rounds++;
      sandbox.clock.advance(plan.jumpMs);
      sandbox.faults.clear();
      if (faults) {
        sandbox.faults.add({
          throttle: THROTTLING,
          failNext: [...plan.failures, ...(plan.lostDeletes ? [LOST_DELETES] : [])],
        });
      }
      const scanAt = sandbox.clock.nowMs();
      const dueAtScan = checker.dueNow();
      const errorsBefore = world.errors.length;
      const incompleteBefore = world.incompleteWrites.length;
      let scansCompleted = true;
      for (let scan = 0; scan < (plan.secondScan ? 2 : 1); scan++) {
        if (scan === 1) world.tally.add('overlapping scans');
        try {
          await world.scan();
        } catch (error) {
          scansCompleted = false;
          scanFailures++;
          world.errors.push(error);
        }
      }
      const enqueued = world.jobMessages().filter((message) => !message.inFlight);
      const extra = extraDeliveries(plan, {
        round: rounds,
        random,
        world,
        checker,
        fleet,
        hostile,
        enqueued,
        past,
        forcedLast,
      });
      forcedLast = extra.forced;
      await world.inject(extra.messages);
      past.push(...enqueued.map((message) => message.body));
      if (past.length > 200) past.splice(0, past.length - 200);

      if (faults) {
        for (const crash of plan.crashes) world.armCrash(crash.slot, crash.point, crash.nth);
        if (options.crashEveryRound) world.armCrash(rounds, 'createToken', 1);
        if (plan.midFlight !== undefined)
          world.armMidFlight(plan.midFlight.operation, plan.midFlight.nth);
        if (plan.coldStart !== undefined) world.coldStart(plan.coldStart);
      }
      const drains = await world.drain(plan.batchSizes);
      world.disarm();
      if (plan.lostDeletes && drains.some((drain) => drain.received > 0))
        world.tally.add('lost deletes (after PutParameter, before the delete)');
      violations.push(
        ...checker.afterRound({
          round: rounds,
          scanAt,
          scansCompleted,
          drained: drains.every((drain) => drain.stoppedBy === 'empty'),
          dueAtScan,
          errors: world.errors.slice(errorsBefore),
          enqueued: enqueued.map((message) => message.body),
          incompleteWrites: world.incompleteWrites.slice(incompleteBefore),
        }),
      );
    };

    while (sandbox.clock.nowMs() - startAt < options.days * DAY_MS) {
      await round(planRound(random, { permanentFaults: options.permanentFaults ?? true }), true);
    }
    // Two quiet rounds past the grace period: every superseded token must then be gone.
    for (let i = 0; i < 2; i++) {
      await round(
        { ...planRound(random, { permanentFaults: false }), jumpMs: GRACE_MS + DAY_MS },
        false,
      );
    }
    const injected = [...sandbox.faults.injected].filter(([kind]) => kind !== 'latency');
    const events = world.tally.entries();
    return {
      seed: options.seed,
      breakage: options.breakage?.name,
      fleet,
      rounds,
      simulatedDays: (sandbox.clock.nowMs() - startAt) / DAY_MS,
      realMs: Date.now() - started,
      violations,
      faults: [
        ...injected,
        ...events.filter(([kind]) => (RUNNER_FAULTS as readonly string[]).includes(kind)),
      ],
      events: events.filter(([kind]) => !(RUNNER_FAULTS as readonly string[]).includes(kind)),
      figures: checker.figures,
      revocations: sandbox.licenseManager
        .tokens()
        .filter((token) => token.status === 'DELETED' && token.deletedAt !== undefined).length,
      scanFailures,
      extras: checker.extraTokens(),
    };
  } finally {
    await world.close();
  }
}

/** What the extra deliveries of a round are drawn from. */
interface DeliveryContext {
  readonly round: number;
  readonly random: SeededRandom;
  readonly world: ChaosWorld;
  readonly checker: InvariantChecker;
  readonly fleet: readonly FleetEntry[];
  readonly hostile: readonly HostileJob[];
  /** The jobs the round's scan enqueued. */
  readonly enqueued: readonly StoredMessage[];
  /** Job bodies of earlier rounds. */
  readonly past: readonly string[];
  /** The parameters forced last round. */
  readonly forcedLast: readonly FleetEntry[];
}

type Delivery = { body: string; groupId: string; deduplicationId: string };

/**
 * Messages the round adds to the scan's jobs: each job twice more (once in another group, so two
 * rotators may hold the same parameter at once, which FIFO ordering would otherwise prevent), old
 * jobs long after their version moved on, operator-forced rotations, and hostile jobs.
 */
function extraDeliveries(
  plan: RoundPlan,
  context: DeliveryContext,
): { messages: Delivery[]; forced: FleetEntry[] } {
  const { round, random, world, checker, fleet, past } = context;
  const messages: Delivery[] = [];
  if (plan.triplicate) {
    for (const [index, message] of context.enqueued.entries()) {
      messages.push(
        {
          body: message.body,
          groupId: message.groupId ?? 'dup',
          deduplicationId: `dup-a-${message.messageId}`,
        },
        {
          body: message.body,
          groupId: `dup-${round}-${index}`,
          deduplicationId: `dup-b-${message.messageId}`,
        },
      );
      world.tally.add('duplicate deliveries', 2);
    }
  }
  for (let i = 0; i < plan.staleDuplicates && past.length > 0; i++) {
    const body = pick(random, past) ?? '';
    messages.push({ body, groupId: `stale-${round}-${i}`, deduplicationId: `stale-${round}-${i}` });
    world.tally.add('stale duplicate deliveries');
  }
  const forced = Array.from({ length: plan.forced }, () => pick(random, fleet)).filter(
    (entry): entry is FleetEntry => entry !== undefined,
  );
  const again = plan.reforce ? pick(random, context.forcedLast) : undefined;
  if (again !== undefined) forced.push(again);
  const unique = [...new Set(forced)];
  for (const entry of unique) {
    const version = world.sandbox.ssm.parameter(entry.name)?.version ?? 1;
    const job = newJob(entry.name, version, JobReason.Forced, world.sandbox.clock.now());
    messages.push({
      body: serialiseJob(job),
      groupId: messageGroupId(entry.name),
      deduplicationId: `forced-${round}-${entry.property}`,
    });
    world.tally.add('forced rotations');
  }
  for (let i = 0; i < plan.hostile; i++) {
    const job = pick(random, context.hostile);
    if (job === undefined) break;
    // Half of them in a good parameter's group, ahead of or behind its job.
    const neighbour = random.next() < 0.5 ? pick(random, fleet) : undefined;
    messages.push({
      body: job.body,
      groupId: neighbour === undefined ? `hostile-${round}-${i}` : messageGroupId(neighbour.name),
      deduplicationId: `hostile-${round}-${i}`,
    });
    checker.expectDeadLetter(job.body, job.reason);
    world.tally.add('hostile jobs');
  }
  return { messages, forced: unique };
}

/** How many simulated days to run: CHAOS_DAYS when set (a longer soak), otherwise `fallback`. */
export function chaosDays(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CHAOS_DAYS?.trim();
  if (given === undefined || given === '') return fallback;
  const days = Number(given);
  if (!Number.isFinite(days) || days <= 0) {
    throw new Error(`CHAOS_DAYS must be a number of days above 0, got "${given}"`);
  }
  return days;
}

/** The seed to run with: CHAOS_SEED when set (to replay a run), otherwise a fresh one. */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CHAOS_SEED?.trim();
  if (given === undefined || given === '') return 1 + Math.floor(Math.random() * 2_147_483_646);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 1) {
    throw new Error(`CHAOS_SEED must be a whole number of 1 or more, got "${given}"`);
  }
  return seed;
}
