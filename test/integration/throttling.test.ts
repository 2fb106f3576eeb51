import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanIncompleteError, TransientError } from '../../src/errors.js';
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
        // The scanner's sends are few: throttle them harder, so some exhaust the SDK's retries.
        { operation: 'sqs:SendMessageBatch', probability: 0.5 },
        { operation: 'sqs:*', probability: 0.2 },
      ],
    });
    const scanFailures: unknown[] = [];
    let rounds = 0;
    const rotated = () =>
      DUE.filter((name) => h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version === 2).length;
    while (rotated() < DUE.length && rounds < 20) {
      rounds++;
      await h.scan().catch((error: unknown) => {
        scanFailures.push(error);
      });
      // Small batches, as a busy event source would deliver them: more SQS calls to throttle.
      await h.drain({ batchSize: 3 });
    }
    const throttled = new Map<string, number>();
    for (const call of h.sandbox.calls()) {
      if (call.fault === 'throttle')
        throttled.set(call.service, (throttled.get(call.service) ?? 0) + 1);
    }
    const scannerSends = h.sandbox.calls('SendMessageBatch').filter((c) => c.fault === 'throttle');
    h.sandbox.faults.clear();

    expect(rotated()).toBe(DUE.length);
    // The storm really hit every service, and SQS's throttling hit the scanner's own sends.
    for (const service of ['ssm', 'sqs', 'license-manager']) {
      expect(throttled.get(service), service).toBeGreaterThan(5);
    }
    expect(scannerSends.length).toBeGreaterThan(0);
    expect(new Set(scannerSends.map((c) => `${c.status} ${c.code}`))).toEqual(
      new Set(['403 RequestThrottled']),
    );
    // A scan may fail under throttling, but only as a retryable failure, never a permanent one.
    const retryable = (error: unknown) =>
      error instanceof TransientError || error instanceof ScanIncompleteError;
    expect(scanFailures.filter((error) => !retryable(error)).map(String)).toEqual([]);
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
    expect(scanFailures.length).toBeLessThan(rounds);
  });

  it("retries a job batch SQS throttled past the SDK's own retries (RequestThrottled, 403)", async () => {
    const fast = await startHarness({ fastRetries: true });
    try {
      const names = ['sqs/a', 'sqs/b', 'sqs/c'];
      for (const name of names) await fast.seed(name, { ageDays: 300 });
      // Every attempt the SDK makes (3) is throttled; only the scan's own resend gets through.
      fast.sandbox.faults.failNext('sqs:SendMessageBatch', 3, 'RequestThrottled');
      const summary = await fast.scan();

      expect(
        fast.sandbox.calls('SendMessageBatch').map((call) => `${call.status} ${call.code ?? ''}`),
      ).toEqual(['403 RequestThrottled', '403 RequestThrottled', '403 RequestThrottled', '200 ']);
      expect(summary).toMatchObject({ due: names.length, enqueued: names.length });
      expect(summary.enqueueFailures).toBe(0);
      expect(await fast.drain()).toMatchObject({ deleted: names.length, failed: 0 });
      for (const name of names) expect(fast.check(name).ok, name).toBe(true);
    } finally {
      await fast.close();
    }
  });

  it('keeps the failure attributes of a dead letter whose send SQS throttled: the job is retried', async () => {
    const fast = await startHarness({ fastRetries: true });
    try {
      await fast.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: fast.queues.jobQueueUrl,
          MessageBody: 'not a job',
          MessageGroupId: 'hostile',
          MessageDeduplicationId: 'hostile-1',
        }),
      );
      const before = fast.sandbox.calls('SendMessage').length;
      // The dead-letter send is throttled on every attempt the SDK makes (3).
      fast.sandbox.faults.failNext('sqs:SendMessage', 3, 'RequestThrottled');
      const drain = await fast.drain();

      const sends = fast.sandbox.calls('SendMessage').slice(before);
      expect(sends.map((call) => `${call.status} ${call.code ?? ''}`)).toEqual([
        '403 RequestThrottled',
        '403 RequestThrottled',
        '403 RequestThrottled',
        '200 ',
      ]);
      // First delivery failed (to be retried), the second one dead-lettered it.
      expect(drain).toMatchObject({ received: 2, failed: 1, deleted: 1 });
      const letters = fast.sandbox.sqs.queue('it-dlq.fifo')?.messages ?? [];
      expect(letters.map((letter) => letter.body)).toEqual(['not a job']);
      expect(letters[0]?.attributes.FailureKind?.StringValue).toBe('InvalidJob');
      expect(letters[0]?.attributes.FailureReason?.StringValue).toBe('NotJson');
    } finally {
      await fast.close();
    }
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
