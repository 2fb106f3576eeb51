import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobReason, messageGroupId, newJob, serialiseJob } from '../../src/rotation/job.js';
import { HOUR_MS } from '../../src/time.js';
import { GRACE_MS } from '../chaos/run.js';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { loadHostileJobs } from '../helpers/hostile-jobs.js';
import { capturedLogs, clearCapturedOutput } from '../helpers/output.js';

const CASES = loadHostileJobs();
const GOOD = ['good/first', 'good/second'] as const;
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

describe('the hostile-job corpus (test/fixtures/hostile-jobs)', () => {
  it('has at least 30 cases, each a different body', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.body)).size).toBe(CASES.length);
  });
});

describe('a hostile job mixed into a batch of good jobs, through the real rotator and SQS', () => {
  let h: Harness;
  let dedup = 0;

  beforeAll(async () => {
    h = await startHarness();
    for (const name of GOOD) {
      // A property of its own on each, so every token minted says whose it is.
      await h.seed(name, { ageDays: 10, tokenProperties: [`good:${name}`] });
    }
  });
  afterAll(() => h.close());

  const deadLetters = () => h.sandbox.sqs.queue('it-dlq.fifo')?.messages ?? [];
  /** The dead letters that arrived since `before` (ids: SQS drops letters past their retention). */
  const deadLettersSince = (before: ReadonlySet<string>) =>
    deadLetters().filter((letter) => !before.has(letter.messageId));
  const deadLetterIds = () => new Set(deadLetters().map((letter) => letter.messageId));
  const version = (name: string) => h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version ?? 0;

  const send = async (body: string, groupId: string): Promise<string> => {
    const sent = await h.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.queues.jobQueueUrl,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: `hostile-${++dedup}`,
      }),
    );
    return sent.MessageId ?? '';
  };

  /** A forced rotation of a good parameter at its current version: it must go through. */
  const forced = (name: string): string =>
    serialiseJob(
      newJob(`${TOKEN_PATH}${name}`, version(name), JobReason.Forced, h.sandbox.clock.now()),
    );

  it.each(CASES)('$name: $description', async (hostile) => {
    const [first, second] = GOOD;
    // Past the grace period of the tokens the last case's forced rotations superseded: a forced
    // rotation waits for it to end, and these must go through.
    h.sandbox.clock.advance(GRACE_MS + HOUR_MS);
    const before = {
      versions: GOOD.map(version),
      writes: h.sandbox.ssm.writes().length,
      creates: h.sandbox.calls('CreateToken').length,
      tokens: h.sandbox.licenseManager.tokens().length,
      deadLetters: deadLetterIds(),
    };
    // The hostile job first in the first good job's group: if it failed its item, FIFO ordering
    // would hold that good job back with it.
    const group = messageGroupId(`${TOKEN_PATH}${first}`);
    const hostileId = await send(hostile.body, group);
    await send(forced(first), group);
    await send(forced(second), messageGroupId(`${TOKEN_PATH}${second}`));

    const drain = await h.drain();

    // One batch, every message acknowledged, nothing left to retry.
    expect(drain).toMatchObject({
      stoppedBy: 'empty',
      invocations: 1,
      received: 3,
      deleted: 3,
      failed: 0,
      handlerErrors: 0,
    });
    // Every good job in the batch succeeded.
    expect(GOOD.map(version)).toEqual(before.versions.map((v) => v + 1));
    for (const name of GOOD) expect(h.check(name).ok, name).toBe(true);
    // Nothing written, nothing minted, for the hostile one.
    const writes = h.sandbox.ssm.writes().slice(before.writes);
    expect(writes.map((w) => `${w.operation} ${w.name}`).sort()).toEqual(
      GOOD.map((name) => `PutParameter ${TOKEN_PATH}${name}`),
    );
    expect(h.sandbox.calls('CreateToken').length - before.creates).toBe(GOOD.length);
    const minted = h.sandbox.licenseManager.tokens().slice(before.tokens);
    expect(minted.map((t) => t.tokenProperties).sort()).toEqual(GOOD.map((n) => [`good:${n}`]));
    // In the DLQ, intact, with the reason attached.
    const dead = deadLettersSince(before.deadLetters);
    expect(dead).toHaveLength(1);
    const [letter] = dead;
    expect(letter?.body === hostile.body, 'the body byte for byte').toBe(true);
    expect(letter?.attributes.FailureKind?.StringValue).toBe('InvalidJob');
    expect(letter?.attributes.FailureReason?.StringValue).toBe(hostile.reason);
    expect(letter?.attributes.FailureMessage?.StringValue).toMatch(/\S/);
    expect(letter?.attributes.SourceMessageId?.StringValue).toBe(hostileId);
    for (const attribute of Object.values(letter?.attributes ?? {})) {
      expect(attribute.StringValue).not.toMatch(JWT_SHAPE);
    }
  });

  it('dead-letters a body at SQS’s 1 MiB limit intact, its reason in the log line (no room for attributes)', async () => {
    const body = 'x'.repeat(1_048_576);
    const before = { deadLetters: deadLetterIds(), writes: h.sandbox.ssm.writes().length };
    clearCapturedOutput();
    const id = await send(body, 'at-the-limit');

    expect(await h.drain()).toMatchObject({ received: 1, deleted: 1, failed: 0 });
    const [letter, ...more] = deadLettersSince(before.deadLetters);
    expect(more).toEqual([]);
    expect(letter?.body === body).toBe(true);
    // The documented exception (docs/design.md): the body alone fills the message.
    expect(letter?.attributes).toEqual({});
    expect(h.sandbox.ssm.writes()).toHaveLength(before.writes);
    expect(capturedLogs()).toContainEqual(
      expect.objectContaining({
        message: 'Job sent to the dead-letter queue',
        messageId: id,
        reason: 'TooLarge',
        invalid: true,
      }),
    );
  });
});
