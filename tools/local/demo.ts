import { GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { ScheduledEvent } from 'aws-lambda';
import scheduledEvent from '../../events/scheduled-event.json' with { type: 'json' };
import { SsmParameterStore } from '../../src/aws/parameter-store.js';
import { licenseId, shortTime, tokenPrefix } from '../../src/cli/format.js';
import { readOperatorConfig } from '../../src/config.js';
import { JobReason, newJob, serialiseJob } from '../../src/rotation/job.js';
import { MAX_BATCH_SIZE } from '../../src/rotation/job-batcher.js';
import { DeadLetterAttribute } from '../../src/rotation/process-message.js';
import type { InventoryItem } from '../../src/rotation/scan.js';
import { isObject } from '../../src/validate.js';
import type { FaultRules } from '../sandbox/faults.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { type SandboxClients, sandboxClients } from './clients.js';
import { DEMO_LICENSES, OUTSIDE_PARAMETER, type SeededFleet, seedDemoFleet } from './demo-fleet.js';
import { type DrainSummary, drainQueue } from './event-source.js';
import { type Handlers, loadHandlers } from './handlers.js';
import { lambdaContext } from './lambda-context.js';
import { createRotatorQueues, type RotatorQueues } from './queues.js';
import { demoTable, readStatus, renderStatus } from './status-table.js';

/** The jobs queue's visibility timeout in the demo, in seconds (a deployment has 120). */
const DEMO_VISIBILITY_TIMEOUT = 30;

/** How long the rotator's queue may take to drain before the demo gives up on it. */
const DRAIN_BUDGET_MS = 20_000;

/** The token path the demo uses: the default of a deployment. */
export const DEMO_TOKEN_PATH = readOperatorConfig({}).tokenPath;

/** How the demo ran, for the exit code and the tests. */
export interface DemoReport {
  readonly rotated: number;
  readonly deadLettered: number;
  /** Managed parameters whose stored token License Manager accepts after the run. */
  readonly working: number;
  readonly managed: number;
  readonly writesOutsideTokenPath: number;
  /** What did not end as the demo expects; empty when all is well. */
  readonly surprises: readonly string[];
}

/** What the demo is asked to do. */
export interface DemoOptions {
  readonly region: string;
  readonly verbose: boolean;
  /** Faults to inject while the handlers run (the seeding and the report go undisturbed). */
  readonly faults?: FaultRules;
  readonly print: (text: string) => void;
}

type Print = DemoOptions['print'];

/** The sandbox as the demo seeded it, and the counts the report measures the run against. */
interface DemoWorld {
  readonly sandbox: Sandbox;
  readonly clients: SandboxClients;
  readonly queues: RotatorQueues;
  readonly fleet: SeededFleet;
  /** SSM writes and License Manager tokens before the handlers ran. */
  readonly writesBefore: number;
  readonly tokensBefore: number;
  /** Every parameter under the token path now, by name. */
  status(): Promise<InventoryItem[]>;
}

/** What the consumer check and the sandbox's own records say after the run. */
interface Aftermath {
  readonly managed: number;
  /** Managed parameters whose token does not work, with the error License Manager gave. */
  readonly broken: readonly (readonly [name: string, error: string])[];
  readonly writesOutside: number;
  readonly minted: number;
}

/** How the run ended, for the report and its verdict. */
interface Outcome {
  readonly rotated: number;
  readonly deadLettered: number;
  readonly drained: boolean;
  readonly aftermath: Aftermath;
}

const label = (licenseArn: string): string =>
  Object.entries(DEMO_LICENSES).find(([, arn]) => arn === licenseArn)?.[0] ?? licenseId(licenseArn);

/** A job nobody should ever enqueue: it names a parameter outside the token path. */
const POISON_JOB = serialiseJob(
  newJob(`${DEMO_TOKEN_PATH}..${OUTSIDE_PARAMETER}`, 1, JobReason.Forced, new Date()),
);

/** Creates the queues, seeds the fleet and queues the poison job; notes the counts before. */
async function prepare(sandbox: Sandbox, region: string): Promise<DemoWorld> {
  const clients = sandboxClients(sandbox.endpoint, region);
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
  const store = new SsmParameterStore(clients.ssm);
  const status = () =>
    readStatus(store, {
      tokenPath: DEMO_TOKEN_PATH,
      now: sandbox.clock.now(),
      renewBeforeDays: undefined,
      revokePreviousAfterHours: 72,
      scanIntervalHours: 6,
    });
  return { sandbox, clients, queues, fleet, writesBefore, tokensBefore, status };
}

function printIntro(world: DemoWorld, before: readonly InventoryItem[], print: Print): void {
  const { sandbox } = world;
  print(
    `license-token-rotator, end to end on this machine: sandbox at ${sandbox.endpoint} (seed ${sandbox.seed})\n`,
  );
  print(
    `Seeded ${world.fleet.managed} tokens minted by the sandbox's License Manager under ${DEMO_TOKEN_PATH}, one hand-made parameter there, ${OUTSIDE_PARAMETER} outside it; the "umbrella" license has since gone. Queued one hand-written job that names a parameter outside the token path.\n`,
  );
  print(`Before, at ${shortTime(sandbox.clock.now().toISOString())} UTC:`);
  print(renderStatus(before, { licenseLabel: label }));
}

/** The real scanner handler on the scheduled event, as EventBridge invokes it. */
async function runScanner(handlers: Handlers, print: Print): Promise<void> {
  const event = structuredClone(scheduledEvent) as ScheduledEvent;
  const summary = await handlers.scanner(
    event,
    lambdaContext('license-token-rotator-local-scanner'),
  );
  print(
    `\nScanner (events/scheduled-event.json): ${summary.scanned} scanned, ${summary.ok} ok, ${summary.due} due, ${summary.expired} expired, ${summary.unmanaged} unmanaged, ${summary.enqueued} jobs enqueued.`,
  );
}

/** The real rotator handler, fed from the jobs queue as Lambda's SQS poller would. */
async function runRotator(
  world: DemoWorld,
  handlers: Handlers,
  print: Print,
): Promise<DrainSummary> {
  const { sandbox } = world;
  let jumps = 0;
  const drain = await drainQueue({
    sqs: world.clients.sqs,
    queueUrl: world.queues.jobQueueUrl,
    handler: handlers.rotator,
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

/** Loads the handlers and runs the scanner, then the rotator, with the faults asked for. */
async function runHandlers(world: DemoWorld, options: DemoOptions): Promise<DrainSummary> {
  const { sandbox } = world;
  const handlers = await loadHandlers({
    endpoint: sandbox.endpoint,
    region: options.region,
    queues: world.queues,
    tokenPath: DEMO_TOKEN_PATH,
    verbose: options.verbose,
  });
  if (options.faults !== undefined) sandbox.faults.add(options.faults);
  await runScanner(handlers, options.print);
  const drain = await runRotator(world, handlers, options.print);
  sandbox.faults.clear();
  const injected = [...sandbox.faults.injected].map(([kind, count]) => `${count} ${kind}`);
  options.print(
    injected.length === 0 ? '' : `Faults injected while they ran: ${injected.join(', ')}.\n`,
  );
  return drain;
}

const tokenOf = (item: InventoryItem): string =>
  item.state === 'unmanaged' ? '-' : tokenPrefix(item.record.tokenId);

/** What the run changed, as a note per parameter whose version moved. */
function changes(
  before: readonly InventoryItem[],
  after: readonly InventoryItem[],
): Map<string, string> {
  const notes = new Map<string, string>();
  for (const item of after) {
    const old = before.find((b) => b.name === item.name);
    if (old === undefined || old.version === item.version) continue;
    notes.set(
      item.name,
      `rotated: v${old.version} -> v${item.version}, token ${tokenOf(old)} -> ${tokenOf(item)}`,
    );
  }
  return notes;
}

/** A dead letter as a row: the parameter its job names, and the reason attached to it. */
function deadLetterRow(message: Message): string[] {
  const attribute = (name: string): string => message.MessageAttributes?.[name]?.StringValue ?? '-';
  let parameter = '(not a job)';
  try {
    const body: unknown = JSON.parse(message.Body ?? '');
    if (isObject(body) && typeof body.parameterName === 'string') parameter = body.parameterName;
  } catch {
    // Leaves "(not a job)".
  }
  return [
    parameter,
    attribute(DeadLetterAttribute.Kind),
    attribute(DeadLetterAttribute.Reason),
    attribute(DeadLetterAttribute.Message),
  ];
}

/** Reads the whole dead-letter queue, one row a message. */
async function deadLetters(clients: SandboxClients, queueUrl: string): Promise<string[][]> {
  const rows: string[][] = [];
  for (;;) {
    const output = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: MAX_BATCH_SIZE,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = output.Messages ?? [];
    if (messages.length === 0) return rows;
    rows.push(...messages.map(deadLetterRow));
  }
}

/** Reads a stored token the way a consumer does and asks License Manager whether it works. */
async function tokenWorks(clients: SandboxClients, name: string): Promise<string | undefined> {
  try {
    const parameter = await clients.ssm.send(
      new GetParameterCommand({ Name: name, WithDecryption: true }),
    );
    await clients.licenseManager.send(
      new GetAccessTokenCommand({ Token: parameter.Parameter?.Value }),
    );
    return undefined;
  } catch (error) {
    return (error as Error).name;
  }
}

/** Checks every stored token as a consumer would, and what the run wrote and minted. */
async function checkAftermath(
  world: DemoWorld,
  after: readonly InventoryItem[],
): Promise<Aftermath> {
  const { sandbox, clients } = world;
  const managed = after.filter((item) => item.state !== 'unmanaged');
  const broken: (readonly [string, string])[] = [];
  for (const item of managed) {
    const problem = await tokenWorks(clients, item.name);
    if (problem !== undefined) broken.push([item.name, problem]);
  }
  const writesOutside = sandbox.ssm
    .writes()
    .slice(world.writesBefore)
    .filter((w) => !w.name.startsWith(DEMO_TOKEN_PATH)).length;
  const minted = sandbox.licenseManager.tokens().length - world.tokensBefore;
  return { managed: managed.length, broken, writesOutside, minted };
}

function printAftermath(aftermath: Aftermath, print: Print): void {
  const { managed, broken } = aftermath;
  print(
    `\nConsumer check (GetParameter --with-decryption, then GetAccessToken): ${managed - broken.length} of ${managed} stored tokens work.`,
  );
  if (broken.length > 0) print(demoTable(broken.map(([name, why]) => [name, `fails: ${why}`])));
  print(
    `Tokens minted by this run: ${aftermath.minted}. Writes outside ${DEMO_TOKEN_PATH}: ${aftermath.writesOutside}.`,
  );
}

/** What did not end as the demo's fleet says it must; empty when all is well. */
function surprisesIn(before: readonly InventoryItem[], outcome: Outcome): string[] {
  const { rotated, deadLettered, aftermath } = outcome;
  const surprises: string[] = [];
  // Every due or expired token rotates, but for the one whose license has gone.
  const expectedRotations = before.filter(
    (item) =>
      (item.state === 'due' || item.state === 'expired') &&
      item.record.licenseArn !== DEMO_LICENSES.umbrella,
  ).length;
  if (rotated !== expectedRotations)
    surprises.push(`${rotated} rotations, expected ${expectedRotations}`);
  if (aftermath.minted !== rotated)
    surprises.push(`${aftermath.minted} tokens minted for ${rotated} rotations`);
  // The poison job and the gone license's job.
  if (deadLettered !== 2) surprises.push(`${deadLettered} dead letters, expected 2`);
  if (aftermath.broken.some(([name]) => !name.includes('/umbrella/')))
    surprises.push('a stored token does not work');
  if (aftermath.writesOutside > 0) surprises.push('something was written outside the token path');
  if (!outcome.drained) surprises.push('the jobs queue was not drained');
  return surprises;
}

/**
 * The `npm start` demo: seeds a fleet in the sandbox, runs the real scanner handler on the
 * scheduled event, drains the jobs queue through the real rotator handler as Lambda's SQS poller
 * would, and reports what changed, what went to the dead-letter queue and why.
 */
export async function runDemo(sandbox: Sandbox, options: DemoOptions): Promise<DemoReport> {
  const { print } = options;
  const started = Date.now();
  const world = await prepare(sandbox, options.region);
  const before = await world.status();
  printIntro(world, before, print);

  const drain = await runHandlers(world, options);
  const after = await world.status();
  const notes = changes(before, after);
  print('After:');
  print(renderStatus(after, { licenseLabel: label, notes }));

  const dead = await deadLetters(world.clients, world.queues.deadLetterQueueUrl);
  print(`\nDead-letter queue (${dead.length} message(s)), each with the reason attached:`);
  print(demoTable([['JOB FOR', 'KIND', 'REASON', 'MESSAGE'], ...dead]));
  const aftermath = await checkAftermath(world, after);
  printAftermath(aftermath, print);

  const surprises = surprisesIn(before, {
    rotated: notes.size,
    deadLettered: dead.length,
    drained: drain.stoppedBy === 'empty',
    aftermath,
  });
  print(
    surprises.length === 0
      ? `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Keep the sandbox running to explore: npm start -- --serve`
      : `\nThe run did not end as expected: ${surprises.join('; ')}.`,
  );
  return {
    rotated: notes.size,
    deadLettered: dead.length,
    working: aftermath.managed - aftermath.broken.length,
    managed: aftermath.managed,
    writesOutsideTokenPath: aftermath.writesOutside,
    surprises,
  };
}
