import type { SeededRandom } from './random.js';

/**
 * Which calls a rule applies to: `*` (every call), `ssm:*` (a whole service), `ssm:PutParameter`
 * or just `PutParameter` (that operation in whichever service has it). Services are `ssm`, `sqs`,
 * `license-manager`, `events` and `sts`.
 */
export type OperationPattern = string;

/** An error to answer with: a code of the service (its status is looked up) or a dropped connection. */
export type FaultError =
  | string
  | { readonly code: string; readonly status?: number; readonly message?: string };

/** Answer a share of the matching calls with the service's throttling error. */
export interface ThrottleRule {
  readonly operation: OperationPattern;
  /** Between 0 and 1. */
  readonly probability: number;
}

/** Answer the next `count` matching calls with an error. */
export interface FailRule {
  readonly operation: OperationPattern;
  readonly count: number;
  /** An error code of the service, e.g. `InternalServerError`, or `connection-reset`. */
  readonly error: FaultError;
  /**
   * `before` (default): the call fails and changes nothing. `after`: the call takes effect and
   * then the answer is lost, as when a response times out on its way back.
   */
  readonly when?: 'before' | 'after';
}

/** Delay the matching calls. */
export interface LatencyRule {
  readonly operation: OperationPattern;
  readonly ms: number;
}

/** Fault rules as options or an admin request carry them. */
export interface FaultRules {
  readonly throttle?: readonly ThrottleRule[];
  readonly failNext?: readonly FailRule[];
  readonly latency?: readonly LatencyRule[];
}

/** What the faults decided for one call. */
export interface FaultDecision {
  readonly delayMs: number;
  /** Fail the call without running it. */
  readonly before?: FaultOutcome;
  /** Run the call, then answer with this instead of its result. */
  readonly after?: FaultOutcome;
}

/** A decided failure: the service's throttling error, a named error, or a dropped connection. */
export type FaultOutcome =
  | { readonly kind: 'throttle' }
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly status?: number;
      readonly message?: string;
    }
  | { readonly kind: 'reset' };

/** The error code that drops the connection instead of answering. */
export const CONNECTION_RESET = 'connection-reset';

/** True when the pattern covers the call. */
export function matches(pattern: OperationPattern, service: string, operation: string): boolean {
  if (pattern === '*') return true;
  const colon = pattern.indexOf(':');
  if (colon === -1) return pattern === operation;
  const [patternService, patternOperation] = [pattern.slice(0, colon), pattern.slice(colon + 1)];
  return patternService === service && (patternOperation === '*' || patternOperation === operation);
}

const outcome = (error: FaultError): FaultOutcome => {
  if (typeof error === 'string') {
    return error === CONNECTION_RESET ? { kind: 'reset' } : { kind: 'error', code: error };
  }
  return error.code === CONNECTION_RESET ? { kind: 'reset' } : { kind: 'error', ...error };
};

/** The label a decided failure is counted under in `injected`. */
export const faultLabel = (fault: FaultOutcome): string =>
  fault.kind === 'error' ? `error:${fault.code}` : fault.kind;

function check(rules: FaultRules): void {
  for (const rule of rules.throttle ?? []) {
    if (!(rule.probability >= 0 && rule.probability <= 1)) {
      throw new RangeError(`throttle probability must be between 0 and 1, got ${rule.probability}`);
    }
  }
  for (const rule of rules.failNext ?? []) {
    if (!Number.isSafeInteger(rule.count) || rule.count < 1) {
      throw new RangeError(`failNext count must be a whole number of 1 or more, got ${rule.count}`);
    }
  }
  for (const rule of rules.latency ?? []) {
    if (!(rule.ms >= 0 && Number.isFinite(rule.ms))) {
      throw new RangeError(`latency must be 0 ms or more, got ${rule.ms}`);
    }
  }
}

/**
 * Fault injection: throttling with a probability (decided by the seeded generator, so a run can
 * be replayed), the next N calls failing with a given error, and added latency.
 */
export class Faults {
  readonly #random: SeededRandom;
  #throttle: ThrottleRule[] = [];
  #failNext: { rule: FailRule; left: number }[] = [];
  #latency: LatencyRule[] = [];
  /** How many faults were injected, by kind (`throttle`, `error:<code>`, `reset`, `latency`). */
  readonly injected = new Map<string, number>();

  constructor(random: SeededRandom) {
    this.#random = random;
  }

  /** Adds rules; throws RangeError for a rule that makes no sense. */
  add(rules: FaultRules): void {
    check(rules);
    this.#throttle.push(...(rules.throttle ?? []));
    this.#failNext.push(...(rules.failNext ?? []).map((rule) => ({ rule, left: rule.count })));
    this.#latency.push(...(rules.latency ?? []));
  }

  /** Throttles a share of the matching calls. */
  throttle(operation: OperationPattern, probability: number): void {
    this.add({ throttle: [{ operation, probability }] });
  }

  /** Fails the next `count` matching calls with `error`, before or after they take effect. */
  failNext(
    operation: OperationPattern,
    count: number,
    error: FaultError,
    when: 'before' | 'after' = 'before',
  ): void {
    this.add({ failNext: [{ operation, count, error, when }] });
  }

  /** Delays the matching calls by `ms`. */
  latency(operation: OperationPattern, ms: number): void {
    this.add({ latency: [{ operation, ms }] });
  }

  /** Removes every rule (the counts in `injected` stay). */
  clear(): void {
    this.#throttle = [];
    this.#failNext = [];
    this.#latency = [];
  }

  /** The rules in force, with how many failures each failNext rule has left. */
  rules(): FaultRules {
    return {
      throttle: [...this.#throttle],
      failNext: this.#failNext.map(({ rule, left }) => ({ ...rule, count: left })),
      latency: [...this.#latency],
    };
  }

  #count(label: string): void {
    this.injected.set(label, (this.injected.get(label) ?? 0) + 1);
  }

  /** Decides the fate of one call; failNext rules come first, in the order they were added. */
  decide(service: string, operation: string): FaultDecision {
    const delayMs = this.#latency
      .filter((rule) => matches(rule.operation, service, operation))
      .reduce((total, rule) => total + rule.ms, 0);
    if (delayMs > 0) this.#count('latency');
    const pending = this.#failNext.find(
      (entry) => entry.left > 0 && matches(entry.rule.operation, service, operation),
    );
    if (pending !== undefined) {
      pending.left--;
      this.#failNext = this.#failNext.filter((entry) => entry.left > 0);
      const fault = outcome(pending.rule.error);
      this.#count(faultLabel(fault));
      return pending.rule.when === 'after' ? { delayMs, after: fault } : { delayMs, before: fault };
    }
    for (const rule of this.#throttle) {
      if (!matches(rule.operation, service, operation)) continue;
      if (this.#random.next() < rule.probability) {
        this.#count('throttle');
        return { delayMs, before: { kind: 'throttle' } };
      }
    }
    return { delayMs };
  }
}
