import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import scheduled from '../../events/scheduled-event.json' with { type: 'json' };
import { createExchange, wireExchange } from '../../src/app/exchange.js';
import { createRotator, RESPONSE_RESERVE_MS, wireRotator } from '../../src/app/rotator.js';
import { createScanner, wireScanner } from '../../src/app/scanner.js';
import { deadlinePlugin, withDeadline } from '../../src/aws/deadline.js';
import { EventBridgeBus } from '../../src/aws/event-bus.js';
import { LicenseManagerTokens } from '../../src/aws/license-manager.js';
import { SqsMessageQueue } from '../../src/aws/message-queue.js';
import { SsmParameterStore } from '../../src/aws/parameter-store.js';
import { SsmTokenVault } from '../../src/aws/token-vault.js';
import { readExchangeConfig, readRotatorConfig, readScannerConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { CLIENT_TOKEN_WINDOW_MS } from '../../src/rotation/client-token.js';
import { EVENT_SOURCE } from '../../src/rotation/events.js';
import type {
  EventPublisher,
  LicenseTokens,
  MessageQueue,
  ParameterStore,
} from '../../src/rotation/ports.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { HOUR_MS } from '../../src/time.js';
import { isObject } from '../../src/validate.js';
import { SANDBOX_CREDENTIALS } from '../../tools/local/clients.js';
import { type DrainSummary, drainQueue, type SqsHandler } from '../../tools/local/event-source.js';
import type { FunctionUrlHandler } from '../../tools/local/function-url.js';
import { LOCAL_ALLOW_LISTS } from '../../tools/local/handlers.js';
import { lambdaContext } from '../../tools/local/lambda-context.js';
import { createRotatorQueues, type RotatorQueues } from '../../tools/local/queues.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import type { StoredMessage } from '../../tools/sandbox/sqs/message.js';
import { TOKEN_PATH } from '../helpers/factories.js';
import { fastRetryStrategy } from '../helpers/fast-retry.js';
import { DRAIN_MAX_POLLS } from '../helpers/harness.js';
import { invoke, startTestSandbox, TEST_REGION } from '../helpers/sandbox.js';
import { CHAOS_LICENSES } from './fleet.js';
import { type TokenDeletion, watchDeletes } from './safety.js';

/**
 * Who sends to the jobs queue, by the access key id the sandbox's SQS reports as SenderId (as AWS
 * reports the IAM identity): the scanner, the one sender the rotators trust (TRUSTED_SENDER_IDS);
 * an operator allowed by the queue policy (forced rotations, floods, a job in the wrong group);
 * and a hostile sender with write access to the queue (the hostile corpus and records' jobs).
 */
export const Sender = {
  Scanner: 'AKIACHAOSSCANNER',
  Operator: 'AKIACHAOSOPERATOR',
  Hostile: 'AKIACHAOSINTRUDER',
} as const;

/** One of the Sender values. */
export type Sender = (typeof Sender)[keyof typeof Sender];

/** The parts of a rotator a broken build (or a crash) can be made of. */
export interface RotatorParts {
  readonly store: ParameterStore;
  readonly tokens: LicenseTokens;
  readonly deadLetters: MessageQueue;
  readonly logger: Logger;
}

/** A deliberately broken rotator: the real one with some of its parts replaced. */
export interface Breakage {
  readonly name: string;
  /** What the bug is, in one line. */
  readonly description: string;
  wrap(parts: RotatorParts, sandbox: Sandbox): RotatorParts;
  /** Deployed without TRUSTED_SENDER_IDS: every sender's jobs may delete. */
  readonly trustsEverySender?: boolean;
}

/** Counts by kind, for the summary. */
export class Tally {
  readonly #counts = new Map<string, number>();

  /** Counts `amount` more of a kind. */
  add(kind: string, amount = 1): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + amount);
  }

  /** Every kind and its count, by name. */
  entries(): [string, number][] {
    return [...this.#counts].sort(([a], [b]) => a.localeCompare(b));
  }
}

/** What a simulated crash throws: the execution environment is gone, nothing after it runs. */
export class SimulatedCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedCrash';
  }
}

/** A PutParameter that took effect, after which its rotation stopped (it died, or lost the answer). */
export interface IncompleteWrite {
  readonly name: string;
  readonly version: number;
}

/** The port calls a crash can follow. */
export type CrashPoint = 'createToken' | 'putToken';

/** A crash as it happened: after which call, and whether its jobs come back late. */
interface Crash {
  readonly point: CrashPoint;
  /** Its jobs come back only after License Manager forgot their ClientTokens. */
  readonly late: boolean;
  readonly write?: IncompleteWrite;
}

/**
 * How long a late crash's jobs stay away: past the ClientToken window, so their retry mints a
 * second token (an event source backed up, a function throttled for minutes).
 */
export const LATE_RETRY_DELAY_MS = CLIENT_TOKEN_WINDOW_MS + 60_000;

/**
 * Kills a rotator instance right after the n-th successful call of a port: that call took effect,
 * nothing after it runs (no PutParameter, no log line, no delete), and the whole invocation fails,
 * as when Lambda's execution environment dies. The next invocation gets a fresh instance.
 */
class CrashSwitch {
  dead = false;
  #plan: { point: CrashPoint; left: number; late: boolean } | undefined;

  constructor(private readonly onCrash: (crash: Crash) => void) {}

  arm(point: CrashPoint, nth: number, late: boolean): void {
    this.#plan = { point, left: nth, late };
  }

  disarm(): void {
    this.#plan = undefined;
  }

  #alive(): void {
    if (this.dead) throw new SimulatedCrash('the execution environment is gone');
  }

  #after(point: CrashPoint, write?: IncompleteWrite): void {
    if (this.#plan?.point !== point || --this.#plan.left > 0) return;
    const { late } = this.#plan;
    this.#plan = undefined;
    this.dead = true;
    this.onCrash({ point, late, ...(write === undefined ? {} : { write }) });
    throw new SimulatedCrash(`the execution environment died right after ${point}`);
  }

  wrap(parts: RotatorParts): RotatorParts {
    const { store, tokens, deadLetters } = parts;
    return {
      logger: parts.logger,
      store: {
        pages: (path) => store.pages(path),
        describe: async (name) => {
          this.#alive();
          return store.describe(name);
        },
        putToken: async (write) => {
          this.#alive();
          const version = await store.putToken(write);
          this.#after('putToken', { name: write.name, version });
          return version;
        },
      },
      tokens: {
        createToken: async (request) => {
          this.#alive();
          const issued = await tokens.createToken(request);
          this.#after('createToken');
          return issued;
        },
        verifyToken: async (token, properties, where) => {
          this.#alive();
          return tokens.verifyToken(token, properties, where);
        },
        deleteToken: async (tokenId, where) => {
          this.#alive();
          return tokens.deleteToken(tokenId, where);
        },
        describeTokens: (ids, region) => tokens.describeTokens(ids, region),
        licenseTokens: (license, region) => tokens.licenseTokens(license, region),
      },
      deadLetters: {
        send: async (message) => {
          this.#alive();
          return deadLetters.send(message);
        },
        sendBatch: (messages) => deadLetters.sendBatch(messages),
      },
    };
  }
}

/**
 * Keeps SQS time honest while two or more rotators drain one queue: a poller that finds nothing
 * to receive while another instance is mid-batch waits for that batch instead of moving the
 * clock (which would expire the other's visibility timeout and stretch its retries past the
 * ClientToken window); only when no batch is being worked on does waiting mean "let the
 * visibility timeouts run out", and the clock jumps.
 */
class Flight {
  #busy = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly jump: () => void) {}

  begin(): void {
    this.#busy++;
  }

  end(): void {
    this.#busy--;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Runs a ReceiveMessage call. It counts as work from the moment it is sent: its messages are
   * in flight as soon as SQS hands them out, and the clock may not jump past their visibility
   * timeout before their handler has even started. A receive that took messages stays counted
   * until its handler ends; one that took none, or failed, ends at once.
   */
  async receiving<T>(receive: () => Promise<T>, took: (output: T) => boolean): Promise<T> {
    this.begin();
    let kept = false;
    try {
      const output = await receive();
      kept = took(output);
      return output;
    } finally {
      if (!kept) this.end();
    }
  }

  async idle(): Promise<void> {
    if (this.#busy > 0) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      return;
    }
    this.jump();
  }
}

/** True when a ReceiveMessage answer carries at least one message. */
const tookMessages = (output: unknown): boolean =>
  typeof output === 'object' &&
  output !== null &&
  'Messages' in output &&
  Array.isArray(output.Messages) &&
  output.Messages.length > 0;

/** A stall: the n-th call of an operation hangs until its job's deadline aborts it. */
export type MidFlightOperation =
  | 'CreateToken'
  | 'GetAccessToken'
  | 'PutParameter'
  | 'DescribeParameters';

/** What the world is built from. */
export interface WorldOptions {
  readonly seed: number;
  readonly breakage?: Breakage;
  /** Licenses besides the fleet's (hostile records name them), all in the default region. */
  readonly extraLicenses?: readonly string[];
  /** Registers every token the sandbox mints (refresh and access tokens) with the leak checks. */
  readonly onSecret: (value: string) => void;
}

/** The jobs queue's visibility timeout, as deployed (serverless.yml). */
const VISIBILITY_TIMEOUT_S = 120;
/** The rotator function's timeout, as deployed (serverless.yml). */
const ROTATOR_TIMEOUT_MS = 20_000;
/**
 * How long a stalled call hangs: until its job's deadline (src/aws/deadline.ts), which aborts
 * every SDK call of the job 1.5 s before the function's timeout. At most that: a job started
 * later in its invocation has less left.
 */
const STALL_MS = ROTATOR_TIMEOUT_MS - RESPONSE_RESERVE_MS;
/** Rotator instances draining the queue at once. */
const CONCURRENT_ROTATORS = 2;
/** SDK attempts per call, the SDK's default. */
const SDK_ATTEMPTS = 3;

interface Slot {
  handler: SqsHandler;
  crash: CrashSwitch;
}

/**
 * The system under test, as deployed, on the sandbox: the real scanner and rotators (src/app,
 * wrapped in the handlers' own middy middleware, so their logs and metrics are the real ones),
 * real SDK clients over HTTP, the FIFO jobs queue with its redrive to the DLQ, two rotator
 * instances consuming at once. The SDK retries as in production (3 attempts) but without its
 * back-off delays, which would turn a throttling storm into minutes of sleeping.
 */
export class ChaosWorld {
  readonly tally = new Tally();
  /** Everything the code under test threw that reached the event source or the scheduler. */
  readonly errors: unknown[] = [];
  /**
   * Writes that took effect while their rotation stopped right there: the rotator died after
   * PutParameter, or PutParameter's answer was lost on every attempt (the call failed).
   */
  readonly incompleteWrites: IncompleteWrite[] = [];
  /** Every DeleteToken that took effect, with the parameters that held its token then. */
  readonly deletions: TokenDeletion[] = [];
  /** The summary of each scan that completed, the latest last. */
  readonly scans: ScanSummary[] = [];
  /** The calls that stalled until their job's deadline aborted them, in order. */
  readonly stalls: MidFlightOperation[] = [];
  readonly #slots: Slot[] = [];
  readonly #flight: Flight;
  #midFlight: { operation: MidFlightOperation; left: number; landed: boolean } | undefined;
  /** A late crash happened: the next wait lets its jobs' ClientTokens lapse. */
  #lateJumpPending = false;

  private constructor(
    readonly sandbox: Sandbox,
    readonly queues: RotatorQueues,
    private readonly breakage: Breakage | undefined,
    private readonly scanner: (event: ScheduledEvent) => Promise<ScanSummary>,
  ) {
    this.#flight = new Flight(() => {
      this.tally.add('visibility timeouts waited out');
      const late = this.#lateJumpPending;
      this.#lateJumpPending = false;
      sandbox.clock.advance(late ? LATE_RETRY_DELAY_MS : VISIBILITY_TIMEOUT_S * 1000 + 1000);
    });
    for (let i = 0; i < CONCURRENT_ROTATORS; i++) this.#slots.push(this.#slot());
    watchDeletes(sandbox, (deletion) => this.deletions.push(deletion));
  }

  /** Starts the sandbox with the fleet's licenses, the queues and the scanner. */
  static async start(options: WorldOptions): Promise<ChaosWorld> {
    const sandbox = await startTestSandbox({
      seed: options.seed,
      licenses: [
        ...CHAOS_LICENSES.map(({ licenseArn, homeRegion }) => ({ licenseArn, homeRegion })),
        ...(options.extraLicenses ?? []).map((licenseArn) => ({
          licenseArn,
          homeRegion: TEST_REGION,
        })),
      ],
      onSecret: options.onSecret,
    });
    const queues = await createRotatorQueues(new SQSClient(clientConfig(sandbox)), {
      prefix: 'chaos',
      visibilityTimeout: VISIBILITY_TIMEOUT_S,
      maxReceiveCount: 5,
    });
    const config = readScannerConfig(environment(queues));
    // The scanner sends as itself: its SenderId is the one the rotators trust.
    const scannerStore = new SsmParameterStore(
      new SSMClient(clientConfig(sandbox, TEST_REGION, Sender.Scanner)),
    );
    const deps = wireScanner(config, {
      store: scannerStore,
      pickups: scannerStore,
      events: eventBus(sandbox, Sender.Scanner),
      queue: new SqsMessageQueue(
        queues.jobQueueUrl,
        new SQSClient(clientConfig(sandbox, TEST_REGION, Sender.Scanner)),
      ),
      tokens: licenseTokens(sandbox, Sender.Scanner),
      clock: () => sandbox.clock.now(),
    });
    const scanner = middy<ScheduledEvent, ScanSummary>()
      .use(injectLambdaContext(deps.logger, { resetKeys: true }))
      .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
      .handler(createScanner(deps));
    return new ChaosWorld(sandbox, queues, options.breakage, (event) =>
      scanner(event, lambdaContext('chaos-scanner')),
    );
  }

  /** The jobs queue's messages (in-process; values of tokens never travel in them). */
  jobMessages(): readonly StoredMessage[] {
    return this.sandbox.sqs.queue('chaos-jobs.fifo')?.messages ?? [];
  }

  /** How long after a rotation the scanner counts a pickup overdue (PICKUP_OVERDUE_HOURS). */
  get pickupOverdueMs(): number {
    return readScannerConfig(environment(this.queues)).pickupOverdueHours * HOUR_MS;
  }

  /** One scheduled scan; resolves with its summary, or rejects as the Lambda invocation would. */
  async scan(): Promise<ScanSummary> {
    const summary = await this.scanner(structuredClone(scheduled) as ScheduledEvent);
    this.scans.push(summary);
    return summary;
  }

  /**
   * Sends messages straight into the jobs queue (in-process: no faults, not counted as calls),
   * each as its sender (its SenderId); returns their SQS message ids, in order.
   */
  async inject(
    messages: readonly { body: string; groupId: string; deduplicationId: string; sender: Sender }[],
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < messages.length; ) {
      // A batch of up to ten consecutive messages of one sender.
      const sender = messages[i]?.sender;
      let end = i + 1;
      while (end < Math.min(i + 10, messages.length) && messages[end]?.sender === sender) end++;
      const batch = messages.slice(i, end);
      const answer = await invoke(
        this.sandbox.sqs,
        'SendMessageBatch',
        {
          QueueUrl: this.queues.jobQueueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: message.body,
            MessageGroupId: message.groupId,
            MessageDeduplicationId: message.deduplicationId,
          })),
        },
        sender === undefined ? {} : { accessKeyId: sender },
      );
      const { Failed: failed, Successful: sent } = answer;
      if (Array.isArray(failed) && failed.length > 0) {
        throw new Error(`could not inject ${failed.length} message(s): ${JSON.stringify(failed)}`);
      }
      const byEntry = new Map(
        (Array.isArray(sent) ? sent : [])
          .filter(isObject)
          .map((entry) => [String(entry.Id), String(entry.MessageId)]),
      );
      for (let index = 0; index < batch.length; index++) {
        ids.push(byEntry.get(String(index)) ?? '');
      }
      i = end;
    }
    return ids;
  }

  /**
   * Makes rotator instance `slot` crash right after its n-th successful `point` call; `late`: its
   * jobs come back only after their ClientTokens lapsed (LATE_RETRY_DELAY_MS).
   */
  armCrash(slot: number, point: CrashPoint, nth: number, late = false): void {
    this.#slots[slot % this.#slots.length]?.crash.arm(point, nth, late);
  }

  /**
   * Stalls the n-th call of an operation until its job's deadline aborts it; `landed`: the call
   * took effect meanwhile (only its answer never came back).
   */
  armMidFlight(operation: MidFlightOperation, nth: number, landed: boolean): void {
    this.#midFlight = { operation, left: nth, landed };
  }

  /** Replaces rotator instance `slot` with a fresh one (a cold start: no remembered home regions). */
  coldStart(slot: number): void {
    const index = slot % this.#slots.length;
    this.#slots[index] = this.#slot();
  }

  /** Forgets crash and mid-flight plans that the round did not use. */
  disarm(): void {
    for (const slot of this.#slots) slot.crash.disarm();
    this.#midFlight = undefined;
  }

  /**
   * Drains the jobs queue with every rotator instance at once, each polling as Lambda's event
   * source does with its own batch size, until the queue is empty (waiting out visibility
   * timeouts by moving the clock).
   */
  async drain(batchSizes: readonly number[]): Promise<DrainSummary[]> {
    const drains = await Promise.all(
      this.#slots.map((slot, index) => this.#drain(slot.handler, batchSizes[index] ?? 10)),
    );
    return drains;
  }

  /**
   * The token exchange as deployed (src/app/exchange.ts, its logs and metrics the real ones), on
   * the sandbox with the deploy's settings, for the hosts' function URL.
   */
  exchange(): FunctionUrlHandler {
    const ssm = new SSMClient(clientConfig(this.sandbox));
    const store = new SsmParameterStore(ssm);
    const deps = wireExchange(readExchangeConfig(environment(this.queues)), {
      store,
      vault: new SsmTokenVault(ssm),
      tokens: licenseTokens(this.sandbox),
      pickups: store,
      events: eventBus(this.sandbox),
      logger: createLogger(),
      clock: () => this.sandbox.clock.now(),
    });
    const handler = createExchange(deps);
    return (event, context) => handler(event, context);
  }

  /** Closes the sandbox. */
  close(): Promise<void> {
    return this.sandbox.close();
  }

  #drain(handler: SqsHandler, batchSize: number): Promise<DrainSummary> {
    const sqs = new SQSClient(clientConfig(this.sandbox));
    // A batch counts as worked on from its receive (see Flight.receiving) to its handler's end.
    sqs.middlewareStack.add(
      (next, context) => (args) =>
        context.commandName === 'ReceiveMessageCommand'
          ? this.#flight.receiving(
              () => next(args),
              (result) => tookMessages(result.output),
            )
          : next(args),
      { step: 'initialize', name: 'chaosFlight' },
    );
    return drainQueue({
      sqs,
      queueUrl: this.queues.jobQueueUrl,
      handler: async (event, context) => {
        this.tally.add('deliveries', event.Records.length);
        this.tally.add('rotator invocations');
        try {
          return await handler(event, context);
        } finally {
          this.#flight.end();
        }
      },
      batchSize,
      maxPolls: DRAIN_MAX_POLLS,
      functionName: 'chaos-rotator',
      onIdle: () => this.#flight.idle(),
      onHandlerError: (error) => this.errors.push(error),
    });
  }

  #slot(): Slot {
    const onCrash = ({ point, late, write }: Crash) => {
      this.tally.add(
        late ? 'late retries (crash, back past the ClientToken window)' : `crash after ${point}`,
      );
      if (late) this.#lateJumpPending = true;
      if (write !== undefined) this.incompleteWrites.push(write);
    };
    const crash = new CrashSwitch(onCrash);
    let instance: SqsHandler | undefined;
    const slot: Slot = {
      crash,
      handler: async (event, context) => {
        if (instance === undefined || slot.crash.dead) {
          // Lambda replaces a dead execution environment: a cold start, the plan carries over.
          if (slot.crash.dead) {
            slot.crash = new CrashSwitch(onCrash);
          }
          instance = this.#rotator(slot.crash);
          this.tally.add('rotator cold starts');
        }
        const response = await instance(event, context);
        if (slot.crash.dead) throw new SimulatedCrash('the invocation died with its environment');
        return response;
      },
    };
    return slot;
  }

  #rotator(crash: CrashSwitch): SqsHandler {
    const store = new SsmParameterStore(this.#stalling(new SSMClient(clientConfig(this.sandbox))));
    const base: RotatorParts = {
      store: {
        pages: (path) => store.pages(path),
        describe: (name) => store.describe(name),
        putToken: async (write) => {
          try {
            return await store.putToken(write);
          } catch (error) {
            // Failed for the rotator, yet the value may be stored: the answer was lost.
            const latest = this.sandbox.ssm.parameter(write.name);
            if (latest?.value === write.token.reveal()) {
              this.incompleteWrites.push({ name: write.name, version: latest.version });
            }
            throw error;
          }
        },
      },
      tokens: new LicenseManagerTokens((region) =>
        this.#stalling(new LicenseManagerClient(clientConfig(this.sandbox, region ?? TEST_REGION))),
      ),
      deadLetters: new SqsMessageQueue(
        this.queues.deadLetterQueueUrl,
        new SQSClient(clientConfig(this.sandbox)),
      ),
      logger: createLogger(),
    };
    const parts = crash.wrap(this.breakage?.wrap(base, this.sandbox) ?? base);
    const { TRUSTED_SENDER_IDS, ...untrusting } = environment(this.queues);
    const env = this.breakage?.trustsEverySender === true ? untrusting : environment(this.queues);
    const deps = wireRotator(readRotatorConfig(env), {
      ...parts,
      pickups: store,
      events: eventBus(this.sandbox),
      clock: () => this.sandbox.clock.now(),
    });
    const lambda = middy<SQSEvent, SQSBatchResponse>()
      .use(injectLambdaContext(deps.logger, { resetKeys: true }))
      .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
      .handler(createRotator(deps));
    return (event, context) => lambda(event, context);
  }

  /**
   * A rotator's SDK client as deployed (bounded by its job's deadline, src/aws/deadline.ts), in
   * which the armed call stalls. On Lambda a stalled call cannot outlive its job: the deadline
   * aborts it 1.5 s before the function's 20 s timeout, far inside the 120 s visibility timeout,
   * so no other delivery of its job can be running meanwhile (an earlier model let the call
   * resume after another rotator had taken the job, which no deployment can do). So the stall
   * moves the clock to the deadline (the other poller works on meanwhile) and the call fails as
   * the deadline fails it, after its effect landed or not; the job is retried after its
   * visibility timeout, by either poller. Concurrent deliveries within the rules remain: the
   * two pollers, and duplicates in one group, each after the other's visibility timeout.
   */
  #stalling<C extends SSMClient | LicenseManagerClient>(client: C): C {
    client.middlewareStack.use(deadlinePlugin());
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const armed = this.#midFlight;
        if (armed === undefined || `${armed.operation}Command` !== context.commandName) {
          return next(args);
        }
        if (--armed.left > 0) return next(args);
        this.#midFlight = undefined;
        this.stalls.push(armed.operation);
        this.tally.add('calls stalled until their job deadline (aborted)');
        this.sandbox.clock.advance(STALL_MS);
        if (armed.landed) {
          this.tally.add('stalled calls that took effect');
          await next(args);
        }
        // The deadline plugin's own failure: its signal has fired.
        return withDeadline(AbortSignal.abort(), () => next(args));
      },
      { step: 'initialize', priority: 'high', name: 'chaosStall' },
    );
    return client;
  }
}

function clientConfig(
  sandbox: Sandbox,
  region = TEST_REGION,
  accessKeyId: string = SANDBOX_CREDENTIALS.accessKeyId,
) {
  return {
    endpoint: sandbox.endpoint,
    region,
    credentials: { ...SANDBOX_CREDENTIALS, accessKeyId },
    maxAttempts: SDK_ATTEMPTS,
    retryStrategy: fastRetryStrategy(SDK_ATTEMPTS),
  };
}

const licenseTokens = (sandbox: Sandbox, accessKeyId?: string): LicenseTokens =>
  new LicenseManagerTokens(
    (region) => new LicenseManagerClient(clientConfig(sandbox, region ?? TEST_REGION, accessKeyId)),
  );

/** The default event bus on the sandbox (its events are the run's record of what happened). */
const eventBus = (sandbox: Sandbox, accessKeyId?: string): EventPublisher =>
  new EventBridgeBus(
    new EventBridgeClient(clientConfig(sandbox, TEST_REGION, accessKeyId)),
    'default',
    EVENT_SOURCE,
  );

const environment = (queues: RotatorQueues): Record<string, string> => ({
  TOKEN_PATH,
  JOB_QUEUE_URL: queues.jobQueueUrl,
  DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
  ...LOCAL_ALLOW_LISTS,
  // REVOCATION_POLICY unset: after-pickup, the default; a quarter of the records say after-grace.
  // Only the scanner's jobs may delete: it has seen every record (and every pickup).
  TRUSTED_SENDER_IDS: Sender.Scanner,
});
