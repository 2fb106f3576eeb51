import { type Invocation, parseInvocation } from './args.js';
import { type CallContext, credentialProcessJson, credentialsFor } from './credentials.js';
import type { Environment } from './endpoints.js';
import { AgentError, ExitCode, RefusedError, TransientError, UsageError } from './errors.js';
import { AgentOutput, PROGRAM, type Sink } from './output.js';
import { type RefreshContext, refresh } from './refresh.js';
import { abortableWait, type CycleOutcome, runLoop } from './run-loop.js';
import { readTokenFile } from './token-file.js';

/** What the agent may touch of the outside world; tests pass their own. */
export interface AgentIo {
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly env: Environment;
  /** Where relative paths start (default: the process's working directory). */
  readonly cwd?: string;
  /** The signal that stops `run` (main.ts ties it to SIGTERM and SIGINT); asked for by `run` only. */
  readonly stopSignal: () => AbortSignal;
  /** The clock signatures are dated with (default: the system's). */
  readonly now?: () => Date;
  /** The source of `run`'s jitter (default Math.random). */
  readonly random?: () => number;
}

/** What an operator does about a refusal: the contract's re-provisioning advice. */
function refusalAdvice(invocation: Invocation): string {
  if (invocation.command === 'help') return '';
  const file = invocation.source.tokenFile;
  const name = invocation.command === 'credentials' ? 'NAME' : invocation.target.parameter;
  return `; the token in ${file} is revoked, expired or not this parameter's: ask the vendor for a new token (on the vendor side: license-token-rotator show ${name} --reveal) and write it to ${file}`;
}

/** The line a failure is reported with. */
function describe(error: unknown, invocation: Invocation): string {
  if (error instanceof RefusedError) return `${error.message}${refusalAdvice(invocation)}`;
  if (error instanceof AgentError) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** `credentials`: the token's role credentials on stdout, in credential_process's format. */
async function printCredentials(
  invocation: Extract<Invocation, { command: 'credentials' }>,
  context: CallContext,
): Promise<void> {
  const held = await readTokenFile(invocation.source.tokenFile);
  const credentials = await credentialsFor(held.token, invocation.source, context);
  context.output.printRaw(credentialProcessJson(credentials));
}

/** `run`: refresh until stopped; a cycle's failure is reported and scheduled, never fatal. */
async function runForever(
  invocation: Extract<Invocation, { command: 'run' }>,
  io: AgentIo,
  { output, now }: RefreshContext,
): Promise<void> {
  const signal = io.stopSignal();
  const context: RefreshContext = { output, signal, now };
  const cycle = async (): Promise<CycleOutcome> => {
    try {
      await refresh(invocation.source, invocation.target, context);
      return { result: 'ok' };
    } catch (error) {
      if (signal.aborted) return { result: 'ok' };
      const result = error instanceof TransientError ? 'transient' : 'failed';
      return { result, problem: describe(error, invocation) };
    }
  };
  await runLoop(invocation.timing, {
    cycle,
    report: (line) => output.problem(line),
    random: io.random ?? Math.random,
    wait: (ms) => abortableWait(ms, signal),
    signal,
  });
}

/** Runs one command to its exit code. */
async function execute(
  invocation: Invocation,
  io: AgentIo,
  context: RefreshContext,
): Promise<void> {
  switch (invocation.command) {
    case 'help':
      context.output.printRaw(`${invocation.text}\n`);
      return;
    case 'credentials':
      return printCredentials(invocation, context);
    case 'refresh':
      return refresh(invocation.source, invocation.target, context);
    case 'run':
      return runForever(invocation, io, context);
  }
}

/** The agent: parses the command line, runs the command, and returns the exit code. */
export async function runAgent(argv: readonly string[], io: AgentIo): Promise<ExitCode> {
  const output = new AgentOutput(io.stdout, io.stderr);
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, io.env, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.problem(`${error.message} (see ${PROGRAM} --help)`);
    return ExitCode.Usage;
  }
  try {
    await execute(invocation, io, { output, now: io.now ?? (() => new Date()) });
    return ExitCode.Ok;
  } catch (error) {
    output.problem(describe(error, invocation));
    return error instanceof AgentError ? error.exitCode : ExitCode.Transient;
  }
}
