import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const DUE = Array.from({ length: 30 }, (_, i) => `storm/due-${i}`);
const FRESH = Array.from({ length: 8 }, (_, i) => `storm/fresh-${i}`);

describe('a throttling storm on every service', () => {
  let h: Harness;

  beforeAll(async () => {
    // The SDK's own retries (3 attempts) without its back-off delays, so the storm runs fast.
    h = await startHarness({ fastRetries: true, sandbox: { seed: 7 } });
    for (const name of DUE) await h.seed(name, { ageDays: 250 + DUE.indexOf(name) * 4 });
    for (const name of FRESH) await h.seed(name, { ageDays: 30 });
  });
  afterAll(() => h.close());

  it('rotates every due token exactly once per generation, and dead-letters nothing', async () => {
    const writesBefore = h.sandbox.ssm.writes().length;
    h.sandbox.faults.add({
      throttle: [
        { operation: 'ssm:*', probability: 0.3 },
        { operation: 'license-manager:*', probability: 0.3 },
        { operation: 'sqs:*', probability: 0.2 },
      ],
    });
    let scanFailures = 0;
    let rounds = 0;
    const rotated = () =>
      DUE.filter((name) => h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version === 2).length;
    while (rotated() < DUE.length && rounds < 20) {
      rounds++;
      await h.scan().catch(() => {
        scanFailures++;
      });
      // Small batches, as a busy event source would deliver them: more SQS calls to throttle.
      await h.drain({ batchSize: 3 });
    }
    const throttled = new Map<string, number>();
    for (const call of h.sandbox.calls()) {
      if (call.fault === 'throttle')
        throttled.set(call.service, (throttled.get(call.service) ?? 0) + 1);
    }
    h.sandbox.faults.clear();

    expect(rotated()).toBe(DUE.length);
    // The storm really hit every service.
    for (const service of ['ssm', 'sqs', 'license-manager']) {
      expect(throttled.get(service), service).toBeGreaterThan(5);
    }
    for (const name of DUE) {
      expect(h.sandbox.licenseManager.mintCount(h.clientToken(name, 1)), name).toBe(1);
      expect(h.check(name).ok, name).toBe(true);
    }
    for (const name of FRESH)
      expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version).toBe(1);
    expect(h.sandbox.sqs.queue('it-dlq.fifo')?.messages).toEqual([]);
    const writes = h.sandbox.ssm.writes().slice(writesBefore);
    expect(new Set(writes.map((w) => w.name))).toEqual(
      new Set(DUE.map((n) => `${TOKEN_PATH}${n}`)),
    );
    expect(rounds).toBeLessThan(20);
    expect(scanFailures).toBeLessThan(rounds);
  });

  it('lets the SDK absorb License Manager rate limiting with the production client settings', async () => {
    const plain = await startHarness();
    try {
      await plain.seed('rate/limited', { ageDays: 300 });
      await plain.scan();
      const before = plain.sandbox.calls('CreateToken').length;
      plain.sandbox.faults.failNext('license-manager:CreateToken', 1, 'RateLimitExceededException');
      const drain = await plain.drain();
      // One delivery: the SDK retried the rate-limited CreateToken itself.
      expect(drain).toMatchObject({ received: 1, deleted: 1, failed: 0 });
      const calls = plain.sandbox.calls('CreateToken').slice(before);
      expect(calls.map((c) => c.status)).toEqual([429, 200]);
      expect(plain.check('rate/limited').ok).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
