import { REDACTED, redactTokens } from '../observability/redact.js';
import { sha256Hex } from './sigv4.js';

/** Somewhere to write text: process.stdout, or a test's collector. */
export interface Sink {
  write(text: string): unknown;
}

/** The prefix of every line on stderr, so a journal shows whose line it is. */
export const PROGRAM = 'license-token-agent';

/**
 * `run` registers new credentials every hour for months: only the latest secrets are kept, which
 * are the only ones a line can still hold. JWT-shaped redaction stays the backstop for the rest.
 */
const MAX_REMEMBERED_SECRETS = 64;

/**
 * The agent's stdout and stderr. Every value it handles that grants access (tokens, access
 * tokens, secret keys, session tokens) is registered here, and every line but the credentials
 * that `credentials` exists to print is scrubbed of them, and of anything shaped like a JWT.
 */
export class AgentOutput {
  readonly #stdout: Sink;
  readonly #stderr: Sink;
  readonly #secrets = new Set<string>();

  constructor(stdout: Sink, stderr: Sink) {
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  /** Registers values that must never be printed. */
  secret(...values: readonly string[]): void {
    for (const value of values) {
      if (value === '') continue;
      // Re-registered values move to the end, so the oldest are the ones forgotten.
      this.#secrets.delete(value);
      this.#secrets.add(value);
    }
    for (const oldest of this.#secrets) {
      if (this.#secrets.size <= MAX_REMEMBERED_SECRETS) break;
      this.#secrets.delete(oldest);
    }
  }

  /** The text with every registered secret and every JWT-shaped string replaced. */
  scrub(text: string): string {
    let scrubbed = text;
    for (const secret of this.#secrets) scrubbed = scrubbed.replaceAll(secret, REDACTED);
    return redactTokens(scrubbed);
  }

  /** One line on stdout: what the agent did. */
  say(line: string): void {
    this.#stdout.write(`${this.scrub(line)}\n`);
  }

  /** One line on stderr: why the agent could not do it. */
  problem(message: string): void {
    this.#stderr.write(`${PROGRAM}: ${this.scrub(message)}\n`);
  }

  /** One line on stderr about something that went wrong beside the main work. */
  warn(message: string): void {
    this.problem(`warning: ${message}`);
  }

  /** Text on stdout as it is, unscrubbed: only for the credentials `credentials` prints. */
  printRaw(text: string): void {
    this.#stdout.write(text);
  }
}

/** A token's short fingerprint for output (its SHA-256's first hex digits), never the token. */
export const fingerprint = (token: string): string => `${sha256Hex(token).slice(0, 6)}…`;

/** A moment to the second, as AWS writes expirations: `2027-11-27T11:50:00Z`. */
export const isoSeconds = (moment: Date): string => moment.toISOString().replace(/\.\d{3}Z$/, 'Z');
