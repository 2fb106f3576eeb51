import { EventType } from '../../src/rotation/events.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { DAY_MS } from '../../src/time.js';
import type { FailRule } from '../../tools/sandbox/faults.js';
import { SeededRandom } from '../../tools/sandbox/random.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import type { HostileJob } from '../helpers/hostile-jobs.js';
import { TEST_REGION } from '../helpers/sandbox.js';
import { mintedTokens } from '../helpers/secrets.js';
import { TokenFinder } from '../helpers/token-finder.js';
import { extraDeliveries } from './deliveries.js';
import { chaosFleet, type FleetEntry, seedFleet } from './fleet.js';
import { HOSTILE_RECORD_LICENSES, type HostileRecord, HostileRecords } from './hostile-records.js';
import { type ConsumerFigures, Consumers } from './hosts.js';
import {
  type CheckerFigures,
  type ExtraReason,
  InvariantChecker,
  type RoundFacts,
} from './invariants.js';
import { planRound, type RoundPlan, THROTTLING } from './plan.js';
import type { Violation } from './violations.js';
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
  /** Provoke the odd permanent failure (access denied, a disabled KMS key). */
  readonly permanentFaults?: boolean;
  /** Crash a rotator after CreateToken in every round (for short runs that must hit it). */
  readonly crashEveryRound?: boolean;
}

/** What a chaos run found and did. */
export interface ChaosReport {
  readonly seed: number;
  readonly breakage: string | undefined;
  readonly fleet: readonly FleetEntry[];
  readonly hostileRecords: readonly HostileRecord[];
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
  /** What the scanner counted at its last scan (its own word: figures, not checks). */
  readonly lastScan: ScanSummary | undefined;
  /** The consumer side: hosts, refreshes, refusals, hostile presenters. */
  readonly consumers: ConsumerFigures;
  /** Pickups the exchange recorded (its Token Picked Up events). */
  readonly pickups: number;
}

/** The runner's own faults, counted apart from the sandbox's. */
const RUNNER_FAULTS = [
  'crash after createToken',
  'crash after putToken',
  'late retries (crash, back past the ClientToken window)',
  'calls stalled until their job deadline (aborted)',
  'stalled calls that took effect',
  'duplicate deliveries',
  'wrong-group copies',
  'stale duplicate deliveries',
  'hostile jobs',
  'hostile-record jobs',
  'forced rotations',
  'forced floods',
  'forced jobs in floods',
  'wrong-group forced jobs',
  'overlapping scans',
  'rotator cold starts',
  'lost deletes (after PutParameter, before the delete)',
] as const;

const isRunnerFault = (kind: string): boolean =>
  (RUNNER_FAULTS as readonly string[]).includes(kind);

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
// Job bodies of earlier rounds kept to send again as stale duplicates.
const PAST_JOBS_KEPT = 200;

/** One chaos run under way: the world, the checker, and what the rounds carry over. */
class ChaosRun {
  readonly violations: Violation[] = [];
  readonly #past: string[] = [];
  #forcedLast: FleetEntry[] = [];
  scanFailures = 0;
  rounds = 0;

  constructor(
    readonly options: ChaosOptions,
    readonly world: ChaosWorld,
    readonly random: SeededRandom,
    readonly fleet: readonly FleetEntry[],
    readonly hostileRecords: HostileRecords,
    readonly checker: InvariantChecker,
    readonly consumers: Consumers,
  ) {}

  /** One round: the clock jump, faults, the scans, extra deliveries, the drain and the checks. */
  async round(plan: RoundPlan, faults: boolean): Promise<void> {
    const { sandbox } = this.world;
    this.rounds++;
    // The hosts' time: their refreshes up to the round's scan, under throttling and the exchange's
    // own faults only (a round's provoked failures are the rotators').
    sandbox.faults.clear();
    if (faults) sandbox.faults.add({ throttle: THROTTLING });
    this.consumers.faulty = faults;
    await this.consumers.advanceTo(sandbox.clock.nowMs() + plan.jumpMs, !faults);
    sandbox.faults.clear();
    if (faults) {
      sandbox.faults.add({
        throttle: THROTTLING,
        failNext: [...plan.failures, ...(plan.lostDeletes ? [LOST_DELETES] : [])],
      });
    }
    await this.hostileRecords.refresh(this.random);
    this.checker.skipOwnWrites();
    const before = {
      scanAt: sandbox.clock.nowMs(),
      dueAtScan: this.checker.dueNow(),
      errors: this.world.errors.length,
      incompleteWrites: this.world.incompleteWrites.length,
      deletions: this.world.deletions.length,
      stalls: this.world.stalls.length,
    };
    const scans: RoundFacts['scans'][number][] = [];
    const scansCompleted = await this.#scan(plan, scans);
    const enqueued = this.world.jobMessages().filter((message) => !message.inFlight);
    await this.#deliver(plan, enqueued);
    if (faults) this.#arm(plan);
    const drains = await this.world.drain(plan.batchSizes);
    this.world.disarm();
    if (plan.lostDeletes && drains.some((drain) => drain.received > 0))
      this.world.tally.add('lost deletes (after PutParameter, before the delete)');
    this.violations.push(
      ...this.checker.afterRound({
        round: this.rounds,
        scanAt: before.scanAt,
        scansCompleted,
        drained: drains.every((drain) => drain.stoppedBy === 'empty'),
        dueAtScan: before.dueAtScan,
        errors: this.world.errors.slice(before.errors),
        enqueued: enqueued.map((message) => message.body),
        incompleteWrites: this.world.incompleteWrites.slice(before.incompleteWrites),
        deletions: this.world.deletions.slice(before.deletions),
        stalls: this.world.stalls.slice(before.stalls),
        scans,
      }),
      ...this.consumers.checkDeletions(this.rounds, this.world.deletions.slice(before.deletions)),
      ...this.consumers.takeViolations(this.rounds),
    );
  }

  /**
   * The round's scan (two overlapping ones, some rounds), each completed one with what it had to
   * count; false when one failed.
   */
  async #scan(plan: RoundPlan, scans: RoundFacts['scans'][number][]): Promise<boolean> {
    let completed = true;
    for (let scan = 0; scan < (plan.secondScan ? 2 : 1); scan++) {
      if (scan === 1) this.world.tally.add('overlapping scans');
      const expected = {
        conflicting: this.hostileRecords.conflicting().size,
        unseen: this.checker.unseenRecords(TEST_REGION),
        deferrals: this.consumers.expectedDeferrals(this.world.pickupOverdueMs),
      };
      try {
        scans.push({ summary: await this.world.scan(), expected });
      } catch (error) {
        completed = false;
        this.scanFailures++;
        this.world.errors.push(error);
      }
    }
    return completed;
  }

  /** Puts the round's extra messages on the queue, noting those that must reach the DLQ. */
  async #deliver(plan: RoundPlan, enqueued: readonly StoredMessage[]): Promise<void> {
    const extra = extraDeliveries(plan, {
      round: this.rounds,
      random: this.random,
      world: this.world,
      fleet: this.fleet,
      hostile: this.options.hostile.filter((job) => job.body.length <= MAX_CHAOS_HOSTILE_BODY),
      hostileRecords: this.hostileRecords,
      enqueued,
      past: this.#past,
      forcedLast: this.#forcedLast,
    });
    this.#forcedLast = extra.forced;
    const ids = await this.world.inject(extra.messages);
    for (const [index, message] of extra.messages.entries()) {
      const id = ids[index];
      if (message.expect !== undefined && id !== undefined) {
        this.checker.expectDeadLetter(id, message.body, message.expect);
      }
    }
    this.#past.push(...enqueued.map((message) => message.body));
    if (this.#past.length > PAST_JOBS_KEPT)
      this.#past.splice(0, this.#past.length - PAST_JOBS_KEPT);
  }

  /** Arms the round's crashes, stalls and cold starts. */
  #arm(plan: RoundPlan): void {
    for (const crash of plan.crashes) {
      this.world.armCrash(crash.slot, crash.point, crash.nth, crash.late);
    }
    if (this.options.crashEveryRound) this.world.armCrash(this.rounds, 'createToken', 1);
    if (plan.midFlight !== undefined) {
      const { operation, nth, landed } = plan.midFlight;
      this.world.armMidFlight(operation, nth, landed);
    }
    if (plan.coldStart !== undefined) this.world.coldStart(plan.coldStart);
  }
}

/**
 * A seeded chaos run: the fleet and the hostile records, then rounds of a clock jump, faults, a
 * scan, extra deliveries and two rotators draining the queue, with every invariant checked after
 * each round, and two quiet rounds at the end after which no token may be left unrecorded. The
 * seed fixes the fleet, the clock jumps and every round's plan; the sandbox draws its throttling
 * from the same seed, though which call draws which number depends on how the two rotators'
 * calls interleave.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = new SeededRandom(options.seed);
  const finder = new TokenFinder();
  const world = await ChaosWorld.start({
    seed: options.seed,
    ...(options.breakage === undefined ? {} : { breakage: options.breakage }),
    extraLicenses: HOSTILE_RECORD_LICENSES,
    onSecret: (value) => {
      // Refresh and access tokens (JWTs) are searched for everywhere; STS's secret keys and
      // session tokens only by the test setup's leak check (the agent registers them unprintable).
      if (value.startsWith('eyJ') && value.split('.').length === 3) finder.add(value);
      mintedTokens.add(value);
    },
  });
  let consumers: Consumers | undefined;
  try {
    const { sandbox } = world;
    const fleet = chaosFleet(options.fleetSize);
    await seedFleet(sandbox, fleet, random);
    const hostileRecords = new HostileRecords(sandbox, fleet);
    await hostileRecords.seed(random);
    const checker = new InvariantChecker(sandbox, fleet, hostileRecords.records, finder, GRACE_MS);
    // The hosts draw from their own sequence: the rounds' plans stay those of the seed.
    consumers = await Consumers.start({
      sandbox,
      fleet,
      random: new SeededRandom(options.seed + 1),
      finder,
      graceMs: GRACE_MS,
      exchange: world.exchange(),
    });
    const run = new ChaosRun(options, world, random, fleet, hostileRecords, checker, consumers);
    run.violations.push(...checker.start());
    const started = Date.now();
    const startAt = sandbox.clock.nowMs();
    while (sandbox.clock.nowMs() - startAt < options.days * DAY_MS) {
      await run.round(
        planRound(random, { permanentFaults: options.permanentFaults ?? true }),
        true,
      );
    }
    // Two quiet rounds past the grace period: every superseded token must then be gone, and
    // every late mint revoked (its window long settled): nothing may be left unrecorded.
    for (let i = 0; i < 2; i++) {
      await run.round(
        { ...planRound(random, { permanentFaults: false }), jumpMs: GRACE_MS + DAY_MS },
        false,
      );
    }
    run.violations.push(...checker.atEnd(run.rounds));
    return report(run, {
      simulatedDays: (sandbox.clock.nowMs() - startAt) / DAY_MS,
      realMs: Date.now() - started,
    });
  } finally {
    await consumers?.close();
    await world.close();
  }
}

/** The run's report, from the sandbox, the checker and the world's tallies. */
function report(run: ChaosRun, time: { simulatedDays: number; realMs: number }): ChaosReport {
  const { sandbox } = run.world;
  const injected = [...sandbox.faults.injected].filter(([kind]) => kind !== 'latency');
  const events = run.world.tally.entries();
  return {
    seed: run.options.seed,
    breakage: run.options.breakage?.name,
    fleet: run.fleet,
    hostileRecords: run.hostileRecords.records,
    rounds: run.rounds,
    ...time,
    violations: run.violations,
    faults: [...injected, ...events.filter(([kind]) => isRunnerFault(kind))],
    events: events.filter(([kind]) => !isRunnerFault(kind)),
    figures: run.checker.figures,
    revocations: sandbox.licenseManager
      .tokens()
      .filter((token) => token.status === 'DELETED' && token.deletedAt !== undefined).length,
    scanFailures: run.scanFailures,
    extras: run.checker.extraTokens(),
    lastScan: run.world.scans.at(-1),
    consumers: run.consumers.figures,
    pickups: sandbox.events.put().filter((event) => event.detailType === EventType.PickedUp).length,
  };
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
