import { GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { licenseId, shortTime, tokenPrefix } from '../../src/cli/format.js';
import { MAX_BATCH_SIZE } from '../../src/rotation/job-batcher.js';
import { DeadLetterAttribute } from '../../src/rotation/process-message.js';
import type { InventoryItem } from '../../src/rotation/scan.js';
import { isObject } from '../../src/validate.js';
import type { FaultRules } from '../sandbox/faults.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxClients } from './clients.js';
import { DEMO_LICENSES, DEMO_TOKEN_PATH, OUTSIDE_PARAMETER } from './demo-fleet.js';
import { type DemoWorld, type Print, prepareDemo, runRotator, runScanner } from './demo-world.js';
import type { DrainSummary } from './event-source.js';
import { showPickup } from './pickup.js';
import { demoTable, renderStatus } from './status-table.js';

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
  readonly print: Print;
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

/** Runs the scanner, then the rotator, with the faults asked for. */
async function runHandlers(world: DemoWorld, options: DemoOptions): Promise<DrainSummary> {
  const { sandbox } = world;
  if (options.faults !== undefined) sandbox.faults.add(options.faults);
  await runScanner(world, options.print);
  const drain = await runRotator(world, options.print);
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

/** The rotation half: before, the run, after, the dead letters and the consumer check. */
async function showRotation(world: DemoWorld, options: DemoOptions) {
  const { print } = options;
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
  const outcome: Outcome = {
    rotated: notes.size,
    deadLettered: dead.length,
    drained: drain.stoppedBy === 'empty',
    aftermath,
  };
  return { rotated: [...notes.keys()], outcome, surprises: surprisesIn(before, outcome) };
}

/**
 * The `npm start` demo: seeds a fleet in the sandbox, runs the real scanner on the scheduled
 * event, drains the jobs queue through the real rotator as Lambda's SQS poller would, and reports
 * what changed, what went to the dead-letter queue and why. Then a host picks up its parameter's
 * new token through the real exchange, and past the grace period only that parameter's old token
 * is revoked.
 */
export async function runDemo(sandbox: Sandbox, options: DemoOptions): Promise<DemoReport> {
  const { print } = options;
  const started = Date.now();
  const world = await prepareDemo(sandbox, options);
  try {
    const rotation = await showRotation(world, options);
    const pickup = await showPickup(world, rotation.rotated, print);
    const surprises = [...rotation.surprises, ...pickup];
    print(
      surprises.length === 0
        ? `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Keep the sandbox running to explore: npm start -- --serve`
        : `\nThe run did not end as expected: ${surprises.join('; ')}.`,
    );
    const { aftermath } = rotation.outcome;
    return {
      rotated: rotation.outcome.rotated,
      deadLettered: rotation.outcome.deadLettered,
      working: aftermath.managed - aftermath.broken.length,
      managed: aftermath.managed,
      writesOutsideTokenPath: aftermath.writesOutside,
      surprises,
    };
  } finally {
    await world.close();
  }
}
