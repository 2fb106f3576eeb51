import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pluggable } from '@smithy/types';
import { TransientError } from '../errors.js';

const deadlines = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `work` so that every SDK call it makes gives up once `signal` aborts: the rotator gives
 * each job the time left before the function's own timeout, so a slow call fails the job (which
 * is retried) instead of the whole batch (which Lambda would retry whole, with no report).
 */
export const withDeadline = <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> =>
  deadlines.run(signal, work);

/** What a call that ran out of its work's time throws: transient, so the job comes back. */
const exceeded = (): TransientError =>
  new TransientError('Deadline', 'DeadlineExceeded', 'the job ran out of time and was stopped');

/**
 * A client plugin that bounds each call, retries and back-off included (it sits at the top of
 * the stack), by the deadline of the work it runs in. Outside `withDeadline`, calls are as usual.
 */
export const deadlinePlugin = <Input extends object, Output extends object>(): Pluggable<
  Input,
  Output
> => ({
  applyToStack: (stack) => {
    stack.add(
      (next) => async (args) => {
        const signal = deadlines.getStore();
        if (signal === undefined) return next(args);
        if (signal.aborted) throw exceeded();
        let stop: (() => void) | undefined;
        const aborted = new Promise<never>((_, reject) => {
          stop = () => reject(exceeded());
          signal.addEventListener('abort', stop, { once: true });
        });
        try {
          return await Promise.race([next(args), aborted]);
        } finally {
          if (stop !== undefined) signal.removeEventListener('abort', stop);
        }
      },
      { step: 'initialize', name: 'deadline', override: true },
    );
  },
});
