import { describe, expect, it } from 'vitest';
import {
  BACKOFF_BASE_MS,
  type CycleOutcome,
  type CycleResult,
  nextDelay,
  runLoop,
} from '../../../src/agent/run-loop.js';
import { HOUR_MS, MINUTE_MS } from '../../../src/time.js';

const TIMING = { intervalMs: HOUR_MS, jitterMs: 10 * MINUTE_MS };

describe('the run loop schedule', () => {
  it('waits the interval plus a random share of the jitter after a success or a refusal', () => {
    for (const result of ['ok', 'failed'] as const) {
      expect(nextDelay(TIMING, result, 0, () => 0)).toBe(HOUR_MS);
      expect(nextDelay(TIMING, result, 0, () => 0.5)).toBe(HOUR_MS + 5 * MINUTE_MS);
    }
  });

  it('backs off exponentially after transient failures, half fixed and half random, capped at the interval', () => {
    const delays = (random: number) =>
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => nextDelay(TIMING, 'transient', n, () => random));
    const full = [1, 2, 4, 8, 16, 32, 64, 128, 256].map((f) =>
      Math.min(HOUR_MS, f * BACKOFF_BASE_MS),
    );
    expect(delays(1)).toEqual(full);
    expect(delays(0)).toEqual(full.map((d) => d / 2));
    expect(full.at(-1)).toBe(HOUR_MS);
  });

  it('runs cycles, reports problems with the next wait, resets the back-off after a success, and stops when told', async () => {
    const script: CycleResult[] = ['transient', 'transient', 'ok', 'transient', 'failed', 'ok'];
    const controller = new AbortController();
    const waits: number[] = [];
    const reports: string[] = [];
    let cycles = 0;

    await runLoop(
      { intervalMs: HOUR_MS, jitterMs: 0 },
      {
        cycle: async (): Promise<CycleOutcome> => {
          const result = script[cycles++] ?? 'ok';
          return result === 'ok' ? { result } : { result, problem: `problem ${cycles}` };
        },
        report: (line) => reports.push(line),
        random: () => 1,
        wait: async (ms) => {
          waits.push(ms);
          if (waits.length === script.length) controller.abort();
          return !controller.signal.aborted;
        },
        signal: controller.signal,
      },
    );

    expect(cycles).toBe(script.length);
    expect(waits).toEqual([
      BACKOFF_BASE_MS,
      2 * BACKOFF_BASE_MS,
      HOUR_MS,
      BACKOFF_BASE_MS,
      HOUR_MS,
      HOUR_MS,
    ]);
    expect(reports).toEqual([
      'problem 1 (next attempt in 15s)',
      'problem 2 (next attempt in 30s)',
      'problem 4 (next attempt in 15s)',
      'problem 5 (next attempt in 1h)',
    ]);
  });

  it('stops without waiting or reporting when stopped during a cycle', async () => {
    const controller = new AbortController();
    const waits: number[] = [];
    const reports: string[] = [];

    await runLoop(TIMING, {
      cycle: async () => {
        controller.abort();
        return { result: 'transient', problem: 'cut short' };
      },
      report: (line) => reports.push(line),
      random: () => 0,
      wait: async (ms) => {
        waits.push(ms);
        return true;
      },
      signal: controller.signal,
    });

    expect([waits, reports]).toEqual([[], []]);
  });
});
