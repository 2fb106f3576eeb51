import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import scheduledEvent from '../../events/scheduled-event.json' with { type: 'json' };
import { SsmParameterStore } from '../../src/aws/parameter-store.js';
import { JobReason, newJob, serialiseJob } from '../../src/rotation/job.js';
import type { InventoryItem, ScanSummary } from '../../src/rotation/scan.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { type SandboxClients, sandboxClients } from './clients.js';
import {
  type DemoHost,
  makeHostDirectory,
  provisionHost,
  removeHostDirectory,
  startExchange,
} from './consumer.js';
import {
  DEMO_TOKEN_PATH,
  HOST_PARAMETER,
  OUTSIDE_PARAMETER,
  type SeededFleet,
  seedDemoFleet,
} from './demo-fleet.js';
import { type DrainSummary, drainQueue } from './event-source.js';
import type { LocalFunctionUrl } from './function-url.js';
import { type Handlers, wireHandlers } from './handlers.js';
import { lambdaContext } from './lambda-context.js';
import { createRotatorQueues, type RotatorQueues } from './queues.js';
import { readStatus } from './status-table.js';

/** The jobs queue's visibility timeout in the demo, in seconds (a deployment has 120). */
const DEMO_VISIBILITY_TIMEOUT = 30;

/** How long the rotator's queue may take to drain before the demo gives up on it. */
const DRAIN_BUDGET_MS = 20_000;

/** Where the demo's lines go. */
export type Print = (text: string) => void;

/** The sandbox as the demo seeded it, the functions wired to it, and its host. */
export interface DemoWorld {
  readonly sandbox: Sandbox;
  readonly clients: SandboxClients;
  readonly queues: RotatorQueues;
  readonly fleet: SeededFleet;
  readonly handlers: Handlers;
  /** The exchange behind its local function URL. */
  readonly exchange: LocalFunctionUrl;
  /** A host holding HOST_PARAMETER's token as it was before the run. */
  readonly host: DemoHost;
  /** SSM writes and License Manager tokens before the handlers ran. */
  readonly writesBefore: number;
  readonly tokensBefore: number;
  /** Every parameter under the token path now, by name. */
  status(): Promise<InventoryItem[]>;
  /** Stops the exchange and removes the host's directory (its token with it). */
  close(): Promise<void>;
}

/** A job nobody should ever enqueue: it names a parameter outside the token path. */
const POISON_JOB = serialiseJob(
  newJob(`${DEMO_TOKEN_PATH}..${OUTSIDE_PARAMETER}`, 1, JobReason.Forced, new Date()),
);

/** The queues and the fleet, the poison job queued, and the counts before the run. */
async function seed(sandbox: Sandbox, clients: SandboxClients) {
  const queues = await createRotatorQueues(clients.sqs, {
    visibilityTimeout: DEMO_VISIBILITY_TIMEOUT,
  });
  const fleet = await seedDemoFleet(sandbox, clients, DEMO_TOKEN_PATH);
  const writesBefore = sandbox.ssm.writes().length;
  const tokensBefore = sandbox.licenseManager.tokens().length;
  await clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: queues.jobQueueUrl,
      MessageBody: POISON_JOB,
      MessageGroupId: 'hand-written',
      MessageDeduplicationId: 'hand-written-poison-job',
    }),
  );
  return { queues, fleet, writesBefore, tokensBefore };
}

/**
 * Creates the queues, seeds the fleet, queues the poison job, provisions the host with its
 * parameter's token of before the run, wires the functions on the sandbox's clock and starts the
 * exchange; notes the counts before.
 */
export async function prepareDemo(
  sandbox: Sandbox,
  options: { readonly region: string; readonly verbose: boolean },
): Promise<DemoWorld> {
  const clients = sandboxClients(sandbox.endpoint, options.region);
  const seeded = await seed(sandbox, clients);
  const handlers = wireHandlers(
    {
      endpoint: sandbox.endpoint,
      region: options.region,
      queues: seeded.queues,
      tokenPath: DEMO_TOKEN_PATH,
      verbose: options.verbose,
    },
    () => sandbox.clock.now(),
  );
  const hostDir = await makeHostDirectory();
  let host: DemoHost;
  let exchange: LocalFunctionUrl;
  try {
    host = await provisionHost(clients.ssm, hostDir, HOST_PARAMETER);
    exchange = await startExchange(sandbox, handlers.exchange, { region: options.region });
  } catch (error) {
    await removeHostDirectory(hostDir);
    throw error;
  }
  const store = new SsmParameterStore(clients.ssm);
  const status = () =>
    readStatus(store, {
      tokenPath: DEMO_TOKEN_PATH,
      now: sandbox.clock.now(),
      renewBeforeDays: undefined,
      revokePreviousAfterHours: handlers.revocation.revokePreviousAfterHours,
      scanIntervalHours: 6,
    });
  const close = async () => {
    await exchange.close();
    await removeHostDirectory(hostDir);
  };
  return { sandbox, clients, ...seeded, handlers, exchange, host, status, close };
}

/** The real scanner on the scheduled event, as EventBridge invokes it; prints its summary. */
export async function runScanner(world: DemoWorld, print: Print): Promise<ScanSummary> {
  const event = structuredClone(scheduledEvent) as ScheduledEvent;
  const summary = await world.handlers.scanner(
    event,
    lambdaContext('license-token-rotator-local-scanner'),
  );
  const revocations = summary.revocationsEnqueued + summary.revocationsDeferred;
  print(
    `\nScanner (events/scheduled-event.json): ${summary.scanned} scanned, ${summary.ok} ok, ${summary.due} due, ${summary.expired} expired, ${summary.unmanaged} unmanaged, ${summary.enqueued} jobs enqueued.${
      revocations === 0
        ? ''
        : ` Previous tokens: ${summary.revocationsEnqueued} to revoke, ${summary.revocationsDeferred} kept awaiting pickup.`
    }`,
  );
  return summary;
}

/** The real rotator, fed from the jobs queue as Lambda's SQS poller would; prints the drain. */
export async function runRotator(world: DemoWorld, print: Print): Promise<DrainSummary> {
  const { sandbox } = world;
  let jumps = 0;
  const drain = await drainQueue({
    sqs: world.clients.sqs,
    queueUrl: world.queues.jobQueueUrl,
    handler: world.handlers.rotator,
    functionName: 'license-token-rotator-local-rotator',
    deadline: Date.now() + DRAIN_BUDGET_MS,
    // A job left to retry waits out its visibility timeout: jump the sandbox's clock, not the user.
    onIdle: () => {
      sandbox.clock.advance(DEMO_VISIBILITY_TIMEOUT * 1000);
      jumps++;
    },
  });
  print(
    `Rotator, fed by a local SQS poller: ${drain.invocations} invocation(s), ${drain.received} message(s), ${drain.deleted} acknowledged, ${drain.failed} left to retry; queue ${drain.stoppedBy === 'empty' ? 'drained' : 'NOT drained before the deadline'}.`,
  );
  if (jumps > 0) {
    print(`Waited out ${jumps} visibility timeout(s) by moving the sandbox's clock ahead.`);
  }
  return drain;
}
