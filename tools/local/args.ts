import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { isRegionName } from '../../src/validate.js';
import type { FaultRules } from '../sandbox/faults.js';

/** What `npm start` was asked to do. */
export interface StartOptions {
  readonly help: boolean;
  readonly serve: boolean;
  /** The port; undefined means the mode's default (4566 to serve, a free one for the demo). */
  readonly port: number | undefined;
  readonly seed: number | undefined;
  readonly verbose: boolean;
  /** Serve an empty sandbox (no demo fleet). */
  readonly empty: boolean;
  readonly region: string;
  readonly faults: FaultRules;
}

/** The `--help` text. */
export const USAGE = `Usage: npm start [-- options]

Runs license-token-rotator end to end on this machine, against a local AWS-compatible sandbox
(SSM, SQS, License Manager, STS, EventBridge). No AWS account, no network.

  npm start                 seed a demo fleet, run the real scanner and rotator, show what changed
                            and what went to the dead-letter queue; then a host picks up its new
                            token through the real token exchange with license-token-agent, and
                            past the grace period only that parameter's old token is revoked
  npm start -- --serve      keep the sandbox running (demo fleet seeded) and print its endpoint,
                            for the AWS CLI, the SDK, or tests in another process; also serve the
                            token exchange behind a local function URL (AWS_IAM auth) and print
                            the agent command a demo host refreshes its token file with

Options:
  --serve                   keep the sandbox and the exchange up until Ctrl-C
  --port N                  listen on port N (default: 4566 with --serve, a free port otherwise;
                            0 picks a free port); the exchange always takes a free port
  --empty                   with --serve: start without the demo fleet (nor its demo host)
  --region R                the region the handlers run in (default us-east-1)
  --seed N                  seed for fault decisions and ids, to replay a run
  --throttle OP=P           throttle calls matching OP with probability P, e.g.
                            --throttle license-manager:CreateToken=0.3 (repeatable)
  --latency OP=MS           add MS milliseconds to calls matching OP (repeatable)
  -v, --verbose             show the handlers' (and the exchange's) own log lines and metrics
  -h, --help                show this help

OP is *, a service (ssm:*, sqs:*, license-manager:*, events:*, sts:*), or an operation
(ssm:PutParameter). With --serve, /_sandbox/clock, /_sandbox/faults, /_sandbox/licenses,
/_sandbox/buses and /_sandbox/state drive the sandbox over HTTP (see docs/sandbox.md).`;

function number(
  flag: string,
  text: string | undefined,
  check: (n: number) => boolean,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new UsageError(`${flag} got "${text}", which is not valid`);
  }
  return value;
}

function pairs(flag: string, values: readonly string[]): { operation: string; value: number }[] {
  return values.map((entry) => {
    const at = entry.lastIndexOf('=');
    const value = Number(entry.slice(at + 1));
    if (at <= 0 || entry.slice(at + 1).trim() === '' || !Number.isFinite(value)) {
      throw new UsageError(`${flag} wants OP=NUMBER, got "${entry}"`);
    }
    return { operation: entry.slice(0, at), value };
  });
}

/** Parses `npm start` arguments; throws UsageError for anything it does not understand. */
export function parseStartArgs(argv: readonly string[]): StartOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const throttle = pairs('--throttle', values.throttle ?? []).map(({ operation, value }) => {
    if (value < 0 || value > 1)
      throw new UsageError(`--throttle probability must be 0 to 1, got ${value}`);
    return { operation, probability: value };
  });
  const latency = pairs('--latency', values.latency ?? []).map(({ operation, value }) => {
    if (value < 0) throw new UsageError(`--latency must be 0 ms or more, got ${value}`);
    return { operation, ms: value };
  });
  const region = values.region ?? 'us-east-1';
  if (!isRegionName(region))
    throw new UsageError(`--region got "${region}", which is not a region`);
  return {
    help: values.help ?? false,
    serve: values.serve ?? false,
    port: number('--port', values.port, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535),
    seed: number('--seed', values.seed, (n) => Number.isSafeInteger(n) && n >= 0),
    verbose: values.verbose ?? false,
    empty: values.empty ?? false,
    region,
    faults: { throttle, latency },
  };
}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      serve: { type: 'boolean' },
      port: { type: 'string' },
      seed: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      empty: { type: 'boolean' },
      region: { type: 'string' },
      throttle: { type: 'string', multiple: true },
      latency: { type: 'string', multiple: true },
    },
  });
