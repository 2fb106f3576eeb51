import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../tools/sandbox/clock.js';

const START = new Date('2026-11-27T12:00:00.000Z');

describe('SandboxClock', () => {
  it('stands still when frozen, and moves only when told', () => {
    const clock = new SandboxClock({ start: START, frozen: true });
    expect(clock.now()).toEqual(START);
    clock.advance(86_400_000);
    expect(clock.now().toISOString()).toBe('2026-11-28T12:00:00.000Z');
    clock.set(new Date('2030-01-01T00:00:00.000Z'));
    expect(clock.nowMs()).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
    clock.advance(-1000);
    expect(clock.now().toISOString()).toBe('2029-12-31T23:59:59.000Z');
  });

  it('follows real time plus the offset when not frozen', () => {
    const clock = new SandboxClock();
    // Bracketed by real time, so the verdict does not depend on how long each line takes.
    const between = (offset: number): void => {
      const before = Date.now();
      const read = clock.nowMs();
      const after = Date.now();
      expect(read).toBeGreaterThanOrEqual(before + offset);
      expect(read).toBeLessThanOrEqual(after + offset);
    };
    between(0);
    clock.advance(30 * 86_400_000);
    expect(clock.offsetMs).toBe(30 * 86_400_000);
    between(30 * 86_400_000);
  });

  it('tells its listeners about every jump, until they unsubscribe', () => {
    const clock = new SandboxClock({ frozen: true });
    let calls = 0;
    const stop = clock.onChange(() => {
      calls++;
    });
    clock.advance(1);
    clock.set(START);
    stop();
    clock.advance(1);
    expect(calls).toBe(2);
  });

  it('refuses a jump to nowhere', () => {
    const clock = new SandboxClock();
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(new Date('not a date'))).toThrow(RangeError);
  });
});
