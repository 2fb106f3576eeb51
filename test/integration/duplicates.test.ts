import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const NAMES = ['dup/a', 'dup/b', 'dup/c', 'dup/d', 'dup/e', 'dup/f'];

describe('duplicate jobs and concurrent rotators', () => {
  let h: Harness;

  // A fresh world per test, each seeding its own parameters.
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  const queued = async (): Promise<number> => {
    const { Attributes } = await h.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: h.queues.jobQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages);
  };

  it('mints one token per parameter however many copies of its job two rotators consume', async () => {
    for (const name of NAMES) await h.seed(name, { ageDays: 300 });
    // Two overlapping scans: SQS deduplicates the second one's jobs.
    await h.scan();
    await h.scan();
    expect(await queued()).toBe(NAMES.length);
    // And two more copies of each job that escaped deduplication (sent after its window).
    const bodies = h.sandbox.sqs
      .queue('it-jobs.fifo')
      ?.messages.map((m) => ({ body: m.body, group: m.groupId ?? '' }));
    for (const copy of ['x', 'y']) {
      await h.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: h.queues.jobQueueUrl,
          Entries: (bodies ?? []).map((m, i) => ({
            Id: String(i),
            MessageBody: m.body,
            MessageGroupId: m.group,
            MessageDeduplicationId: `${copy}-${i}`,
          })),
        }),
      );
    }
    expect(await queued()).toBe(NAMES.length * 3);
    const minted = h.sandbox.licenseManager.tokens().length;

    // Two rotator instances drain the queue at once, one message at a time each.
    const [one, two] = await Promise.all([
      h.drain({ handler: h.newRotator(), batchSize: 1 }),
      h.drain({ handler: h.newRotator(), batchSize: 1 }),
    ]);
    expect(one.invocations).toBeGreaterThan(0);
    expect(two.invocations).toBeGreaterThan(0);
    expect(one.deleted + two.deleted).toBe(NAMES.length * 3);

    expect(h.sandbox.licenseManager.tokens().length - minted).toBe(NAMES.length);
    for (const name of NAMES) {
      const full = `${TOKEN_PATH}${name}`;
      expect(h.sandbox.ssm.parameter(full)?.version).toBe(2);
      expect(h.sandbox.licenseManager.mintCount(h.clientToken(name, 1))).toBe(1);
      expect(h.check(name).ok).toBe(true);
    }
    expect(h.sandbox.sqs.queue('it-dlq.fifo')?.messages).toEqual([]);
  });

  it('mints one token when a visibility timeout runs out while a rotator is mid-flight', async () => {
    const name = 'dup/slow';
    const full = `${TOKEN_PATH}${name}`;
    await h.seed(name, { ageDays: 300 });
    await h.scan();
    let second: Awaited<ReturnType<Harness['drain']>> | undefined;
    h.sandbox.beforeCall = async ({ operation }) => {
      if (operation !== 'CreateToken' || second !== undefined) return;
      // The first rotator stalls here; its job becomes visible and a second rotator takes it.
      second = {
        invocations: 0,
        received: 0,
        deleted: 0,
        failed: 0,
        handlerErrors: 0,
        pollErrors: 0,
        stoppedBy: 'empty',
      };
      h.sandbox.clock.advance(h.visibilityTimeout * 1000 + 1000);
      second = await h.drain({ handler: h.newRotator() });
    };
    try {
      const first = await h.drain();
      expect(second).toMatchObject({ received: 1, deleted: 1 });
      // The first finished too, but its receipt handle was stale: its delete was a no-op.
      expect(first).toMatchObject({ received: 1, failed: 0 });
    } finally {
      h.sandbox.beforeCall = undefined;
    }
    expect(h.sandbox.licenseManager.mintCount(h.clientToken(name, 1))).toBe(1);
    const minted = h.sandbox.licenseManager
      .tokens()
      .filter((t) => t.clientToken === h.clientToken(name, 1));
    expect(minted).toHaveLength(1);
    expect(h.sandbox.ssm.parameter(full)?.value === minted[0]?.token).toBe(true);
    expect(h.check(name).ok).toBe(true);
    // The stalled rotator checks the version before its write, finds its own token stored by the
    // other and stands down: the seeding and one rotation, no redundant second write.
    expect(h.sandbox.ssm.history(full).map((v) => v.version)).toEqual([1, 2]);
  });
});
