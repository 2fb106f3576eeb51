import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/rotation/record.js';
import { DAY_MS } from '../../src/time.js';
import type { TokenSeed } from '../../tools/local/seed.js';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const DAYS = 400;
const GRACE_MS = 72 * 3_600_000;
// 400 daily scans and drains over HTTP: about 3 s on an idle 2-core machine, 5 s with both cores
// busy. The simulated clock makes the verdict independent of that; this only bounds a hang.
const LONG_RUN_TIMEOUT_MS = 120_000;

/** Tokens of every lifetime the contract allows, at every point of their life. */
const FLEET: Readonly<Record<string, Partial<TokenSeed>>> = {
  'year/new': { ageDays: 0 },
  'year/middle': { ageDays: 150 },
  'year/late': { ageDays: 300 },
  'year/expired': { ageDays: 370 },
  'year/own-window': { ageDays: 330, renewBeforeDays: 30 },
  'quarter/a': { ageDays: 10, expirationInDays: 90 },
  'quarter/b': { ageDays: 70, expirationInDays: 90 },
  'month/a': { ageDays: 5, expirationInDays: 30, renewBeforeDays: 10 },
  'week/a': { ageDays: 1, expirationInDays: 7 },
};

const recordOf = (h: Harness, name: string) =>
  parseRecord(h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.description, h.sandbox.clock.now());

/**
 * Scans and drains once a day for `days` simulated days; returns every lapse seen after a day's
 * rotations: a stored token License Manager refuses, or a record that promises more than it has.
 */
async function runDays(h: Harness, days: number): Promise<string[]> {
  // The already expired one is the incident the first scan repairs; from then on none lapses.
  await h.scan();
  await h.drain();
  const lapses: string[] = [];
  for (let day = 1; day <= days; day++) {
    h.sandbox.clock.advance(DAY_MS);
    const summary = await h.scan();
    if (summary.enqueueFailures > 0)
      lapses.push(`day ${day}: ${summary.enqueueFailures} not enqueued`);
    await h.drain();
    const now = h.sandbox.clock.nowMs();
    for (const name of Object.keys(FLEET)) {
      const check = h.check(name);
      const record = recordOf(h, name);
      if (!check.ok || Date.parse(record.expiresAt) <= now) lapses.push(`day ${day}: ${name}`);
      // The record never promises more than the token it describes has.
      if (check.ok && Date.parse(record.expiresAt) > check.token.expiresAt.getTime()) {
        lapses.push(`day ${day}: ${name} record outlives its token`);
      }
    }
  }
  return lapses;
}

describe(`${DAYS} simulated days of daily scans`, () => {
  let h: Harness;

  // Each test builds its own world: neither depends on what the other left behind.
  beforeEach(async () => {
    h = await startHarness();
    for (const [name, seed] of Object.entries(FLEET)) await h.seed(name, seed);
  });
  afterEach(() => h.close());

  it(
    'keeps every token valid throughout, minting one token per generation',
    async () => {
      expect(await runDays(h, DAYS)).toEqual([]);

      const versions = Object.keys(FLEET).map(
        (name) => h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version ?? 0,
      );
      // A 7-day token renews every few days: dozens of generations over the run.
      expect(Math.max(...versions)).toBeGreaterThan(50);
      expect(Math.min(...versions)).toBeGreaterThan(1);
      for (const [clientToken, count] of h.sandbox.licenseManager.mintCounts()) {
        expect(count, clientToken).toBe(1);
      }
      expect(h.sandbox.sqs.queue('it-dlq.fifo')?.messages).toEqual([]);
    },
    LONG_RUN_TIMEOUT_MS,
  );

  it(
    'leaves one AVAILABLE, unexpired token per parameter, besides those in their grace period',
    async () => {
      // Long enough for every lifetime to rotate and every 72-hour grace period to end at least
      // once (the one-year token aged 300 days rotates on the first scan).
      expect(await runDays(h, 40)).toEqual([]);
      const now = h.sandbox.clock.nowMs();
      const live = h.sandbox.licenseManager
        .tokens()
        .filter((t) => t.status === 'AVAILABLE' && t.expiresAt.getTime() > now)
        .map((t) => t.tokenId)
        .sort();
      const records = Object.keys(FLEET).map((name) => recordOf(h, name));
      // A token superseded less than REVOKE_PREVIOUS_AFTER_HOURS (72) ago is in its grace period.
      const inGrace = records.flatMap((r) =>
        r.previousTokenId !== undefined && now - Date.parse(r.rotatedAt ?? '') < GRACE_MS
          ? [r.previousTokenId]
          : [],
      );
      // The run revoked superseded tokens, or the equality below would prove little.
      const revoked = h.sandbox.licenseManager.tokens().filter((t) => t.status === 'DELETED');
      expect(revoked.length).toBeGreaterThan(Object.keys(FLEET).length);
      expect(live).toEqual([...records.map((r) => r.tokenId), ...inGrace].sort());
    },
    LONG_RUN_TIMEOUT_MS,
  );
});
