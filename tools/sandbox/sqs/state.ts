import type { SandboxClock } from '../clock.js';
import type { Input } from '../input.js';
import type { SeededRandom } from '../random.js';
import type { RequestContext } from '../service.js';
import { sqsError } from './errors.js';
import type { Queue } from './queue.js';

/** What SQS's operations share: the queues, and the long polls waiting on them. */
export class SqsState {
  readonly clock: SandboxClock;
  readonly random: SeededRandom;
  readonly #queues = new Map<string, Queue>();
  readonly #waiters = new Set<() => void>();
  #closed = false;

  constructor(clock: SandboxClock, random: SeededRandom) {
    this.clock = clock;
    this.random = random;
    clock.onChange(() => this.wake());
  }

  /** A queue by name (in-process access for tests), or undefined. */
  queue(name: string): Queue | undefined {
    return this.#queues.get(name);
  }

  /** Every queue. */
  queues(): Queue[] {
    return [...this.#queues.values()];
  }

  /** Adds a queue. */
  add(queue: Queue): void {
    this.#queues.set(queue.name, queue);
  }

  /** Whether the queue exists and the sandbox is still open: a long poll stops when either ends. */
  polling(queue: Queue): boolean {
    return !this.#closed && this.#queues.has(queue.name);
  }

  /** Whether the queue with this ARN is FIFO: undefined when no queue has that ARN. */
  fifoByArn(arn: string): boolean | undefined {
    return this.queues().find((queue) => queue.arn === arn)?.fifo;
  }

  /** A queue by name; QueueDoesNotExist when there is none. */
  named(name: string): Queue {
    const queue = this.#queues.get(name);
    if (queue === undefined)
      throw sqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  /** The queue a request's QueueUrl names (any host: the last path segment is the name). */
  resolve(input: Input): Queue {
    const url = input.string('QueueUrl');
    const name =
      url
        .split('/')
        .filter((part) => part !== '')
        .at(-1) ?? '';
    return this.named(name);
  }

  /** A queue's URL as the client reached the sandbox. */
  url(queue: Queue, context: RequestContext): string {
    return `${context.origin}/${context.accountId}/${queue.name}`;
  }

  /** Waits until something may have changed (a send, a clock move, a close) or `ms` pass. */
  waitForChange(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** Wakes every long poll, to look again. */
  wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Ends every long poll at once (the sandbox is shutting down). */
  close(): void {
    this.#closed = true;
    this.wake();
  }
}
