/**
 * The consumer side of the local runs: the token exchange behind a local function URL that only
 * the hosts' role may invoke, and a demo host, which holds a parameter's token in a file and
 * refreshes it with license-token-agent.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { runAgent } from '../../src/agent/cli.js';
import { TOKEN_FILE_MODE } from '../../src/agent/token-file.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import {
  type FunctionUrlHandler,
  type LocalFunctionUrl,
  startFunctionUrl,
} from './function-url.js';
import { CONSUMER_ROLE_ARN } from './seed.js';

export { CONSUMER_ROLE_ARN };

/** The exchange's name in its Lambda context. */
const EXCHANGE_FUNCTION = 'license-token-rotator-local-exchange';

/** How to run the local exchange. */
export interface ExchangeSetup {
  /** The function's region: hosts sign for it. */
  readonly region: string;
  /** The clock signatures are held to (default: the sandbox's; see FunctionUrlOptions). */
  readonly signingClock?: () => number;
}

/**
 * Starts the exchange behind a local function URL (AuthType AWS_IAM) on a free port, its resource
 * policy letting the hosts' role invoke it and no other.
 */
export function startExchange(
  sandbox: Sandbox,
  handler: FunctionUrlHandler,
  setup: ExchangeSetup,
): Promise<LocalFunctionUrl> {
  return startFunctionUrl({
    sandbox,
    handler,
    region: setup.region,
    functionName: EXCHANGE_FUNCTION,
    allowedRoles: [CONSUMER_ROLE_ARN],
    ...(setup.signingClock === undefined ? {} : { signingClock: setup.signingClock }),
  });
}

/** A demo host: the parameter it holds a token of, and the file that holds it. */
export interface DemoHost {
  readonly parameterName: string;
  readonly tokenFile: string;
}

/** A new directory of the host's own, under the system's temp directory. */
export const makeHostDirectory = (): Promise<string> =>
  mkdtemp(join(tmpdir(), 'license-token-host-'));

/** Removes a host directory, token file and all. */
export const removeHostDirectory = (dir: string): Promise<void> =>
  rm(dir, { recursive: true, force: true });

/**
 * Provisions a host as a vendor does by hand: reads the parameter's current token
 * (GetParameter --with-decryption) and writes it to `license.jwt` in the host's directory,
 * readable by its owner only.
 */
export async function provisionHost(
  ssm: SSMClient,
  dir: string,
  parameterName: string,
): Promise<DemoHost> {
  const answer = await ssm.send(
    new GetParameterCommand({ Name: parameterName, WithDecryption: true }),
  );
  const token = answer.Parameter?.Value;
  if (token === undefined) throw new Error(`${parameterName} holds no value`);
  const tokenFile = join(dir, 'license.jwt');
  await writeFile(tokenFile, `${token}\n`, { mode: TOKEN_FILE_MODE });
  return { parameterName, tokenFile };
}

/** `license-token-agent refresh`'s arguments for the host, against the exchange. */
export function refreshArgs(
  host: DemoHost,
  exchange: Pick<LocalFunctionUrl, 'url' | 'region'>,
): string[] {
  return [
    'refresh',
    '--token-file',
    host.tokenFile,
    '--parameter',
    host.parameterName,
    '--exchange-url',
    exchange.url,
    '--role-arn',
    CONSUMER_ROLE_ARN,
    '--region',
    exchange.region,
  ];
}

/** Characters a POSIX shell takes literally in a word. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/** A word as a POSIX shell reads it back: as is when plain, single-quoted otherwise. */
export const shellWord = (word: string): string =>
  PLAIN_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/** Lines of a printed command, before they are continued with a backslash. */
const COMMAND_WIDTH = 96;

/**
 * A command as shell text to paste: the command itself (the words before the first option) on the
 * first line, each option kept with its value, lines continued with a backslash once they would
 * run past COMMAND_WIDTH, each continuation indented under `indent`.
 */
export function shellCommand(words: readonly string[], indent = ''): string {
  const firstOption = words.findIndex((word) => word.startsWith('--'));
  const command = firstOption === -1 ? words : words.slice(0, firstOption);
  const options = firstOption === -1 ? [] : words.slice(firstOption);
  const groups = [command.map(shellWord).join(' ')];
  for (let at = 0; at < options.length; at++) {
    const value = options[at + 1];
    const takesValue = value !== undefined && !value.startsWith('--');
    const option = shellWord(options[at] ?? '');
    groups.push(takesValue ? `${option} ${shellWord(value)}` : option);
    if (takesValue) at++;
  }
  const lines: string[] = [];
  let line = '';
  for (const group of groups) {
    if (line !== '' && line.length + group.length + 1 > COMMAND_WIDTH) {
      lines.push(line);
      line = `    ${group}`;
    } else {
      line = line === '' ? group : `${line} ${group}`;
    }
  }
  lines.push(line);
  return lines.map((text, index) => (index === 0 ? text : `${indent}${text}`)).join(' \\\n');
}

/** What an agent run printed and how it exited. */
export interface AgentRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the agent's own code (src/agent, which the built file bundles) in this process against
 * the sandbox, dating its signatures with `now`: the demo moves the sandbox's clock, and the
 * function URL holds signatures to it, which a process signing with the wall clock could not meet.
 */
export async function runAgentHere(
  args: readonly string[],
  options: { readonly endpoint: string; readonly now: () => Date },
): Promise<AgentRun> {
  const [stdout, stderr]: [string[], string[]] = [[], []];
  const code = await runAgent(args, {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env: { AWS_ENDPOINT_URL: options.endpoint },
    stopSignal: () => new AbortController().signal,
    now: options.now,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}
