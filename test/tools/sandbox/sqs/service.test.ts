import { beforeEach, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../../tools/sandbox/clock.js';
import type { JsonObject } from '../../../../tools/sandbox/input.js';
import { SeededRandom } from '../../../../tools/sandbox/random.js';
import { SqsService } from '../../../../tools/sandbox/sqs/service.js';
import { invoke, refusal } from '../../../helpers/sandbox.js';

const START = new Date('2026-11-27T12:00:00.000Z');
const MINUTE = 60_000;

type Received = {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  Attributes?: Record<string, string>;
};

describe('the sandbox SQS', () => {
  let clock: SandboxClock;
  let sqs: SqsService;
  let url: string;

  const send = (body: string, group = 'g', dedup = body, extra: JsonObject = {}) =>
    invoke(sqs, 'SendMessage', {
      QueueUrl: url,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
      ...extra,
    });
  const receive = async (extra: JsonObject = {}): Promise<Received[]> =>
    ((
      await invoke(sqs, 'ReceiveMessage', {
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        AttributeNames: ['All'],
        ...extra,
      })
    ).Messages ?? []) as Received[];
  const counts = () => sqs.queue('jobs.fifo')?.counts(clock.nowMs());

  beforeEach(async () => {
    clock = new SandboxClock({ start: START, frozen: true });
    sqs = new SqsService(clock, new SeededRandom(1));
    const dlq = await invoke(sqs, 'CreateQueue', {
      QueueName: 'dlq.fifo',
      Attributes: { FifoQueue: 'true' },
    });
    const arn = sqs.queue('dlq.fifo')?.arn;
    url = (
      await invoke(sqs, 'CreateQueue', {
        QueueName: 'jobs.fifo',
        Attributes: {
          FifoQueue: 'true',
          VisibilityTimeout: '30',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }),
        },
      })
    ).QueueUrl as string;
    expect(dlq.QueueUrl).toBe('http://127.0.0.1:4566/123456789012/dlq.fifo');
  });

  it('keeps a deduplication id for five minutes of sandbox time, deleted or not', async () => {
    await send('one', 'g', 'id');
    const [message] = await receive();
    await invoke(sqs, 'DeleteMessage', { QueueUrl: url, ReceiptHandle: message?.ReceiptHandle });
    clock.advance(4 * MINUTE);
    await send('again', 'g', 'id');
    expect(counts()?.visible).toBe(0);
    clock.advance(MINUTE);
    await send('later', 'g', 'id');
    expect(counts()?.visible).toBe(1);
  });

  it('brings a message back after its visibility timeout, counting receives', async () => {
    await send('job');
    const [first] = await receive();
    expect(await receive()).toEqual([]);
    clock.advance(29_999);
    expect(await receive()).toEqual([]);
    clock.advance(1);
    const [second] = await receive();
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(String(START.getTime()));
  });

  it('ignores a delete with a receipt handle older than the latest receive', async () => {
    await send('job');
    const [first] = await receive();
    clock.advance(31_000);
    const [second] = await receive();
    await invoke(sqs, 'DeleteMessage', { QueueUrl: url, ReceiptHandle: first?.ReceiptHandle });
    expect(counts()).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await invoke(sqs, 'DeleteMessage', { QueueUrl: url, ReceiptHandle: second?.ReceiptHandle });
    expect(counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(
      (await refusal(sqs, 'DeleteMessage', { QueueUrl: url, ReceiptHandle: 'garbage' })).status,
    ).toBe(404);
  });

  it('moves a message to the DLQ once received maxReceiveCount times, keeping its id and group', async () => {
    await send('poison', 'group-p');
    for (let i = 0; i < 2; i++) {
      expect(await receive()).toHaveLength(1);
      clock.advance(31_000);
    }
    expect(await receive()).toEqual([]);
    const [dead] = sqs.queue('dlq.fifo')?.messages ?? [];
    expect(dead).toMatchObject({
      body: 'poison',
      groupId: 'group-p',
      receiveCount: 0,
      deadLetterSourceArn: sqs.queue('jobs.fifo')?.arn,
    });
  });

  it('delivers a group in order and holds the rest of it while one is in flight', async () => {
    await send('a1', 'A');
    await send('b1', 'B');
    await send('a2', 'A');
    expect((await receive({ MaxNumberOfMessages: 1 })).map((m) => m.Body)).toEqual(['a1']);
    expect((await receive()).map((m) => m.Body)).toEqual(['b1']);
    clock.advance(31_000);
    expect((await receive()).map((m) => m.Body)).toEqual(['a1', 'b1', 'a2']);
  });

  it('changes visibility only of a message in flight, with its latest receipt handle', async () => {
    await send('job');
    const [message] = await receive();
    await invoke(sqs, 'ChangeMessageVisibility', {
      QueueUrl: url,
      ReceiptHandle: message?.ReceiptHandle,
      VisibilityTimeout: 0,
    });
    expect(counts()?.visible).toBe(1);
    expect(
      (
        await refusal(sqs, 'ChangeMessageVisibility', {
          QueueUrl: url,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 5,
        })
      ).code,
    ).toBe('MessageNotInflight');
    await receive();
    expect(
      (
        await refusal(sqs, 'ChangeMessageVisibility', {
          QueueUrl: url,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 5,
        })
      ).message,
    ).toContain('The receipt handle has expired.');
  });

  it('knows the age of its oldest message, as the CloudWatch metric reports it', async () => {
    const queue = sqs.queue('jobs.fifo');
    expect(queue?.oldestMessageAgeMs(clock.nowMs())).toBe(0);
    await send('first');
    clock.advance(90_000);
    await send('second');
    expect(queue?.oldestMessageAgeMs(clock.nowMs())).toBe(90_000);
  });

  it('drops messages past the retention period', async () => {
    await send('old');
    clock.advance(4 * 24 * 60 * MINUTE);
    expect(await receive()).toEqual([]);
  });

  it('purges at most once a minute', async () => {
    await send('x');
    await invoke(sqs, 'PurgeQueue', { QueueUrl: url });
    expect((await refusal(sqs, 'PurgeQueue', { QueueUrl: url })).status).toBe(403);
    clock.advance(MINUTE);
    await invoke(sqs, 'PurgeQueue', { QueueUrl: url });
  });

  it('reports each bad entry of a batch in Failed and sends the rest', async () => {
    const answer = await invoke(sqs, 'SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'ok', MessageBody: 'fine', MessageGroupId: 'g', MessageDeduplicationId: 'ok' },
        { Id: 'nogroup', MessageBody: 'no group', MessageDeduplicationId: 'ng' },
        {
          Id: 'badchar',
          MessageBody: 'bad \u0001',
          MessageGroupId: 'g',
          MessageDeduplicationId: 'bc',
        },
      ],
    });
    expect((answer.Successful as { Id: string }[]).map((s) => s.Id)).toEqual(['ok']);
    expect(answer.Failed).toEqual([
      expect.objectContaining({ Id: 'nogroup', Code: 'MissingParameter', SenderFault: true }),
      expect.objectContaining({ Id: 'badchar', Code: 'InvalidMessageContents', SenderFault: true }),
    ]);
  });

  it('checks attributes and limits on send and receive', async () => {
    const code = async (body: JsonObject) =>
      (
        await refusal(sqs, 'SendMessage', {
          QueueUrl: url,
          MessageGroupId: 'g',
          MessageDeduplicationId: 'x',
          ...body,
        })
      ).code;
    expect(await code({ MessageBody: 'x', DelaySeconds: 5 })).toBe('InvalidParameterValue');
    expect(
      await code({
        MessageBody: 'x',
        MessageAttributes: { 'bad name!': { DataType: 'String', StringValue: 'v' } },
      }),
    ).toBe('InvalidParameterValue');
    expect(
      await code({
        MessageBody: 'x',
        MessageAttributes: { n: { DataType: 'Number', StringValue: 'NaN-ish' } },
      }),
    ).toBe('InvalidParameterValue');
    expect(await code({ MessageBody: 'x'.repeat(1_048_577) })).toBe('InvalidParameterValue');
    expect(
      (await refusal(sqs, 'ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 21 })).code,
    ).toBe('InvalidParameterValue');
    expect(
      (
        await refusal(sqs, 'GetQueueAttributes', {
          QueueUrl: url,
          AttributeNames: ['ApproximateAgeOfOldestMessage'],
        })
      ).code,
    ).toBe('InvalidAttributeName');
  });

  it('refuses a redrive policy to a missing or different kind of queue, and a changed queue', async () => {
    const create = (QueueName: string, Attributes: Record<string, string>) =>
      refusal(sqs, 'CreateQueue', { QueueName, Attributes });
    expect(
      (
        await create('src.fifo', {
          FifoQueue: 'true',
          RedrivePolicy:
            '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:none","maxReceiveCount":3}',
        })
      ).message,
    ).toContain('Dead-letter target does not exist.');
    await invoke(sqs, 'CreateQueue', { QueueName: 'plain' });
    const plainArn = sqs.queue('plain')?.arn;
    expect(
      (
        await create('src.fifo', {
          FifoQueue: 'true',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: plainArn, maxReceiveCount: 3 }),
        })
      ).message,
    ).toContain('must be same type');
    expect((await create('jobs.fifo', { FifoQueue: 'true', VisibilityTimeout: '60' })).code).toBe(
      'QueueNameExists',
    );
    expect((await create('plain', { ContentBasedDeduplication: 'true' })).code).toBe(
      'InvalidAttributeName',
    );
  });

  it('answers a long poll as soon as a message arrives', async () => {
    // A 20 s poll answered well before its end: the margin is wide enough for a busy machine.
    const polled = invoke(sqs, 'ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
    setTimeout(() => void send('late'), 30);
    const started = Date.now();
    const answer = await polled;
    expect((answer.Messages as Received[])[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('ends a long poll at once when the sandbox closes', async () => {
    const polled = invoke(sqs, 'ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
    const started = Date.now();
    setTimeout(() => sqs.close(), 20);
    expect(await polled).toEqual({});
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('uses the model status and legacy query code in its errors', async () => {
    const error = await refusal(sqs, 'GetQueueUrl', { QueueName: 'missing' });
    expect(sqs.errorResponse(error)).toEqual({
      headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
      body: {
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: 'The specified queue does not exist.',
      },
    });
    expect(sqs.faultError({ kind: 'throttle' })).toMatchObject({
      code: 'RequestThrottled',
      status: 403,
    });
  });
});
