/**
 * The project's own errors. Adapters turn SDK exceptions into these, so the rotation logic and
 * the handlers decide what to do from the class alone: retry, dead-letter, or fail fast.
 */

/** A configuration variable is missing or malformed; raised at cold start, before any work. */
export class ConfigError extends Error {
  /** Each problem found, as `VARIABLE: what it expects`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A parameter's Description is not a valid rotation record, so the parameter is not managed. */
export class InvalidRecordError extends Error {
  /** The record field at fault (or `description` for the whole text). */
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = 'InvalidRecordError';
    this.field = field;
  }
}

/** An operator's request (a CLI argument, a registration) is not valid; nothing was changed. */
export class InvalidInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** A command line the CLI or `npm start` cannot act on: nothing was done, and it exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A rotation job message is malformed or names a parameter outside the token path. */
export class InvalidJobError extends Error {
  /** A short, stable code for the DLQ attribute and the metric dimension. */
  readonly reason: string;

  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidJobError';
    this.reason = reason;
  }
}

/** A step of a rotation failed; the subclass says whether retrying can help. */
export abstract class StepError extends Error {
  /** The AWS operation that failed, e.g. `CreateToken`, or `Rotation` for a failure of our own. */
  readonly operation: string;
  /** The AWS error code or our own reason; it becomes the DLQ reason and a metric dimension. */
  readonly code: string;

  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(`${operation} failed (${code}): ${message}`, options);
    this.operation = operation;
    this.code = code;
  }
}

/** A call failed in a way that may succeed later (throttling, 5xx, network): retry it. */
export class TransientError extends StepError {
  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(operation, code, message, options);
    this.name = 'TransientError';
  }
}

/** A step failed in a way no retry can fix (validation, access denied, not found). */
export class PermanentError extends StepError {
  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(operation, code, message, options);
    this.name = 'PermanentError';
  }
}

/** The scan finished but left work undone (jobs not enqueued, revocations not checked). */
export class ScanIncompleteError extends Error {
  constructor(problems: readonly string[]) {
    super(`Scan incomplete: ${problems.join('; ')}; the next scan tries again`);
    this.name = 'ScanIncompleteError';
  }
}
