/**
 * The second half of the `npm start` demo: a host picks up its parameter's rotation through the
 * exchange, then, past the grace period, the rotator revokes the old token of that parameter only;
 * the other rotated parameters keep theirs until some host presents the replacement.
 */
import { readFile } from 'node:fs/promises';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { PROGRAM } from '../../src/agent/output.js';
import { shortTime, tokenPrefix } from '../../src/cli/format.js';
import { EventType } from '../../src/rotation/events.js';
import type { InventoryItem } from '../../src/rotation/scan.js';
import { HOUR_MS, MINUTE_MS } from '../../src/time.js';
import {
  type AgentRun,
  CONSUMER_ROLE_ARN,
  refreshArgs,
  runAgentHere,
  shellCommand,
} from './consumer.js';
import { type DemoWorld, type Print, runRotator, runScanner } from './demo-world.js';
import { demoTable } from './status-table.js';

/** What the host's refresh left behind. */
export interface HostFacts {
  readonly agent: AgentRun;
  /** The token file holds the parameter's current token. */
  readonly fileHoldsCurrent: boolean;
  /** The exchange recorded that a host presented the parameter's current token. */
  readonly pickedUp: boolean;
}

/** A rotated parameter's previous token, once its grace period is over. */
export interface PreviousToken {
  readonly name: string;
  readonly tokenId: string;
  /** What License Manager says of it. */
  readonly status: 'AVAILABLE' | 'DELETED' | 'unknown';
  /** The reason on its Token Revoked event, when one was published. */
  readonly revokedBecause: string | undefined;
}

/** The managed parameter of that name, as the status reads it now. */
function managed(items: readonly InventoryItem[], name: string) {
  const item = items.find((candidate) => candidate.name === name);
  return item === undefined || item.state === 'unmanaged' ? undefined : item;
}

/** Whether the host's token file holds what the parameter holds now (compared here, never shown). */
async function fileHoldsCurrent(world: DemoWorld): Promise<boolean> {
  const { host, clients } = world;
  const [held, stored] = await Promise.all([
    readFile(host.tokenFile, 'utf8'),
    clients.ssm.send(new GetParameterCommand({ Name: host.parameterName, WithDecryption: true })),
  ]);
  return held.trim() === stored.Parameter?.Value;
}

/** Whether the exchange announced a pickup of this token of this parameter. */
const pickupAnnounced = (world: DemoWorld, name: string, tokenId: string | undefined): boolean =>
  world.sandbox.events
    .put()
    .some(
      (event) =>
        event.detailType === EventType.PickedUp &&
        event.detail.parameterName === name &&
        event.detail.tokenId === tokenId,
    );

/** The host's agent refreshes its token file through the exchange; prints what it said. */
async function refreshHost(world: DemoWorld, print: Print): Promise<HostFacts> {
  const { host, exchange, sandbox } = world;
  print(
    `\nA host has held ${host.parameterName}'s token since before the rotation, in ${host.tokenFile}. Its agent asks the exchange: the real function behind a local function URL at ${exchange.url} (AuthType AWS_IAM; only ${CONSUMER_ROLE_ARN} may invoke it).`,
  );
  const args = refreshArgs(host, exchange);
  print(`  $ ${shellCommand([PROGRAM, ...args], '  ')}`);
  const agent = await runAgentHere(args, {
    endpoint: sandbox.endpoint,
    now: () => sandbox.clock.now(),
  });
  for (const line of `${agent.stdout}${agent.stderr}`.split('\n').filter((l) => l !== '')) {
    print(`  ${line}`);
  }
  const current = managed(await world.status(), host.parameterName)?.record.tokenId;
  const pickedUp = pickupAnnounced(world, host.parameterName, current);
  const statuses = exchange.requests().map((request) => request.status);
  const asDesigned = statuses.length === 2 && statuses.every((status) => status === 200);
  print(
    `The exchange answered ${statuses.length} call(s) (${statuses.join(', ')})${
      asDesigned
        ? ': the refresh presented the old token and got the new one; the confirmation presented the new one'
        : ''
    }. ${
      pickedUp
        ? `Pickup recorded: Token Picked Up for token ${tokenPrefix(current ?? '')}.`
        : 'No pickup was recorded.'
    }`,
  );
  return { agent, fileHoldsCurrent: await fileHoldsCurrent(world), pickedUp };
}

/** Moves the sandbox's clock past the grace period and runs the scanner and the rotator again. */
async function afterGracePeriod(world: DemoWorld, print: Print): Promise<boolean> {
  const { revokePreviousAfterHours, revocationPolicy } = world.handlers.revocation;
  // A minute more, so that every token rotated above is past it, not on its edge.
  const moved = world.sandbox.clock.advance(revokePreviousAfterHours * HOUR_MS + MINUTE_MS);
  print(
    `\n${revokePreviousAfterHours} h later, past the grace period (REVOKE_PREVIOUS_AFTER_HOURS=${revokePreviousAfterHours}, REVOCATION_POLICY=${revocationPolicy}): the sandbox's clock moves to ${shortTime(moved.toISOString())} UTC, and the scanner and the rotator run again.`,
  );
  await runScanner(world, print);
  const drain = await runRotator(world, print);
  return drain.stoppedBy === 'empty';
}

/** Where each rotated parameter's previous token stands now. */
async function previousTokens(
  world: DemoWorld,
  rotated: readonly string[],
): Promise<PreviousToken[]> {
  const items = await world.status();
  const minted = world.sandbox.licenseManager.tokens();
  const revoked = world.sandbox.events.put().filter((e) => e.detailType === EventType.Revoked);
  const tokens: PreviousToken[] = [];
  for (const name of rotated) {
    const tokenId = managed(items, name)?.record.previousTokenId ?? '';
    const reason = revoked.find(
      (e) => e.detail.parameterName === name && e.detail.tokenId === tokenId,
    )?.detail.reason;
    tokens.push({
      name,
      tokenId,
      status: minted.find((token) => token.tokenId === tokenId)?.status ?? 'unknown',
      revokedBecause: typeof reason === 'string' ? reason : undefined,
    });
  }
  return tokens;
}

/** The previous tokens as a table, the host's parameter first. */
function previousTable(tokens: readonly PreviousToken[], hostParameter: string): string {
  const ordered = [...tokens].sort(
    (a, b) => Number(b.name === hostParameter) - Number(a.name === hostParameter),
  );
  const why = (token: PreviousToken): string => {
    if (token.revokedBecause !== undefined) {
      const whose = token.name === hostParameter ? ': its host picked up the new token' : '';
      return `revoked (${token.revokedBecause})${whose}`;
    }
    return token.status === 'DELETED'
      ? 'revoked'
      : 'kept: awaiting pickup, no host presented the new token';
  };
  return demoTable([
    ['PARAMETER', 'PREVIOUS TOKEN', 'LICENSE MANAGER', 'WHY'],
    ...ordered.map((token) => [token.name, tokenPrefix(token.tokenId), token.status, why(token)]),
  ]);
}

/** What did not end as the pickup half of the demo expects; empty when all is well. */
export function pickupSurprises(
  host: HostFacts,
  tokens: readonly PreviousToken[],
  hostParameter: string,
): string[] {
  const surprises: string[] = [];
  if (host.agent.code !== 0) surprises.push(`the host's agent exited ${host.agent.code}`);
  if (!host.fileHoldsCurrent) surprises.push("the host's token file does not hold the new token");
  if (!host.pickedUp) surprises.push("the exchange recorded no pickup of the host's new token");
  const picked = tokens.find((token) => token.name === hostParameter);
  if (picked?.status !== 'DELETED' || picked.revokedBecause !== 'picked-up') {
    surprises.push("the host's old token was not revoked after the pickup");
  }
  const early = tokens.filter(
    (token) => token.name !== hostParameter && token.status !== 'AVAILABLE',
  );
  if (early.length > 0) {
    surprises.push(
      `${early.length} old token(s) gone although no host picked up their replacement`,
    );
  }
  return surprises;
}

/**
 * The host refreshes through the exchange, the grace period passes, the scanner and the rotator
 * run again, and the previous tokens of the `rotated` parameters are reported: the host's revoked,
 * the others kept. Returns what did not end as expected.
 */
export async function showPickup(
  world: DemoWorld,
  rotated: readonly string[],
  print: Print,
): Promise<string[]> {
  const host = await refreshHost(world, print);
  const drained = await afterGracePeriod(world, print);
  const tokens = await previousTokens(world, rotated);
  print(`\nPrevious tokens of the ${tokens.length} parameters rotated above:`);
  print(previousTable(tokens, world.host.parameterName));
  const surprises = pickupSurprises(host, tokens, world.host.parameterName);
  return drained
    ? surprises
    : [...surprises, 'the jobs queue was not drained after the grace period'];
}
