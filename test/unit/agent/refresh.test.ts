import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../../src/agent/cli.js';
import { ExitCode } from '../../../src/agent/errors.js';
import type { FunctionUrlHandler } from '../../../tools/local/function-url.js';
import { AgentWorld, agentEnv, expectNoSecrets } from '../../helpers/agent.js';

// The agent in-process, against the sandbox and a local function URL: the cases that need an
// exchange misbehaving between two calls of one refresh.

let world: AgentWorld;
beforeEach(async () => {
  world = await AgentWorld.start();
});
afterEach(() => world.close());

/** Runs the agent in this process, as main.ts does, and checks what it printed for secrets. */
async function agent(args: readonly string[]) {
  const [stdout, stderr]: [string[], string[]] = [[], []];
  const code = await runAgent(args, {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env: agentEnv(world.sandbox),
    stopSignal: () => new AbortController().signal,
  });
  const printed = { code, stdout: stdout.join(''), stderr: stderr.join('') };
  expectNoSecrets(printed.stdout + printed.stderr);
  return printed;
}

/** The stand-in, with `before` run ahead of the n-th call (1-based) and its answer replaced if it returns one. */
function around(
  before: (call: number) => Promise<Awaited<ReturnType<FunctionUrlHandler>> | undefined>,
): FunctionUrlHandler {
  let calls = 0;
  return async (event, context) =>
    (await before(++calls)) ?? world.exchange.handler(event, context);
}

describe('a refresh whose delivery is disturbed', () => {
  it('warns but succeeds when the confirmation fails: the next refresh confirms', async () => {
    const { current } = await world.rotatedOnce();
    world.handler = around(async (call) => (call === 2 ? { statusCode: 503 } : undefined));

    const run = await agent(world.refreshArgs());

    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toMatch(/^refreshed .*, version 2, /);
    expect(run.stderr).toBe(
      'license-token-agent: warning: the pickup was not confirmed (the exchange answered HTTP 503); the next refresh will\n',
    );
    expect(await readFile(world.tokenFile, 'utf8')).toBe(`${current}\n`);
    expect(world.exchange.pickups()).toEqual([]);
  });

  it('warns but succeeds when --on-change fails', async () => {
    const { current } = await world.rotatedOnce();

    const run = await agent([...world.refreshArgs(), '--on-change', 'exit 7']);

    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toBe('license-token-agent: warning: --on-change failed: it exited 7\n');
    expect(await readFile(world.tokenFile, 'utf8')).toBe(`${current}\n`);
  });

  it('delivers a token rotated while the previous one was being confirmed', async () => {
    await world.rotatedOnce();
    let newest = '';
    world.handler = around(async (call) => {
      if (call === 2) newest = await world.rotate();
      return undefined;
    });

    const run = await agent(world.refreshArgs());

    expect(run).toMatchObject({ code: ExitCode.Ok, stderr: '' });
    expect(run.stdout).toMatch(/^refreshed .*, version 3, /);
    expect(await readFile(world.tokenFile, 'utf8')).toBe(`${newest}\n`);
    expect(world.exchange.calls().map((c) => c.presented)).toEqual([
      'previous',
      'previous',
      'current',
    ]);
    expect(world.exchange.pickups()).toHaveLength(1);
  });

  it('stops following after three deliveries when every confirmation meets a newer token', async () => {
    await world.rotatedOnce();
    const published: string[] = [];
    world.handler = around(async (call) => {
      if (call >= 2) published.push(await world.rotate());
      return undefined;
    });

    const run = await agent(world.refreshArgs());

    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toBe(
      'license-token-agent: warning: the exchange holds a newer token still; the next refresh fetches it\n',
    );
    expect(run.stdout).toMatch(/^refreshed .*, version 4, /);
    expect(published).toHaveLength(3);
    expect(await readFile(world.tokenFile, 'utf8')).toBe(`${published[1]}\n`);
  });
});
