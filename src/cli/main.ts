import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InvalidInputError, StepError, UsageError } from '../errors.js';
import { redactTokens } from '../observability/redact.js';
import { exchangePolicyCommand, exchangePolicyHelp } from './commands/exchange-policy.js';
import { orphansCommand, orphansHelp } from './commands/orphans.js';
import { type RegisterOptions, registerCommand, registerHelp } from './commands/register.js';
import { type RotateOptions, rotateCommand, rotateHelp } from './commands/rotate.js';
import { scanCommand, scanHelp } from './commands/scan.js';
import { show, showHelp } from './commands/show.js';
import { status, statusHelp } from './commands/status.js';
import { createInvocation, type GlobalOptions, type Invocation } from './invocation.js';
import { ExitCode, type Io } from './io.js';
import { errorLine } from './warnings.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL: Options = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'token-path': { type: 'string' },
  'queue-url': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

interface Command {
  readonly summary: string;
  readonly help: string;
  readonly options: Options;
  run(
    invocation: Invocation,
    positionals: string[],
    values: Record<string, unknown>,
  ): Promise<ExitCode>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  register: {
    summary: 'mint the first token of a parameter and write its record',
    help: registerHelp,
    options: {
      'license-arn': { type: 'string' },
      'role-arn': { type: 'string', multiple: true },
      'token-property': { type: 'string', multiple: true },
      'expiration-days': { type: 'string' },
      'renew-before-days': { type: 'string' },
      'home-region': { type: 'string' },
      'kms-key-id': { type: 'string' },
      revocation: { type: 'string' },
      'no-verify': { type: 'boolean' },
      force: { type: 'boolean' },
    },
    run: (invocation, [name], values) =>
      registerCommand(invocation, name, values as RegisterOptions),
  },
  status: {
    summary: 'every token, soonest expiry first; exit 3 if any has expired',
    help: statusHelp,
    options: {},
    run: (invocation) => status(invocation),
  },
  scan: {
    summary: 'enqueue what is due now (or --dry-run: show it)',
    help: scanHelp,
    options: { 'dry-run': { type: 'boolean' } },
    run: (invocation, _, values) => scanCommand(invocation, values['dry-run'] === true),
  },
  rotate: {
    summary: 'rotate one token now (enqueue, or --now in-process); a leak: --revoke-previous',
    help: rotateHelp,
    options: {
      now: { type: 'boolean' },
      'revoke-previous': { type: 'boolean' },
      'kms-key-id': { type: 'string' },
    },
    run: (invocation, [name], values) => rotateCommand(invocation, name, values as RotateOptions),
  },
  show: {
    summary: "one token's record (the token only with --reveal)",
    help: showHelp,
    options: { reveal: { type: 'boolean' } },
    run: (invocation, [name], values) => show(invocation, name, values.reveal === true),
  },
  orphans: {
    summary: 'tokens of managed licenses no record names (--delete them); exit 1 if any',
    help: orphansHelp,
    options: { delete: { type: 'boolean' } },
    run: (invocation, _, values) => orphansCommand(invocation, values.delete === true),
  },
  'exchange-policy': {
    summary: 'the IAM statement a consumption role needs to call the token exchange',
    help: exchangePolicyHelp,
    options: { 'function-arn': { type: 'string' } },
    run: (invocation, _, values) =>
      exchangePolicyCommand(
        invocation,
        typeof values['function-arn'] === 'string' ? values['function-arn'] : undefined,
      ),
  },
};

// The command column of the main help fits the longest name.
const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length));

const GLOBAL_HELP = `Global options:
  --region REGION        AWS region (default: the SDK's, e.g. AWS_REGION)
  --profile NAME         AWS profile from your shared config
  --endpoint-url URL     AWS endpoint (default AWS_ENDPOINT_URL): the sandbox, moto, LocalStack
  --token-path PATH      root of the token parameters (default TOKEN_PATH, else /license-tokens/)
  --queue-url URL        the jobs queue, for scan and rotate (default JOB_QUEUE_URL)
  --json                 machine-readable output
  --debug                stack traces on errors
  -h, --help             help`;

const MAIN_HELP = `license-token-rotator: operate the License Manager token rotator

Usage: license-token-rotator <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(NAME_WIDTH)}  ${command.summary}`)
  .join('\n')}

Run "license-token-rotator <command> --help" for a command's options.

${GLOBAL_HELP}

Exit status: 0 success; 1 failure (and orphans found a token no record names);
2 usage error or refused input (nothing was changed); 3 status found an expired token.`;

// String-valued global options take the next word as their value, so it is not the command.
const TAKES_VALUE = new Set(
  Object.entries(GLOBAL)
    .filter(([, o]) => o.type === 'string')
    .map(([name]) => `--${name}`),
);

function findCommand(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? '';
    if (TAKES_VALUE.has(word)) index++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/** `help`, `help COMMAND`, and a bare `--help` or no arguments at all; undefined otherwise. */
function generalHelp(
  argv: readonly string[],
  name: string | undefined,
  io: Io,
): ExitCode | undefined {
  if (name === 'help') {
    const topic = COMMANDS[argv[argv.indexOf('help') + 1] ?? ''];
    io.stdout.write(`${topic === undefined ? MAIN_HELP : `${topic.help}\n\n${GLOBAL_HELP}`}\n`);
    return ExitCode.Ok;
  }
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    io.stdout.write(`${MAIN_HELP}\n`);
    return argv.length === 0 ? ExitCode.Usage : ExitCode.Ok;
  }
  return undefined;
}

/** The command's options and arguments; a UsageError for any it does not take. */
function parseCommandLine(argv: readonly string[], command: Command) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...GLOBAL, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs suggests `--` for a positional that looks like an option; the CLI takes none.
    throw new UsageError(
      (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''),
    );
  }
}

/** Finds the command and runs it, or prints the help asked for. */
async function dispatch(
  argv: readonly string[],
  name: string | undefined,
  command: Command | undefined,
  io: Io,
): Promise<ExitCode> {
  if (command === undefined) {
    const help = generalHelp(argv, name, io);
    if (help !== undefined) return help;
    throw new UsageError(name === undefined ? 'no command given' : `unknown command "${name}"`);
  }
  const { values, positionals } = parseCommandLine(argv, command);
  if (values.help === true) {
    io.stdout.write(`${command.help}\n\n${GLOBAL_HELP}\n`);
    return ExitCode.Ok;
  }
  const [, ...rest] = positionals;
  const expected = ['register', 'rotate', 'show'].includes(name ?? '') ? 1 : 0;
  if (rest.length > expected) throw new UsageError(`unexpected argument "${rest[expected]}"`);
  return command.run(createInvocation(values as GlobalOptions, io), rest, values);
}

/** Tells the operator what went wrong, in one line unless --debug; returns the exit code. */
function report(
  error: unknown,
  io: Io,
  about: { readonly name: string | undefined; readonly known: boolean; readonly debug: boolean },
): ExitCode {
  const usage = error instanceof UsageError;
  // Refused input changed nothing, like a usage error; the help would not help, though.
  const refused = usage || error instanceof InvalidInputError;
  io.stderr.write(`license-token-rotator: ${errorLine(error)}\n`);
  if (usage) {
    const topic = about.known ? `${about.name} ` : '';
    io.stderr.write(`Run "license-token-rotator ${topic}--help" for usage.\n`);
  }
  if (about.debug && error instanceof Error && error.stack !== undefined) {
    io.stderr.write(`${redactTokens(error.stack)}\n`);
  } else if (!refused && !(error instanceof StepError)) {
    io.stderr.write('Run with --debug for details.\n');
  }
  return refused ? ExitCode.Usage : ExitCode.Failure;
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  const name = findCommand(argv);
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    return await dispatch(argv, name, command, io);
  } catch (error) {
    return report(error, io, {
      name,
      known: command !== undefined,
      debug: argv.includes('--debug'),
    });
  }
}
