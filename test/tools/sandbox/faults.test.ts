import { describe, expect, it } from 'vitest';
import { Faults, matches } from '../../../tools/sandbox/faults.js';
import { SeededRandom } from '../../../tools/sandbox/random.js';

describe('matches', () => {
  it('reads *, a whole service, a qualified operation, or a bare operation name', () => {
    expect(matches('*', 'ssm', 'PutParameter')).toBe(true);
    expect(matches('ssm:*', 'ssm', 'PutParameter')).toBe(true);
    expect(matches('ssm:*', 'sqs', 'SendMessage')).toBe(false);
    expect(matches('ssm:PutParameter', 'ssm', 'PutParameter')).toBe(true);
    expect(matches('ssm:PutParameter', 'ssm', 'GetParameter')).toBe(false);
    expect(matches('CreateToken', 'license-manager', 'CreateToken')).toBe(true);
    expect(matches('license-manager:CreateToken', 'ssm', 'CreateToken')).toBe(false);
  });
});

describe('Faults', () => {
  it('fails exactly the next N matching calls, before or after they take effect', () => {
    const faults = new Faults(new SeededRandom(1));
    faults.failNext('ssm:PutParameter', 2, 'InternalServerError');
    faults.failNext('ssm:PutParameter', 1, 'TooManyUpdates', 'after');
    expect(faults.decide('ssm', 'GetParameter')).toEqual({ delayMs: 0 });
    const decisions = [1, 2, 3, 4].map(() => faults.decide('ssm', 'PutParameter'));
    expect(decisions).toEqual([
      { delayMs: 0, before: { kind: 'error', code: 'InternalServerError' } },
      { delayMs: 0, before: { kind: 'error', code: 'InternalServerError' } },
      { delayMs: 0, after: { kind: 'error', code: 'TooManyUpdates' } },
      { delayMs: 0 },
    ]);
    expect(Object.fromEntries(faults.injected)).toEqual({
      'error:InternalServerError': 2,
      'error:TooManyUpdates': 1,
    });
  });

  it('drops the connection for connection-reset', () => {
    const faults = new Faults(new SeededRandom(1));
    faults.failNext('*', 1, 'connection-reset');
    expect(faults.decide('sqs', 'ReceiveMessage').before).toEqual({ kind: 'reset' });
  });

  it('throttles about the share asked for, the same calls for the same seed', () => {
    const run = (seed: number) => {
      const faults = new Faults(new SeededRandom(seed));
      faults.throttle('license-manager:*', 0.25);
      return Array.from(
        { length: 10_000 },
        () => faults.decide('license-manager', 'CreateToken').before?.kind,
      );
    };
    const first = run(42);
    const share = first.filter((kind) => kind === 'throttle').length / first.length;
    expect(share).toBeGreaterThan(0.23);
    expect(share).toBeLessThan(0.27);
    expect(run(42)).toEqual(first);
    expect(run(43)).not.toEqual(first);
  });

  it('adds up the latency of every matching rule', () => {
    const faults = new Faults(new SeededRandom(1));
    faults.add({
      latency: [
        { operation: '*', ms: 5 },
        { operation: 'sqs:*', ms: 20 },
      ],
    });
    expect(faults.decide('sqs', 'SendMessage').delayMs).toBe(25);
    expect(faults.decide('ssm', 'PutParameter').delayMs).toBe(5);
  });

  it('forgets every rule on clear, and refuses rules that make no sense', () => {
    const faults = new Faults(new SeededRandom(1));
    faults.throttle('*', 1);
    faults.clear();
    expect(faults.decide('ssm', 'PutParameter')).toEqual({ delayMs: 0 });
    expect(() => faults.throttle('*', 1.5)).toThrow(RangeError);
    expect(() => faults.failNext('*', 0, 'X')).toThrow(RangeError);
    expect(() => faults.latency('*', -1)).toThrow(RangeError);
  });

  it('reports the rules in force with what each failNext has left', () => {
    const faults = new Faults(new SeededRandom(1));
    faults.failNext('CreateToken', 3, 'ServerInternalException');
    faults.decide('license-manager', 'CreateToken');
    expect(faults.rules().failNext).toEqual([
      { operation: 'CreateToken', count: 2, error: 'ServerInternalException', when: 'before' },
    ]);
  });
});

describe('SeededRandom', () => {
  it('repeats its sequence for a seed, and makes well-formed ids', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    expect([a.next(), a.next(), a.hex(32)]).toEqual([b.next(), b.next(), b.hex(32)]);
    expect(a.hex(40)).toMatch(/^[0-9a-f]{40}$/);
    expect(a.uuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
