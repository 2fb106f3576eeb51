import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LICENSE_ARN, TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const GONE_LICENSE =
  'arn:aws:license-manager::294406891311:license:l-dddddddddddddddddddddddddddddddd';

const job = (parameterName: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    v: 1,
    parameterName,
    observedVersion: 1,
    reason: 'forced',
    enqueuedAt: '2026-11-27T12:00:00.000Z',
    ...extra,
  });

/** Hostile bodies and the reason each must be dead-lettered with. */
const POISON: readonly (readonly [string, string])[] = [
  ['not json at all', 'NotJson'],
  ['[1,2,3]', 'NotAnObject'],
  [job('/other/path/secret'), 'OutsideTokenPath'],
  [job(`${TOKEN_PATH}../../prod/db-password`), 'InvalidParameterName'],
  [job(`${TOKEN_PATH}good/one`, { licenseArn: LICENSE_ARN }), 'UnknownField'],
  [job(`${TOKEN_PATH}good/one`, { observedVersion: -1 }), 'InvalidObservedVersion'],
  ['x'.repeat(5000), 'TooLarge'],
];

describe('poison messages', () => {
  let h: Harness;

  // A fresh world per test: the second must not see the first one's jobs or dead letters.
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('go to the dead-letter queue intact with their reason, and never block the good jobs', async () => {
    h.sandbox.licenseManager.addLicense({ licenseArn: GONE_LICENSE });
    for (const name of ['good/one', 'good/two', 'good/three']) await h.seed(name, { ageDays: 300 });
    await h.seed('gone/license', { ageDays: 300, licenseArn: GONE_LICENSE });
    h.sandbox.licenseManager.setLicenseGone(GONE_LICENSE);
    await h.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: h.queues.jobQueueUrl,
        Entries: POISON.map(([body], i) => ({
          Id: String(i),
          MessageBody: body,
          // In the good jobs' groups too: a poison message must not hold its group up.
          MessageGroupId: i % 2 === 0 ? `${TOKEN_PATH}good/one` : `poison-${i}`,
          MessageDeduplicationId: `poison-${i}`,
        })),
      }),
    );
    const writesBefore = h.sandbox.ssm.writes().length;
    await h.scan();
    const drain = await h.drain();

    expect(drain).toMatchObject({ stoppedBy: 'empty', failed: 0 });
    for (const name of ['good/one', 'good/two', 'good/three']) {
      expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version, name).toBe(2);
    }
    const dead = h.sandbox.sqs.queue('it-dlq.fifo')?.messages ?? [];
    const reasons = (kind: string) =>
      dead
        .filter((m) => m.attributes.FailureKind?.StringValue === kind)
        .map((m) => [m.body, m.attributes.FailureReason?.StringValue]);
    expect(reasons('InvalidJob').sort()).toEqual(POISON.map(([b, r]) => [b, r]).sort());
    // The job for the license that has gone failed for good: dead-lettered, old token kept.
    const [permanent] = reasons('PermanentFailure');
    expect(permanent?.[1]).toBe('ResourceNotFoundException');
    expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}gone/license`)?.version).toBe(1);
    expect(dead).toHaveLength(POISON.length + 1);
    // Nothing was written but the three good rotations.
    const writes = h.sandbox.ssm.writes().slice(writesBefore);
    expect(writes.map((w) => w.name).sort()).toEqual(
      ['good/one', 'good/three', 'good/two'].map((n) => `${TOKEN_PATH}${n}`),
    );
  });

  it('land in the dead-letter queue through SQS redrive when they fail every time', async () => {
    await h.seed('flaky/always', { ageDays: 300 });
    await h.scan();
    h.sandbox.faults.failNext('license-manager:CreateToken', 100, 'ServerInternalException');
    const before = h.sandbox.sqs.queue('it-dlq.fifo')?.messages.length ?? 0;
    const drain = await h.drain();
    h.sandbox.faults.clear();

    // Five receives (maxReceiveCount), each failing, then SQS moved it: no attributes of ours.
    expect(drain).toMatchObject({ received: 5, failed: 5, deleted: 0, stoppedBy: 'empty' });
    const moved = h.sandbox.sqs.queue('it-dlq.fifo')?.messages.slice(before) ?? [];
    expect(moved).toHaveLength(1);
    expect(moved[0]?.deadLetterSourceArn).toBe(h.sandbox.sqs.queue('it-jobs.fifo')?.arn);
    expect(moved[0]?.attributes).toEqual({});
    expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}flaky/always`)?.version).toBe(1);
    expect(h.check('flaky/always').ok).toBe(true);
  });
});
