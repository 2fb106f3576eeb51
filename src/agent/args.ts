import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { HOUR_MS, MINUTE_MS } from '../time.js';
import type { TokenSource } from './credentials.js';
import { parseDuration } from './duration.js';
import {
  type Environment,
  exchangeUrl,
  functionUrlRegion,
  resolveRegion,
  serviceEndpoint,
} from './endpoints.js';
import { UsageError } from './errors.js';
import { CREDENTIALS_HELP, OVERVIEW_HELP, REFRESH_HELP, RUN_HELP } from './help.js';
import type { RefreshTarget } from './refresh.js';
import type { LoopTiming } from './run-loop.js';

/** What the command line asks for. */
export type Invocation =
  | { readonly command: 'help'; readonly text: string }
  | { readonly command: 'credentials'; readonly source: TokenSource }
  | { readonly command: 'refresh'; readonly source: TokenSource; readonly target: RefreshTarget }
  | {
      readonly command: 'run';
      readonly source: TokenSource;
      readonly target: RefreshTarget;
      readonly timing: LoopTiming;
    };

/** `run`'s defaults: hourly, so a token rotated at the vendor reaches the host within the hour. */
export const DEFAULT_TIMING: LoopTiming = { intervalMs: HOUR_MS, jitterMs: 10 * MINUTE_MS };

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

const SOURCE: Options = {
  'token-file': { type: 'string' },
  'role-arn': { type: 'string' },
  region: { type: 'string' },
  'token-properties': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
const EXCHANGE: Options = {
  parameter: { type: 'string' },
  'exchange-url': { type: 'string' },
  'on-change': { type: 'string' },
};
const LOOP: Options = { interval: { type: 'string' }, jitter: { type: 'string' } };

/** Each command's options and help. */
const COMMANDS = {
  refresh: { options: { ...SOURCE, ...EXCHANGE }, help: REFRESH_HELP },
  run: { options: { ...SOURCE, ...EXCHANGE, ...LOOP }, help: RUN_HELP },
  credentials: { options: SOURCE, help: CREDENTIALS_HELP },
} as const;

type Command = keyof typeof COMMANDS;

const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PARAMETER_NAME = /^[\w./-]{1,1011}$/;

/** An option's text, or a UsageError when a required one is missing or empty. */
function required(values: Values, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`${command} needs --${name}`);
  }
  return value;
}

/** An optional option's text. */
const optional = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

/** The options every command shares: the token file, and how its token becomes credentials. */
function tokenSource(values: Values, command: string, env: Environment, cwd: string): TokenSource {
  const tokenFile = resolve(cwd, required(values, 'token-file', command));
  const roleArn = required(values, 'role-arn', command);
  if (!ROLE_ARN.test(roleArn))
    throw new UsageError(`--role-arn "${roleArn}" is not an IAM role ARN`);
  const region = resolveRegion(optional(values, 'region'), env);
  const tokenProperties = (optional(values, 'token-properties') ?? '')
    .split(',')
    .map((property) => property.trim())
    .filter((property) => property !== '');
  return {
    tokenFile,
    roleArn,
    region,
    tokenProperties,
    licenseManager: serviceEndpoint('licenseManager', region, env),
    sts: serviceEndpoint('sts', region, env),
  };
}

/** The exchange options of `refresh` and `run`. */
function refreshTarget(values: Values, command: string, region: string): RefreshTarget {
  const parameter = required(values, 'parameter', command);
  if (!PARAMETER_NAME.test(parameter)) {
    throw new UsageError(`--parameter "${parameter}" is not a parameter name`);
  }
  const url = exchangeUrl(required(values, 'exchange-url', command));
  return {
    parameter,
    url,
    region: functionUrlRegion(url, region),
    onChange: optional(values, 'on-change'),
  };
}

/** `run`'s interval and jitter. */
function loopTiming(values: Values): LoopTiming {
  const duration = (name: string, fallback: number, allowZero: boolean): number => {
    const text = optional(values, name);
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || (ms === 0 && !allowZero)) {
      throw new UsageError(`--${name} "${text}" is not a duration like 90s, 10m, 1h or 1h30m`);
    }
    return ms;
  };
  return {
    intervalMs: duration('interval', DEFAULT_TIMING.intervalMs, false),
    jitterMs: duration('jitter', DEFAULT_TIMING.jitterMs, true),
  };
}

/** The command's values, with node:util's errors as UsageErrors. */
function parseValues(command: Command, args: readonly string[]): Values {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: COMMANDS[command].options,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) {
      throw new UsageError(`${command} takes no argument "${positionals[0]}"`);
    }
    return values;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    throw new UsageError(
      unknown === undefined ? (error as Error).message : `${command} has no option ${unknown}`,
    );
  }
}

const isCommand = (word: string): word is Command => Object.hasOwn(COMMANDS, word);

/**
 * Reads the command line: the command, then its options. `--help` anywhere shows that command's
 * help (or the overview). Throws UsageError for anything it cannot act on.
 */
export function parseInvocation(
  argv: readonly string[],
  env: Environment,
  cwd: string = process.cwd(),
): Invocation {
  const [word, ...args] = argv;
  if (word === '--help' || word === '-h' || word === 'help') {
    return { command: 'help', text: OVERVIEW_HELP };
  }
  if (word === undefined) throw new UsageError('no command: refresh, run or credentials');
  if (!isCommand(word)) {
    throw new UsageError(`unknown command "${word}": refresh, run or credentials`);
  }
  const values = parseValues(word, args);
  if (values.help === true) return { command: 'help', text: COMMANDS[word].help };
  const source = tokenSource(values, word, env, cwd);
  if (word === 'credentials') return { command: word, source };
  const target = refreshTarget(values, word, source.region);
  if (word === 'refresh') return { command: word, source, target };
  return { command: word, source, target, timing: loopTiming(values) };
}
