import { GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { ScheduledEvent } from 'aws-lambda';
import scheduledEvent from '../../events/scheduled-event.json' with { type: 'json' };
import { SsmParameterStore } from '../../src/aws/parameter-store.js';
import { licenseId, shortTime, tokenPrefix } from '../../src/cli/format.js';
import { DeadLetterAttribute } from '../../src/rotation/process-message.js';
import type { InventoryItem } from '../../src/rotation/scan.js';
import type { FaultRules } from '../sandbox/faults.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { type SandboxClients, sandboxClients } from './clients.js';
import { DEMO_LICENSES, OUTSIDE_PARAMETER, seedDemoFleet } from './demo-fleet.js';
import { drainQueue } from './event-source.js';
import { loadHandlers } from './handlers.js';
import { lambdaContext } from './lambda-context.js';
import { createRotatorQueues } from './queues.js';
import { demoTable, readStatus, renderStatus } from './status-table.js';

/** The jobs queue's visibility timeout in the demo, in seconds (a deployment has 120). */
const DEMO_VISIBILITY_TIMEOUT = 30;

/** The token path the demo uses (the default of a deployment). */
export const DEMO_TOKEN_PATH = '/license-tokens/';

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

const label = (licenseArn: string): string =>
  Object.entries(DEMO_LICENSES).find(([, arn]) => arn === licenseArn)?.[0] ?? licenseId(licenseArn);

/** A job nobody should ever enqueue: it names a parameter outside the token path. */
const POISON_JOB = JSON.stringify({
  v: 1,
  parameterName: `${DEMO_TOKEN_PATH}../app/database/password`,
  observedVersion: 1,
  reason: 'forced',
  enqueuedAt: new Date().toISOString(),
});

async function deadLetters(clients: SandboxClients, queueUrl: string): Promise<string[][]> {
  const rows: string[][] = [];
  while (true) {
    const output = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = output.Messages ?? [];
    if (messages.length === 0) return rows;
    for (const message of messages) {
      const attribute = (name: string): string =>
        message.MessageAttributes?.[name]?.StringValue ?? '-';
      let parameter = '(not a job)';
      try {
        const body: unknown = JSON.parse(message.Body ?? '');
        const name = (body as { parameterName?: unknown } | null)?.parameterName;
        if (typeof name === 'string') parameter = name;
      } catch {
        // Leaves "(not a job)".
      }
      rows.push([
        parameter,
        attribute(DeadLetterAttribute.Kind),
        attribute(DeadLetterAttribute.Reason),
        attribute(DeadLetterAttribute.Message),
      ]);
    }
  }
}

/** Reads each stored token the way a consumer does and asks License Manager whether it works. */
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

/**
 * The `npm start` demo: seeds a fleet in the sandbox, runs the real scanner handler on the
 * scheduled event, drains the jobs queue through the real rotator handler as Lambda's SQS poller
 * would, and reports what changed, what went to the dead-letter queue and why.
 */
export async function runDemo(
  sandbox: Sandbox,
  options: {
    readonly region: string;
    readonly verbose: boolean;
    /** Faults to inject while the handlers run (the seeding and the report go undisturbed). */
    readonly faults?: FaultRules;
    readonly print: (text: string) => void;
  },
): Promise<DemoReport> {
  const { print } = options;
  const started = Date.now();
  const clients = sandboxClients(sandbox.endpoint, options.region);
  const queues = await createRotatorQueues(clients.sqs, {
    visibilityTimeout: DEMO_VISIBILITY_TIMEOUT,
  });
  let jumps = 0;
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
    });

  print(
    `license-token-rotator, end to end on this machine: sandbox at ${sandbox.endpoint} (seed ${sandbox.seed})\n`,
  );
  print(
    `Seeded ${fleet.managed} tokens minted by the sandbox's License Manager under ${DEMO_TOKEN_PATH}, one hand-made parameter there, ${OUTSIDE_PARAMETER} outside it; the "umbrella" license has since gone. Queued one hand-written job that names a parameter outside the token path.\n`,
  );
  const before = await status();
  print(`Before, at ${shortTime(sandbox.clock.now().toISOString())} UTC:`);
  print(renderStatus(before, { licenseLabel: label }));

  const handlers = await loadHandlers({
    endpoint: sandbox.endpoint,
    region: options.region,
    queues,
    tokenPath: DEMO_TOKEN_PATH,
    verbose: options.verbose,
  });
  const event = structuredClone(scheduledEvent) as ScheduledEvent;
  if (options.faults !== undefined) sandbox.faults.add(options.faults);
  const summary = await handlers.scanner(
    event,
    lambdaContext('license-token-rotator-local-scanner'),
  );
  print(
    `\nScanner (events/scheduled-event.json): ${summary.scanned} scanned, ${summary.ok} ok, ${summary.due} due, ${summary.expired} expired, ${summary.unmanaged} unmanaged, ${summary.enqueued} jobs enqueued.`,
  );
  const drain = await drainQueue({
    sqs: clients.sqs,
    queueUrl: queues.jobQueueUrl,
    handler: handlers.rotator,
    functionName: 'license-token-rotator-local-rotator',
    deadline: Date.now() + 20_000,
    // A job left to retry waits out its visibility timeout: jump the sandbox's clock, not the user.
    onIdle: () => {
      sandbox.clock.advance(DEMO_VISIBILITY_TIMEOUT * 1000);
      jumps++;
    },
  });
  sandbox.faults.clear();
  const injected = [...sandbox.faults.injected].map(([kind, count]) => `${count} ${kind}`);
  print(
    `Rotator, fed by a local SQS poller: ${drain.invocations} invocation(s), ${drain.received} message(s), ${drain.deleted} acknowledged, ${drain.failed} left to retry; queue ${drain.stoppedBy === 'empty' ? 'drained' : 'NOT drained before the deadline'}.`,
  );
  if (jumps > 0) {
    print(`Waited out ${jumps} visibility timeout(s) by moving the sandbox's clock ahead.`);
  }
  print(injected.length === 0 ? '' : `Faults injected while they ran: ${injected.join(', ')}.\n`);

  const after = await status();
  const notes = changes(before, after);
  print('After:');
  print(renderStatus(after, { licenseLabel: label, notes }));

  const dead = await deadLetters(clients, queues.deadLetterQueueUrl);
  print(`\nDead-letter queue (${dead.length} message(s)), each with the reason attached:`);
  print(demoTable([['JOB FOR', 'KIND', 'REASON', 'MESSAGE'], ...dead]));

  const managed = after.filter((row) => row.state !== 'unmanaged');
  const broken: string[][] = [];
  for (const row of managed) {
    const problem = await tokenWorks(clients, row.name);
    if (problem !== undefined) broken.push([row.name, problem]);
  }
  const outside = sandbox.ssm
    .writes()
    .slice(writesBefore)
    .filter((w) => !w.name.startsWith(DEMO_TOKEN_PATH));
  const minted = sandbox.licenseManager.tokens().length - tokensBefore;
  print(
    `\nConsumer check (GetParameter --with-decryption, then GetAccessToken): ${managed.length - broken.length} of ${managed.length} stored tokens work.`,
  );
  if (broken.length > 0)
    print(demoTable(broken.map(([name = '', why = '']) => [name, `fails: ${why}`])));
  print(
    `Tokens minted by this run: ${minted}. Writes outside ${DEMO_TOKEN_PATH}: ${outside.length}.`,
  );

  const surprises: string[] = [];
  const expectedRotations = before.filter(
    (item) =>
      (item.state === 'due' || item.state === 'expired') &&
      item.record.licenseArn !== DEMO_LICENSES.umbrella,
  ).length;
  if (notes.size !== expectedRotations)
    surprises.push(`${notes.size} rotations, expected ${expectedRotations}`);
  if (minted !== notes.size) surprises.push(`${minted} tokens minted for ${notes.size} rotations`);
  if (dead.length !== 2) surprises.push(`${dead.length} dead letters, expected 2`);
  if (broken.some(([name]) => !name?.includes('/umbrella/')))
    surprises.push('a stored token does not work');
  if (outside.length > 0) surprises.push('something was written outside the token path');
  if (drain.stoppedBy !== 'empty') surprises.push('the jobs queue was not drained');
  print(
    surprises.length === 0
      ? `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Keep the sandbox running to explore: npm start -- --serve`
      : `\nThe run did not end as expected: ${surprises.join('; ')}.`,
  );
  return {
    rotated: notes.size,
    deadLettered: dead.length,
    working: managed.length - broken.length,
    managed: managed.length,
    writesOutsideTokenPath: outside.length,
    surprises,
  };
}
