/**
 * The agent's failures. Each class carries the exit code a script, a systemd unit or the `run`
 * loop acts on, so the code that finds a problem decides once what it means.
 */

/** Exit codes, as `license-token-agent --help` and the docs list them. */
export const ExitCode = {
  /** Refreshed, unchanged, or credentials printed. */
  Ok: 0,
  /** Network, 5xx or throttling: nothing changed; try again later. */
  Transient: 1,
  /** Bad options or an unreadable token file: fix the command line or the file. */
  Usage: 2,
  /** The token is revoked, expired or not this parameter's: it must be re-provisioned. */
  Refused: 3,
  /** The new token could not be written (disk, permissions). */
  WriteFailed: 4,
} as const;

/** One of the ExitCode values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the agent reports as one line and an exit code. */
export abstract class AgentError extends Error {
  /** The exit code this failure ends a one-shot command with. */
  abstract readonly exitCode: ExitCode;
}

/** A command line or a token file the agent cannot act on; nothing was changed. */
export class UsageError extends AgentError {
  readonly exitCode = ExitCode.Usage;
  override readonly name = 'UsageError';
}

/** A failure that may go away by itself: no answer, a 5xx, throttling. */
export class TransientError extends AgentError {
  readonly exitCode = ExitCode.Transient;
  override readonly name = 'TransientError';
}

/** License Manager, STS or the exchange refused the token the host holds. */
export class RefusedError extends AgentError {
  readonly exitCode = ExitCode.Refused;
  override readonly name = 'RefusedError';
}

/** The new token was received but could not be written to the token file. */
export class WriteError extends AgentError {
  readonly exitCode = ExitCode.WriteFailed;
  override readonly name = 'WriteError';
}

/** The code of a Node.js system error (`ECONNREFUSED`, `ENOENT`), else its message. */
export function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' ? code : error.message;
  }
  return String(error);
}
