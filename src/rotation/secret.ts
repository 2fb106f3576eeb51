import { inspect } from 'node:util';

/**
 * A token value that refuses to be printed: JSON, string conversion and `util.inspect` all show
 * `[REDACTED]`. Only `reveal()` gives the value, so every place that uses it is easy to audit.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; call it only where the value must leave the process (PutParameter). */
  reveal(): string {
    return this.#value;
  }

  /** Keeps the secret out of JSON. */
  toJSON(): string {
    return '[REDACTED]';
  }

  /** Keeps the secret out of string templates and concatenation. */
  toString(): string {
    return '[REDACTED]';
  }

  /** Keeps the secret out of console.log and util.inspect. */
  [inspect.custom](): string {
    return 'Secret([REDACTED])';
  }
}
