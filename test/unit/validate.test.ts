import { describe, expect, it } from 'vitest';
import { keyProblem, parseTimestamp } from '../../src/validate.js';

describe('parseTimestamp', () => {
  it.each([
    ['2026-01-31T12:00:00.000Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00.5Z', '2026-01-31T12:00:00.500Z'],
  ])('reads %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ['a local time', '2026-01-31T12:00:00'],
    ['an offset', '2026-01-31T12:00:00+01:00'],
    ['the 31st of February', '2026-02-31T12:00:00.000Z'],
    ['a timestamp in an array', ['2026-01-31T12:00:00.000Z']],
    ['a number', 1_769_860_800_000],
  ])('refuses %s', (_, value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });
});

describe('keyProblem', () => {
  it('names the first unknown key, then the first missing one', () => {
    expect(keyProblem({ a: 1, x: 2 }, ['a', 'b'], ['c'])).toEqual({ kind: 'unknown', key: 'x' });
    expect(keyProblem({ a: 1, c: 2 }, ['a', 'b'], ['c'])).toEqual({ kind: 'missing', key: 'b' });
    expect(keyProblem({ a: 1, b: 2 }, ['a', 'b'], ['c'])).toBeUndefined();
  });
});
