/**
 * The sandbox's one clock. Every time-based behaviour (SQS visibility and deduplication, the
 * ClientToken window, token expiry, SSM's LastModifiedDate) reads it, so a test can jump days
 * ahead and see exactly what AWS would show after those days.
 */
export class SandboxClock {
  #offsetMs: number;
  #frozenAt: number | undefined;
  readonly #listeners = new Set<() => void>();

  /**
   * @param options.start  the moment the clock starts at (default: real time)
   * @param options.frozen true to stop time between explicit moves, for exact tests
   */
  constructor(options: { start?: Date; frozen?: boolean } = {}) {
    const real = Date.now();
    this.#offsetMs = options.start === undefined ? 0 : options.start.getTime() - real;
    this.#frozenAt = options.frozen ? real + this.#offsetMs : undefined;
  }

  /** The sandbox's current time in epoch milliseconds. */
  nowMs(): number {
    return this.#frozenAt ?? Date.now() + this.#offsetMs;
  }

  /** The sandbox's current time. */
  now(): Date {
    return new Date(this.nowMs());
  }

  /** How far the sandbox is ahead of real time (negative when behind), in milliseconds. */
  get offsetMs(): number {
    return this.nowMs() - Date.now();
  }

  /** Moves time forward (or back, with a negative amount). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms)) throw new RangeError('advance needs a finite number of ms');
    return this.set(new Date(this.nowMs() + ms));
  }

  /** Jumps to a moment, earlier or later. */
  set(moment: Date): Date {
    const target = moment.getTime();
    if (Number.isNaN(target)) throw new RangeError('set needs a valid date');
    if (this.#frozenAt === undefined) this.#offsetMs = target - Date.now();
    else this.#frozenAt = target;
    for (const listener of this.#listeners) listener();
    return this.now();
  }

  /** Calls `listener` after every jump; returns the function that unsubscribes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
