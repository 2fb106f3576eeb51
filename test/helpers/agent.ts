import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTokenCommand } from '@aws-sdk/client-license-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { buildAgent } from '../../scripts/build-agent.mjs';
import { tokenDates } from '../../src/rotation/mint.js';
import { type RotationRecord, serialiseRecord } from '../../src/rotation/record.js';
import {
  type FunctionUrlHandler,
  type LocalFunctionUrl,
  startFunctionUrl,
} from '../../tools/local/function-url.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, ROLE_ARN, TOKEN_PATH } from './factories.js';
import { RecordedExchange } from './recorded-exchange.js';
import { clientsFor, startTestSandbox, TEST_REGION } from './sandbox.js';
import { mintedTokens } from './secrets.js';

/** What a finished agent process printed and how it exited. */
export interface AgentRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The Node.js that runs the agent: this one, or AGENT_NODE (e.g. a Node.js 20, the oldest the
 * agent supports, which the tests themselves cannot run on).
 */
export const AGENT_NODE = process.env.AGENT_NODE ?? process.execPath;

/**
 * Fails when a minted token or an STS secret appears in the text, without showing it. `allowed`
 * are values the text may hold: the credentials `credentials` exists to print.
 */
export function expectNoSecrets(text: string, allowed: readonly string[] = []): void {
  const leaked = [...mintedTokens].filter(
    (secret) => !allowed.includes(secret) && text.includes(secret),
  );
  expect(leaked.length, 'a minted token or an STS secret appears in the agent output').toBe(0);
}

/** A running agent: its output so far, a way to wait on it, and its exit. */
export interface RunningAgent {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the predicate holds over the output; rejects after `timeoutMs`. */
  waitFor(predicate: (stdout: string, stderr: string) => boolean, timeoutMs: number): Promise<void>;
  /** Resolves with what the process printed and its exit code, once it has exited. */
  readonly exited: Promise<AgentRun>;
}

/** Starts the agent file with its arguments and environment; output is collected, never echoed. */
export function spawnAgent(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): RunningAgent {
  const child = spawn(AGENT_NODE, [file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  const changed = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of changed) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of changed) listener();
  });
  const exited = new Promise<AgentRun>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  const waitFor = (predicate: (out: string, err: string) => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate(stdout, stderr)) return;
        changed.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        changed.delete(check);
        reject(new Error(`the agent's output did not reach the expected state in ${timeoutMs} ms`));
      }, timeoutMs);
      changed.add(check);
      check();
    });
  return { child, stdout: () => stdout, stderr: () => stderr, waitFor, exited };
}

/** A clean environment for the agent: no AWS_ variables of this process, the sandbox's endpoint. */
export function agentEnv(
  sandbox: Sandbox,
  extra: Record<string, string> = {},
): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => !entry[0].startsWith('AWS_') && entry[1] !== undefined,
  );
  return {
    ...Object.fromEntries(inherited),
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_REGION: TEST_REGION,
    ...extra,
  };
}

/** The parameter the agent tests' host holds a token of. */
export const AGENT_PARAMETER = `${TOKEN_PATH}acme/prod`;

/**
 * A vendor and a host for the agent's tests: the sandbox (License Manager, STS, SSM), a local
 * function URL in front of an exchange handler (the stand-in unless a test sets another), a temp
 * directory with the host's token file, and the built agent to run against them.
 */
export class AgentWorld {
  readonly sandbox: Sandbox;
  readonly functionUrl: LocalFunctionUrl;
  readonly exchange: RecordedExchange;
  readonly dir: string;
  readonly tokenFile: string;
  /** The built agent, for `spawn` and `run` (tests that call the agent in-process need none). */
  readonly agentFile: string | undefined;
  /** The function behind the URL; a test may replace it (a failing one, the real exchange). */
  handler: FunctionUrlHandler;
  #clientTokens = 0;
  readonly #tokenIds = new Map<string, string>();
  #published: string | undefined;

  private constructor(
    sandbox: Sandbox,
    functionUrl: LocalFunctionUrl,
    exchange: RecordedExchange,
    dir: string,
    agentFile: string | undefined,
  ) {
    this.sandbox = sandbox;
    this.functionUrl = functionUrl;
    this.exchange = exchange;
    this.dir = dir;
    this.agentFile = agentFile;
    this.tokenFile = join(dir, 'license.jwt');
    this.handler = exchange.handler;
  }

  /** Starts a sandbox and a function URL, for the agent file `useAgentWorld` built. */
  static async start(
    options: { agentFile?: string; allowedRoles?: readonly string[] } = {},
  ): Promise<AgentWorld> {
    const sandbox = await startTestSandbox();
    const exchange = new RecordedExchange(sandbox);
    let world: AgentWorld | undefined;
    const functionUrl = await startFunctionUrl({
      sandbox,
      region: TEST_REGION,
      handler: (event, context) => (world?.handler ?? exchange.handler)(event, context),
      ...(options.allowedRoles === undefined ? {} : { allowedRoles: options.allowedRoles }),
    });
    const dir = await mkdtemp(join(tmpdir(), 'lta-host-'));
    world = new AgentWorld(sandbox, functionUrl, exchange, dir, options.agentFile);
    return world;
  }

  /** Stops the servers and removes the temp directory. */
  async close(): Promise<void> {
    await Promise.all([this.functionUrl.close(), this.sandbox.close()]);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Mints a refresh token for the test license and role at the sandbox's License Manager. */
  async mint(): Promise<string> {
    const answer = await clientsFor(this.sandbox).licenseManager.send(
      new CreateTokenCommand({
        LicenseArn: LICENSE_ARN,
        RoleArns: [ROLE_ARN],
        ExpirationInDays: 365,
        ClientToken: `agent-test-${++this.#clientTokens}`,
      }),
    );
    if (answer.Token === undefined || answer.TokenId === undefined) {
      throw new Error('CreateToken returned no token');
    }
    this.#tokenIds.set(answer.Token, answer.TokenId);
    return answer.Token;
  }

  /**
   * Writes a token as the parameter's new version with its rotation record, the one before it
   * as previous: what the rotator writes, so the real exchange reads it as it would in AWS.
   */
  async publish(token: string): Promise<number> {
    const now = this.sandbox.clock.now();
    const tokenId = this.#tokenIds.get(token) ?? 'unknown';
    const record: RotationRecord = {
      v: 1,
      licenseArn: LICENSE_ARN,
      roleArns: [ROLE_ARN],
      tokenProperties: [],
      expirationInDays: 365,
      tokenId,
      ...tokenDates(now, 365),
      ...(this.#published === undefined
        ? {}
        : { previousTokenId: this.#published, rotatedAt: now.toISOString() }),
    };
    const answer = await clientsFor(this.sandbox).ssm.send(
      new PutParameterCommand({
        Name: AGENT_PARAMETER,
        Value: token,
        Type: 'SecureString',
        Description: serialiseRecord(record),
        Overwrite: true,
      }),
    );
    this.#published = tokenId;
    return answer.Version ?? 0;
  }

  /** Mints a token and publishes it as the parameter's next version; returns it. */
  async rotate(): Promise<string> {
    const token = await this.mint();
    await this.publish(token);
    return token;
  }

  /**
   * A parameter rotated once and a host that has not caught up: the parameter's version 1 and 2,
   * the token file holding version 1's token (with a newline, mode 0600).
   */
  async rotatedOnce(): Promise<{ old: string; current: string }> {
    const old = await this.rotate();
    const current = await this.rotate();
    await writeFile(this.tokenFile, `${old}\n`, { mode: 0o600 });
    return { old, current };
  }

  /** `--token-file … --role-arn …`: what every command needs. */
  sourceArgs(): string[] {
    return ['--token-file', this.tokenFile, '--role-arn', ROLE_ARN];
  }

  /** `refresh`'s or `run`'s arguments against this world's exchange. */
  refreshArgs(command: 'refresh' | 'run' = 'refresh'): string[] {
    return [
      command,
      ...this.sourceArgs(),
      '--parameter',
      AGENT_PARAMETER,
      '--exchange-url',
      this.functionUrl.url,
    ];
  }

  /** Starts the agent against this world. */
  spawn(args: readonly string[], env: Record<string, string> = {}): RunningAgent {
    if (this.agentFile === undefined) throw new Error('AgentWorld.start was given no agentFile');
    return spawnAgent(this.agentFile, args, agentEnv(this.sandbox, env));
  }

  /**
   * Runs the agent to its end and checks that no minted token or STS secret was printed, but for
   * what `allowed` returns once it has exited (the credentials `credentials` printed).
   */
  async run(
    args: readonly string[],
    options: { env?: Record<string, string>; allowed?: () => readonly string[] } = {},
  ): Promise<AgentRun> {
    const running = this.spawn(args, options.env);
    // Bounds a hang only: a run takes 0.1 to 1.5 s; the test's own timeout is longer still.
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
    const finished = await running.exited;
    clearTimeout(timer);
    expectNoSecrets(finished.stderr);
    expectNoSecrets(finished.stdout, options.allowed?.());
    return finished;
  }
}

/** What `useAgentWorld` gives a test file. */
export interface AgentWorlds {
  /** Closes the test's world and starts another with these options, the built agent kept. */
  restart(options: { allowedRoles?: readonly string[] }): Promise<void>;
}

/**
 * Builds the agent once for the test file and gives each test a fresh world (closed after it),
 * handed to `use` whenever one starts.
 */
export function useAgentWorld(use: (world: AgentWorld) => void): AgentWorlds {
  let agentFile: string | undefined;
  let current: AgentWorld | undefined;
  const start = async (options: { allowedRoles?: readonly string[] } = {}): Promise<void> => {
    current = await AgentWorld.start({ agentFile, ...options });
    use(current);
  };
  let buildDir = '';
  // Built as `npm run package` builds it, once per file: 0.1 to 2 s, against a 60 s hook timeout.
  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'lta-build-'));
    agentFile = join(buildDir, 'license-token-agent.mjs');
    await buildAgent(agentFile);
  });
  afterAll(() => rm(buildDir, { recursive: true, force: true }));
  beforeEach(() => start());
  afterEach(() => current?.close());
  return {
    restart: async (options) => {
      await current?.close();
      await start(options);
    },
  };
}
