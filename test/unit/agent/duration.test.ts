import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/agent/duration.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/time.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['10m', 10 * MINUTE_MS],
    ['1h', HOUR_MS],
    ['1h30m', HOUR_MS + 30 * MINUTE_MS],
    ['2d', 2 * DAY_MS],
    ['0s', 0],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['60', '', '1x', 'h', '1 h', '-1h', '1.5h', '1h 30m', `${'9'.repeat(20)}d`])(
    'refuses "%s"',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it.each([
    [250, '250ms'],
    [30_000, '30s'],
    [HOUR_MS + 30 * MINUTE_MS, '1h30m'],
    [DAY_MS + 5_400, '1d5s'],
    [7_499, '7s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
