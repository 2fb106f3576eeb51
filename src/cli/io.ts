import type { Environment } from '../config.js';

/** Somewhere to write text; a TTY gets colours and progress. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Environment;
  readonly clock: () => Date;
}

/** Exit codes, as documented in docs/operate.md. */
export const ExitCode = {
  Ok: 0,
  /** The command failed (AWS refused, a token was rejected, …). */
  Failure: 1,
  /** The command line or its input was wrong: nothing was changed. */
  Usage: 2,
  /** `status` found at least one expired token. */
  Expired: 3,
} as const;

/** One of the ExitCode values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
