import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxClients } from '../../../tools/local/clients.js';
import { drainQueue, type SqsHandler, successes } from '../../../tools/local/event-source.js';
import { createRotatorQueues, type RotatorQueues } from '../../../tools/local/queues.js';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { clientsFor, startTestSandbox } from '../../helpers/sandbox.js';

describe('the local event source', () => {
  let sandbox: Sandbox;
  let clients: SandboxClients;
  let queues: RotatorQueues;
  let prefix = 0;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    clients = clientsFor(sandbox, { maxAttempts: 1 });
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    prefix++;
    queues = await createRotatorQueues(clients.sqs, {
      prefix: `es${prefix}`,
      visibilityTimeout: 30,
    });
  });

  const send = (body: string, group: string) =>
    clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.jobQueueUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: body,
        MessageAttributes: {
          Text: { DataType: 'String', StringValue: 'hello' },
          Bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([0xff, 0x00]) },
        },
      }),
    );
  const advanceOnIdle = () => {
    sandbox.clock.advance(31_000);
  };

  it('hands the handler SQS events shaped as Lambda builds them', async () => {
    await send('one', 'group-1');
    const events: SQSEvent[] = [];
    const summary = await drainQueue({
      sqs: clients.sqs,
      queueUrl: queues.jobQueueUrl,
      handler: async (event) => {
        events.push(event);
        return { batchItemFailures: [] };
      },
    });
    expect(summary).toMatchObject({
      invocations: 1,
      received: 1,
      deleted: 1,
      failed: 0,
      stoppedBy: 'empty',
    });
    const [record] = events[0]?.Records ?? [];
    expect(record).toMatchObject({
      body: 'one',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:es${prefix}-jobs.fifo`,
      awsRegion: 'us-east-1',
      md5OfBody: 'f97c5d29941bfb1b2fdab0874906ab82',
      attributes: {
        ApproximateReceiveCount: '1',
        MessageGroupId: 'group-1',
        MessageDeduplicationId: 'one',
      },
      messageAttributes: {
        Text: {
          dataType: 'String',
          stringValue: 'hello',
          stringListValues: [],
          binaryListValues: [],
        },
        Bytes: {
          dataType: 'Binary',
          binaryValue: '/wA=',
          stringListValues: [],
          binaryListValues: [],
        },
      },
    });
    expect(record?.attributes.SentTimestamp).toBe(String(sandbox.clock.nowMs()));
  });

  it('deletes what succeeded and leaves a failure to come back after its visibility timeout', async () => {
    await send('good', 'g1');
    await send('flaky', 'g2');
    const counts: string[] = [];
    let failures = 0;
    const handler: SqsHandler = async (event) => {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        counts.push(`${record.body}:${record.attributes.ApproximateReceiveCount}`);
        if (record.body === 'flaky' && failures++ === 0)
          batchItemFailures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures };
    };
    const summary = await drainQueue({
      sqs: clients.sqs,
      queueUrl: queues.jobQueueUrl,
      handler,
      onIdle: advanceOnIdle,
    });
    expect(counts).toEqual(['good:1', 'flaky:1', 'flaky:2']);
    expect(summary).toMatchObject({
      invocations: 2,
      received: 3,
      deleted: 2,
      failed: 1,
      stoppedBy: 'empty',
    });
  });

  it('retries the whole batch when the handler throws', async () => {
    await send('a', 'g1');
    await send('b', 'g2');
    let calls = 0;
    const errors: unknown[] = [];
    const summary = await drainQueue({
      sqs: clients.sqs,
      queueUrl: queues.jobQueueUrl,
      handler: async () => {
        if (calls++ === 0) throw new Error('cold start failed');
        return { batchItemFailures: [] };
      },
      onIdle: advanceOnIdle,
      onHandlerError: (error) => errors.push(error),
    });
    expect(summary).toMatchObject({
      invocations: 2,
      received: 4,
      deleted: 2,
      failed: 2,
      handlerErrors: 1,
    });
    expect(errors).toHaveLength(1);
  });

  it('stops at the deadline while messages keep failing', async () => {
    await send('stuck', 'g');
    // A clock that moves one second per reading: the deadline passes on the fourth, whatever
    // the machine's speed.
    let nowMs = 0;
    const summary = await drainQueue({
      sqs: clients.sqs,
      queueUrl: queues.jobQueueUrl,
      handler: async (event) => ({
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
      }),
      now: () => (nowMs += 1000),
      deadline: 3500,
      idleDelayMs: 1,
    });
    expect(summary).toMatchObject({ stoppedBy: 'deadline', deleted: 0, invocations: 1 });
  });

  it('stops after its polls run out while messages keep failing', async () => {
    await send('stuck', 'g');
    const summary = await drainQueue({
      sqs: clients.sqs,
      queueUrl: queues.jobQueueUrl,
      handler: async (event) => ({
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
      }),
      maxPolls: 4,
      onIdle: advanceOnIdle,
    });
    // Each poll after an idle one receives the message again, once its visibility timeout ends.
    expect(summary).toMatchObject({ stoppedBy: 'poll-limit', deleted: 0, invocations: 2 });
  });

  it('waits out its own SQS errors, as Lambda’s poller does', async () => {
    await send('later', 'g');
    sandbox.faults.failNext('sqs:ReceiveMessage', 2, 'ServiceUnavailable');
    const summary = await drainQueue({
      sqs: clients.sqs,
      queueUrl: queues.jobQueueUrl,
      handler: async () => ({ batchItemFailures: [] }),
      idleDelayMs: 5,
    });
    expect(summary).toMatchObject({ pollErrors: 2, deleted: 1, stoppedBy: 'empty' });
  });

  it('refuses a batch size SQS cannot deliver', async () => {
    await expect(
      drainQueue({
        sqs: clients.sqs,
        queueUrl: queues.jobQueueUrl,
        handler: async () => undefined,
        batchSize: 11,
      }),
    ).rejects.toThrow(RangeError);
  });
});

describe('successes', () => {
  const record = (messageId: string) => ({ messageId }) as SQSRecord;
  const batch = [record('a'), record('b'), record('c')];

  it('is every record when the handler reports no failure', () => {
    expect(successes(batch, undefined).map((r) => r.messageId)).toEqual(['a', 'b', 'c']);
    expect(successes(batch, { batchItemFailures: [] })).toHaveLength(3);
  });

  it('leaves out the failures', () => {
    expect(
      successes(batch, { batchItemFailures: [{ itemIdentifier: 'b' }] }).map((r) => r.messageId),
    ).toEqual(['a', 'c']);
  });

  it('is nothing when a failure names a message not in the batch, as Lambda treats it', () => {
    expect(successes(batch, { batchItemFailures: [{ itemIdentifier: 'z' }] })).toEqual([]);
  });
});
