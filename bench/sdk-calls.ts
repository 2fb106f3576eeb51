import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';

/** Calls of one operation, as the clients made them. */
export interface OperationCount {
  /** Logical calls: one per `client.send`, however many attempts it took. */
  calls: number;
  /** HTTP attempts; attempts beyond `calls` are the SDK's retries. */
  attempts: number;
  /** Attempts that ended in an error answer, by error name. */
  errors: Record<string, number>;
}

/** Calls by `service:Operation`. */
export type CallCounts = Record<string, OperationCount>;

/** One logical call, kept only when a log is asked for its timeline. */
export interface CallEvent {
  readonly operation: string;
  readonly startMs: number;
  readonly endMs: number;
}

const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === 'string' ? error : 'Unknown';

/**
 * Counts the SDK calls of the clients it is attached to, from inside the clients: a middleware at
 * the initialize step sees each `send` once, one at the deserialize step (inside the retry loop)
 * sees every attempt. Nothing is estimated. Memory is constant unless `timeline` is on.
 */
export class CallLog {
  readonly counts: CallCounts = {};
  readonly events: CallEvent[] = [];
  readonly #timeline: boolean;

  constructor(options: { readonly timeline?: boolean } = {}) {
    this.#timeline = options.timeline ?? false;
  }

  #entry(operation: string): OperationCount {
    let entry = this.counts[operation];
    if (entry === undefined) {
      entry = { calls: 0, attempts: 0, errors: {} };
      this.counts[operation] = entry;
    }
    return entry;
  }

  /** Adds the two counting middlewares to a client; returns the client. */
  attach<C extends SSMClient | SQSClient | LicenseManagerClient | EventBridgeClient>(
    client: C,
    service: string,
  ): C {
    const name = (commandName: string | undefined): string =>
      `${service}:${(commandName ?? 'Unknown').replace(/Command$/, '')}`;
    // The stacks differ only in their commands' input and output types, which these two
    // middlewares never look at: one stack type serves for all of them.
    const stack = client.middlewareStack as SSMClient['middlewareStack'];
    stack.add(
      (next, context) => async (args) => {
        const operation = name(context.commandName);
        this.#entry(operation).calls++;
        const startMs = performance.now();
        try {
          return await next(args);
        } finally {
          if (this.#timeline) this.events.push({ operation, startMs, endMs: performance.now() });
        }
      },
      { step: 'initialize', name: 'benchCountCalls', override: true },
    );
    stack.add(
      (next, context) => async (args) => {
        const entry = this.#entry(name(context.commandName));
        entry.attempts++;
        try {
          return await next(args);
        } catch (error) {
          const code = errorName(error);
          entry.errors[code] = (entry.errors[code] ?? 0) + 1;
          throw error;
        }
      },
      // High priority: outside the deserializer, so an error answer arrives here as an error.
      { step: 'deserialize', priority: 'high', name: 'benchCountAttempts', override: true },
    );
    return client;
  }

  /** Calls of one operation (0 when it was never called). */
  calls(operation: string): number {
    return this.counts[operation]?.calls ?? 0;
  }

  /** Attempts beyond the first of every call: the SDK's retries. */
  retries(): number {
    return Object.values(this.counts).reduce((sum, c) => sum + c.attempts - c.calls, 0);
  }

  /** Every logical call. */
  total(): number {
    return Object.values(this.counts).reduce((sum, c) => sum + c.calls, 0);
  }
}

/** The counts of several logs, added up. */
export function addCounts(logs: readonly CallLog[]): CallCounts {
  const sum: CallCounts = {};
  for (const log of logs) {
    for (const [operation, count] of Object.entries(log.counts)) {
      const into = sum[operation] ?? { calls: 0, attempts: 0, errors: {} };
      into.calls += count.calls;
      into.attempts += count.attempts;
      for (const [code, times] of Object.entries(count.errors)) {
        into.errors[code] = (into.errors[code] ?? 0) + times;
      }
      sum[operation] = into;
    }
  }
  return sum;
}
