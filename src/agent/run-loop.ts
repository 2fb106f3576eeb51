import { setTimeout as sleep } from 'node:timers/promises';
import { MINUTE_MS } from '../time.js';
import { formatDuration } from './duration.js';

/** How often `run` refreshes: every interval, plus up to `jitterMs` at random. */
export interface LoopTiming {
  readonly intervalMs: number;
  readonly jitterMs: number;
}

/** How a cycle ended, as the loop schedules the next one. */
export type CycleResult = 'ok' | 'transient' | 'failed';

/** A cycle's result, and what went wrong (already worded for the operator) when it did. */
export interface CycleOutcome {
  readonly result: CycleResult;
  readonly problem?: string;
}

/** The first retry after a transient failure; each further one doubles, up to the interval. */
export const BACKOFF_BASE_MS = MINUTE_MS / 4;

/**
 * The wait before the next cycle. After a transient failure: exponential back-off capped at the
 * interval, half of it fixed and half random so a fleet that failed together does not retry
 * together. Otherwise (success, or a refusal an operator must fix): the interval plus jitter.
 */
export function nextDelay(
  timing: LoopTiming,
  result: CycleResult,
  consecutiveTransient: number,
  random: () => number,
): number {
  if (result !== 'transient') return timing.intervalMs + random() * timing.jitterMs;
  const backoff = Math.min(timing.intervalMs, BACKOFF_BASE_MS * 2 ** (consecutiveTransient - 1));
  return backoff / 2 + (random() * backoff) / 2;
}

/** What the loop runs and how it waits; tests pass their own. */
export interface LoopDependencies {
  readonly cycle: () => Promise<CycleOutcome>;
  /** Reports a cycle's problem with when the next attempt comes. */
  readonly report: (line: string) => void;
  readonly random: () => number;
  /** Waits; resolves false when the loop is to stop instead. */
  readonly wait: (ms: number) => Promise<boolean>;
  readonly signal: AbortSignal;
}

/** Waits for `ms`, or until the signal fires: false then. */
export async function abortableWait(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}

/** Runs cycles until the signal fires, waiting between them as nextDelay says. */
export async function runLoop(timing: LoopTiming, dependencies: LoopDependencies): Promise<void> {
  const { cycle, report, random, wait, signal } = dependencies;
  let consecutiveTransient = 0;
  while (!signal.aborted) {
    const outcome = await cycle();
    if (signal.aborted) return;
    consecutiveTransient = outcome.result === 'transient' ? consecutiveTransient + 1 : 0;
    const delay = nextDelay(timing, outcome.result, consecutiveTransient, random);
    if (outcome.problem !== undefined) {
      report(`${outcome.problem} (next attempt in ${formatDuration(delay)})`);
    }
    if (!(await wait(delay))) return;
  }
}
