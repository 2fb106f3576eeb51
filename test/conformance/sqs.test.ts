import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type Message,
  PurgeQueueCommand,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { expect, it } from 'vitest';
import { againstSandboxAndMoto } from '../helpers/conformance.js';
import { thrown } from '../helpers/thrown.js';

againstSandboxAndMoto('SQS', (target) => {
  const fifo = async (name: string, attributes: Record<string, string> = {}): Promise<string> =>
    (
      await target().sqs.send(
        new CreateQueueCommand({
          QueueName: `${name}.fifo`,
          Attributes: { FifoQueue: 'true', ...attributes },
        }),
      )
    ).QueueUrl ?? '';
  const send = (url: string, body: string, group: string, dedup: string) =>
    target().sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: dedup,
      }),
    );
  const receive = async (url: string, max = 10, visibility?: number): Promise<Message[]> =>
    (
      await target().sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: max,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          ...(visibility === undefined ? {} : { VisibilityTimeout: visibility }),
        }),
      )
    ).Messages ?? [];
  const count = async (url: string, name: QueueAttributeName): Promise<number> => {
    const { Attributes } = await target().sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    return Number(Attributes?.[name]);
  };

  it('creates FIFO queues only with a .fifo name, and finds queues by name', async () => {
    const error = await thrown(
      target().sqs.send(
        new CreateQueueCommand({ QueueName: 'conf-plain', Attributes: { FifoQueue: 'true' } }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValue');
    const url = await fifo('conf-found');
    const found = await target().sqs.send(new GetQueueUrlCommand({ QueueName: 'conf-found.fifo' }));
    expect(found.QueueUrl).toBe(url);
    const missing = await thrown(
      target().sqs.send(new GetQueueUrlCommand({ QueueName: 'conf-missing' })),
    );
    expect(missing.name).toBe('QueueDoesNotExist');
  });

  it('round-trips a message with its attributes and checksums', async () => {
    const url = await fifo('conf-roundtrip');
    const sent = await target().sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"job":1}',
        MessageGroupId: 'group-a',
        MessageDeduplicationId: 'd1',
        MessageAttributes: {
          Reason: { DataType: 'String', StringValue: 'expiring' },
          Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('{"job":1}').digest('hex'));
    expect(sent.SequenceNumber).toMatch(/^\d+$/);
    const [message] = await receive(url);
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.Reason?.StringValue).toBe('expiring');
    expect([...(message?.MessageAttributes?.Blob?.BinaryValue ?? [])]).toEqual([1, 2, 3]);
    expect(message?.Attributes).toMatchObject({
      MessageGroupId: 'group-a',
      MessageDeduplicationId: 'd1',
      ApproximateReceiveCount: '1',
      SequenceNumber: sent.SequenceNumber,
    });
    await target().sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle }),
    );
    expect(await count(url, 'ApproximateNumberOfMessages')).toBe(0);
    expect(await count(url, 'ApproximateNumberOfMessagesNotVisible')).toBe(0);
  });

  it('needs a MessageGroupId, and a deduplication id unless deduplication is content-based', async () => {
    const url = await fifo('conf-required');
    const noGroup = await thrown(
      target().sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })),
    );
    expect(noGroup.name).toBe('MissingParameter');
    const noDedup = await thrown(
      target().sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }),
      ),
    );
    expect(noDedup.name).toBe('InvalidParameterValue');
    const content = await fifo('conf-content', { ContentBasedDeduplication: 'true' });
    for (let i = 0; i < 2; i++) {
      await target().sqs.send(
        new SendMessageCommand({ QueueUrl: content, MessageBody: 'same', MessageGroupId: 'g' }),
      );
    }
    // AWS documents a duplicate as accepted but not delivered (not which MessageId it answers).
    expect(await count(content, 'ApproximateNumberOfMessages')).toBe(1);
  });

  it('deduplicates a FIFO message by its deduplication id, even after it is deleted', async () => {
    const url = await fifo('conf-dedup');
    await send(url, 'one', 'g', 'same-id');
    await send(url, 'two', 'g', 'same-id');
    const messages = await receive(url);
    expect(messages.map((m) => m.Body)).toEqual(['one']);
    await target().sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: messages[0]?.ReceiptHandle }),
    );
    await send(url, 'three', 'g', 'same-id');
    if (target().name === 'moto') {
      // moto deviates from AWS, which "continues tracking the deduplication ID even after the
      // message has been received and deleted": moto forgets it with the message.
      expect(await count(url, 'ApproximateNumberOfMessages')).toBe(1);
    } else {
      expect(await count(url, 'ApproximateNumberOfMessages')).toBe(0);
    }
  });

  it('delivers a group in order and holds it while a message of it is in flight', async () => {
    const url = await fifo('conf-groups');
    for (const [body, group] of [
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B'],
      ['a3', 'A'],
      ['b2', 'B'],
    ]) {
      await send(url, body ?? '', group ?? '', body ?? '');
    }
    const [first] = await receive(url, 1);
    expect(first?.Body).toBe('a1');
    // A is held while a1 is in flight; B is free.
    const next = await receive(url, 10);
    expect(next.map((m) => m.Body)).toEqual(['b1', 'b2']);
    expect(await receive(url, 10)).toEqual([]);
    await target().sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }),
    );
    expect((await receive(url, 10)).map((m) => m.Body)).toEqual(['a2', 'a3']);
  });

  it('makes a message receivable again when its visibility timeout ends', async () => {
    const url = await fifo('conf-visibility');
    await send(url, 'again', 'g', 'v1');
    const [first] = await receive(url, 1, 1);
    expect(await receive(url)).toEqual([]);
    expect(await count(url, 'ApproximateNumberOfMessagesNotVisible')).toBe(1);
    await sleep(1100);
    const [second] = await receive(url, 1);
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    await target().sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect((await receive(url))[0]?.Attributes?.ApproximateReceiveCount).toBe('3');
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dlq = await fifo('conf-dead');
    const { Attributes } = await target().sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }),
    );
    const url = await fifo('conf-source', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: Attributes?.QueueArn,
        maxReceiveCount: 2,
      }),
    });
    await send(url, 'doomed', 'g', 'd');
    for (let i = 0; i < 2; i++) {
      const [message] = await receive(url, 1);
      expect(message?.Body).toBe('doomed');
      await target().sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(await receive(url)).toEqual([]);
    const dead = await receive(dlq);
    expect(dead.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([['doomed', 'g']]);
  });

  it('enforces the batch limits: at most 10 entries, distinct and well-formed ids, not empty', async () => {
    const url = await fifo('conf-batch');
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        Id: `e${i}`,
        MessageBody: `m${i}`,
        MessageGroupId: 'g',
        MessageDeduplicationId: `d${i}`,
      }));
    const batch = (Entries: ReturnType<typeof entries>) =>
      thrown(target().sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries })));
    expect((await batch(entries(11))).name).toBe('TooManyEntriesInBatchRequest');
    expect((await batch([])).name).toBe('EmptyBatchRequest');
    expect((await batch(entries(2).map((e) => ({ ...e, Id: 'same' })))).name).toBe(
      'BatchEntryIdsNotDistinct',
    );
    expect((await batch(entries(1).map((e) => ({ ...e, Id: 'not valid!' })))).name).toBe(
      'InvalidBatchEntryId',
    );
    const ok = await target().sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(10) }),
    );
    expect(ok.Successful).toHaveLength(10);
    const refused = await thrown(
      target().sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    );
    expect(refused.name).toBe('InvalidParameterValue');
  });

  it('reports a bad receipt handle per entry in DeleteMessageBatch', async () => {
    const url = await fifo('conf-delete-batch');
    await send(url, 'x', 'g', 'x');
    const [message] = await receive(url);
    const answer = await target().sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'good', ReceiptHandle: message?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle' },
        ],
      }),
    );
    expect(answer.Successful?.map((s) => s.Id)).toEqual(['good']);
    expect(answer.Failed).toMatchObject([
      { Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true },
    ]);
  });

  it('refuses to create a queue again with different attributes, and accepts the same ones', async () => {
    const url = await fifo('conf-again', { VisibilityTimeout: '30' });
    expect(await fifo('conf-again', { VisibilityTimeout: '30' })).toBe(url);
    const error = await thrown(fifo('conf-again', { VisibilityTimeout: '60' }));
    expect(error.name).toBe('QueueNameExists');
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const url = await fifo('conf-long-poll');
    // A 20 s poll answered well before its end: the margin is wide enough for a busy machine.
    const polled = target().sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }),
    );
    await sleep(200);
    const started = Date.now();
    await send(url, 'late', 'g', 'late');
    const { Messages } = await polled;
    expect(Messages?.map((m) => m.Body)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('empties a queue with PurgeQueue', async () => {
    const url = await fifo('conf-purge');
    for (let i = 0; i < 3; i++) await send(url, `m${i}`, 'g', `p${i}`);
    await receive(url, 1);
    await target().sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await count(url, 'ApproximateNumberOfMessages')).toBe(0);
    expect(await count(url, 'ApproximateNumberOfMessagesNotVisible')).toBe(0);
  });

  it('lists the queues whose names start with a prefix', async () => {
    const urls = [await fifo('conf-listed-b'), await fifo('conf-listed-a')];
    await fifo('conf-other');
    const listed = await target().sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'conf-listed-' }),
    );
    expect([...(listed.QueueUrls ?? [])].sort()).toEqual([...urls].sort());
    const none = await target().sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'conf-none-' }));
    expect(none.QueueUrls ?? []).toEqual([]);
  });

  it('changes the visibility of several messages, reporting a bad handle per entry', async () => {
    const url = await fifo('conf-visibility-batch');
    await send(url, 'a', 'A', 'a');
    await send(url, 'b', 'B', 'b');
    const received = await receive(url, 10, 300);
    expect(received.map((m) => m.Body).sort()).toEqual(['a', 'b']);
    const answer = await target().sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          ...received.map((m, i) => ({
            Id: `ok${i}`,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
          { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(answer.Successful?.map((s) => s.Id).sort()).toEqual(['ok0', 'ok1']);
    expect(answer.Failed).toMatchObject([
      { Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true },
    ]);
    expect((await receive(url)).map((m) => m.Body).sort()).toEqual(['a', 'b']);
  });
});
