import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import scheduled from '../../events/scheduled-event.json' with { type: 'json' };
import { createRotator, wireRotator } from '../../src/app/rotator.js';
import { createScanner, wireScanner } from '../../src/app/scanner.js';
import { LicenseManagerTokens } from '../../src/aws/license-manager.js';
import { SqsMessageQueue } from '../../src/aws/message-queue.js';
import { SsmParameterStore } from '../../src/aws/parameter-store.js';
import { readRotatorConfig, readScannerConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { CLIENT_TOKEN_WINDOW_MS } from '../../src/rotation/client-token.js';
import type { LicenseTokens, MessageQueue, ParameterStore } from '../../src/rotation/ports.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { isObject } from '../../src/validate.js';
import { SANDBOX_CREDENTIALS } from '../../tools/local/clients.js';
import { type DrainSummary, drainQueue, type SqsHandler } from '../../tools/local/event-source.js';
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

/** Ends a drain that should only take what it can receive now. */
class StopDraining extends Error {}

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

/** A mid-flight expiry: stall the n-th call of an operation while another rotator takes its job. */
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
  /** The calls that stalled past their job's visibility timeout, in order. */
  readonly stalls: MidFlightOperation[] = [];
  readonly #slots: Slot[] = [];
  readonly #flight: Flight;
  #midFlight: { operation: MidFlightOperation; left: number } | undefined;
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
    sandbox.beforeCall = (call) => this.#beforeCall(call.operation);
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
    const deps = wireScanner(config, {
      store: new SsmParameterStore(new SSMClient(clientConfig(sandbox))),
      queue: new SqsMessageQueue(queues.jobQueueUrl, new SQSClient(clientConfig(sandbox))),
      tokens: licenseTokens(sandbox),
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

  /** One scheduled scan; resolves with its summary, or rejects as the Lambda invocation would. */
  async scan(): Promise<ScanSummary> {
    const summary = await this.scanner(structuredClone(scheduled) as ScheduledEvent);
    this.scans.push(summary);
    return summary;
  }

  /**
   * Sends messages straight into the jobs queue (in-process: no faults, not counted as calls);
   * returns their SQS message ids, in order.
   */
  async inject(
    messages: readonly { body: string; groupId: string; deduplicationId: string }[],
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < messages.length; i += 10) {
      const answer = await invoke(this.sandbox.sqs, 'SendMessageBatch', {
        QueueUrl: this.queues.jobQueueUrl,
        Entries: messages.slice(i, i + 10).map((message, index) => ({
          Id: String(index),
          MessageBody: message.body,
          MessageGroupId: message.groupId,
          MessageDeduplicationId: message.deduplicationId,
        })),
      });
      const { Failed: failed, Successful: sent } = answer;
      if (Array.isArray(failed) && failed.length > 0) {
        throw new Error(`could not inject ${failed.length} message(s): ${JSON.stringify(failed)}`);
      }
      const byEntry = new Map(
        (Array.isArray(sent) ? sent : [])
          .filter(isObject)
          .map((entry) => [String(entry.Id), String(entry.MessageId)]),
      );
      for (let index = 0; index < Math.min(10, messages.length - i); index++) {
        ids.push(byEntry.get(String(index)) ?? '');
      }
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

  /** Stalls the n-th call of an operation until its job's visibility timeout ran out and another rotator took it. */
  armMidFlight(operation: MidFlightOperation, nth: number): void {
    this.#midFlight = { operation, left: nth };
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

  /** Stops watching the sandbox and closes it. */
  close(): Promise<void> {
    this.sandbox.beforeCall = undefined;
    return this.sandbox.close();
  }

  #drain(handler: SqsHandler, batchSize: number, stopWhenIdle = false): Promise<DrainSummary> {
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
      onIdle: () => {
        if (stopWhenIdle) throw new StopDraining();
        return this.#flight.idle();
      },
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
    const store = new SsmParameterStore(new SSMClient(clientConfig(this.sandbox)));
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
      tokens: licenseTokens(this.sandbox),
      deadLetters: new SqsMessageQueue(
        this.queues.deadLetterQueueUrl,
        new SQSClient(clientConfig(this.sandbox)),
      ),
      logger: createLogger(),
    };
    const parts = crash.wrap(this.breakage?.wrap(base, this.sandbox) ?? base);
    const deps = wireRotator(readRotatorConfig(environment(this.queues)), {
      ...parts,
      clock: () => this.sandbox.clock.now(),
    });
    const lambda = middy<SQSEvent, SQSBatchResponse>()
      .use(injectLambdaContext(deps.logger, { resetKeys: true }))
      .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
      .handler(createRotator(deps));
    return (event, context) => lambda(event, context);
  }

  async #beforeCall(operation: string): Promise<void> {
    const armed = this.#midFlight;
    if (armed === undefined || armed.operation !== operation || --armed.left > 0) return;
    this.#midFlight = undefined;
    this.stalls.push(armed.operation);
    this.tally.add('visibility timeouts expired mid-flight');
    // This call's invocation is stalled, not working: let other pollers move time on.
    this.#flight.end();
    try {
      this.sandbox.clock.advance(VISIBILITY_TIMEOUT_S * 1000 + 1000);
      // Another execution environment receives the job again and finishes it meanwhile. It
      // stops when nothing is left to receive rather than wait out more visibility timeouts: the
      // stalled call resumes one timeout later, inside the ClientToken window, as the queue
      // settings promise (no invocation outlives its 20 s timeout, let alone ten minutes).
      await this.#drain(this.#rotator(new CrashSwitch(() => undefined)), 10, true);
    } catch (error) {
      if (!(error instanceof StopDraining)) throw error;
    } finally {
      this.#flight.begin();
    }
  }
}

function clientConfig(sandbox: Sandbox, region = TEST_REGION) {
  return {
    endpoint: sandbox.endpoint,
    region,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: SDK_ATTEMPTS,
    retryStrategy: fastRetryStrategy(SDK_ATTEMPTS),
  };
}

const licenseTokens = (sandbox: Sandbox): LicenseTokens =>
  new LicenseManagerTokens(
    (region) => new LicenseManagerClient(clientConfig(sandbox, region ?? TEST_REGION)),
  );

const environment = (queues: RotatorQueues): Record<string, string> => ({
  TOKEN_PATH,
  JOB_QUEUE_URL: queues.jobQueueUrl,
  DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
  ...LOCAL_ALLOW_LISTS,
  // No host picks tokens up in this world: revocation after the grace period.
  REVOCATION_POLICY: 'after-grace',
});
