import { DAY_MS, HOUR_MS, MINUTE_MS } from '../time.js';

/** Milliseconds in each unit a duration option may use. */
const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: MINUTE_MS / 60,
  m: MINUTE_MS,
  h: HOUR_MS,
  d: DAY_MS,
};

const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/**
 * A duration like `1h`, `10m`, `90s`, `250ms` or `1h30m`, in milliseconds; undefined for anything
 * else. A bare number is refused: `--interval 60` could mean seconds or minutes.
 */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount = '', unit = ''] of text.matchAll(PART)) {
    total += Number(amount) * (UNITS[unit] ?? Number.NaN);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** A duration for people: `1h`, `10m`, `45s`, `1h30m`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNITS[unit] ?? 1;
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
