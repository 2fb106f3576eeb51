import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

/** A handler with the signature of an SQS-triggered Lambda function. */
export type SqsHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>;

/** How to drive a handler from a queue. */
export interface EventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: SqsHandler;
  /** Messages per invocation, 1–10 (default 10, the most a FIFO event source allows). */
  readonly batchSize?: number;
  /**
   * Stop at this moment (epoch ms, by `now`) even if the queue is not empty. Default: in 60 s,
   * unless `maxPolls` bounds the drain instead.
   */
  readonly deadline?: number;
  /** The clock the deadline is read on (default: real time). */
  readonly now?: () => number;
  /**
   * Stop after this many receive attempts even if the queue is not empty. Tests bound a drain this
   * way: a count, unlike a deadline, does not depend on how fast the machine is.
   */
  readonly maxPolls?: number;
  /** The function name in the context handed to the handler. */
  readonly functionName?: string;
  /**
   * Called when nothing can be received but messages are still in flight (waiting out their
   * visibility timeout). Tests advance the sandbox clock here; the default sleeps `idleDelayMs`.
   */
  readonly onIdle?: () => Promise<void> | void;
  /** How long to sleep while messages are in flight, when there is no `onIdle` (default 200 ms). */
  readonly idleDelayMs?: number;
  /** Told about each invocation that threw. */
  readonly onHandlerError?: (error: unknown) => void;
}

/** What a drain did. */
export interface DrainSummary {
  /** Handler invocations. */
  invocations: number;
  /** Messages handed to the handler (a redelivered message counts each time). */
  received: number;
  /** Messages the handler accepted and the loop deleted. */
  deleted: number;
  /** Messages reported back as batch item failures, left to their visibility timeout. */
  failed: number;
  /** Invocations that threw (their whole batch is left to its visibility timeout). */
  handlerErrors: number;
  /** SQS calls of the poller itself that failed (it waits and carries on). */
  pollErrors: number;
  /** Why the loop stopped. */
  stoppedBy: 'empty' | 'deadline' | 'poll-limit';
}

/** The queue's ARN and region, for the records' eventSourceARN and awsRegion. */
async function queueArn(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ arn: string; region: string }> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = output.Attributes?.QueueArn ?? '';
  return { arn, region: arn.split(':')[3] ?? '' };
}

/** Builds the record Lambda's SQS event source hands to a function for one message. */
export function toRecord(message: Message, source: { arn: string; region: string }): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
      ...(attributes.SequenceNumber === undefined
        ? {}
        : { SequenceNumber: attributes.SequenceNumber }),
      ...(attributes.MessageGroupId === undefined
        ? {}
        : { MessageGroupId: attributes.MessageGroupId }),
      ...(attributes.MessageDeduplicationId === undefined
        ? {}
        : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
      ...(attributes.AWSTraceHeader === undefined
        ? {}
        : { AWSTraceHeader: attributes.AWSTraceHeader }),
      ...(attributes.DeadLetterQueueSourceArn === undefined
        ? {}
        : { DeadLetterQueueSourceArn: attributes.DeadLetterQueueSourceArn }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
          ...(value.BinaryValue === undefined
            ? {}
            : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: source.arn,
    awsRegion: source.region,
  };
}

/**
 * The messages to delete after an invocation, as Lambda decides: all of them when the handler
 * returns no failures; none when it threw or named an item that is not in the batch; otherwise
 * all but the failures.
 */
export function successes(
  records: readonly SQSRecord[],
  response: SQSBatchResponse | undefined,
): SQSRecord[] {
  const failures = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const ids = new Set(records.map((record) => record.messageId));
  if ([...failures].some((id) => !ids.has(id))) return [];
  return records.filter((record) => !failures.has(record.messageId));
}

async function queueIsEmpty(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const counts = output.Attributes ?? {};
  return (
    Number(counts.ApproximateNumberOfMessages ?? 0) +
      Number(counts.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(counts.ApproximateNumberOfMessagesDelayed ?? 0) ===
    0
  );
}

/**
 * Drives an SQS handler as Lambda's event source mapping does: receive up to ten messages, invoke
 * the handler with a real SQS event, delete what succeeded and leave the failures to their
 * visibility timeout (SQS's redrive takes them to the dead-letter queue in the end); until the
 * queue is empty, the deadline passes or the polls run out.
 */
export async function drainQueue(options: EventSourceOptions): Promise<DrainSummary> {
  const { sqs, queueUrl, handler } = options;
  const batchSize = options.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new RangeError(`batchSize must be 1 to 10, got ${batchSize}`);
  }
  const now = options.now ?? Date.now;
  const maxPolls = options.maxPolls ?? Number.POSITIVE_INFINITY;
  const deadline =
    options.deadline ??
    (options.maxPolls === undefined ? now() + 60_000 : Number.POSITIVE_INFINITY);
  const functionName = options.functionName ?? 'local-rotator';
  let source: { arn: string; region: string } | undefined;
  for (let attempt = 1; source === undefined; attempt++) {
    try {
      source = await queueArn(sqs, queueUrl);
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(options.idleDelayMs ?? 200);
    }
  }
  const { arn, region } = source;
  const summary: DrainSummary = {
    invocations: 0,
    received: 0,
    deleted: 0,
    failed: 0,
    handlerErrors: 0,
    pollErrors: 0,
    stoppedBy: 'deadline',
  };

  const idle = async (): Promise<void> => {
    if (options.onIdle === undefined) await sleep(options.idleDelayMs ?? 200);
    else await options.onIdle();
  };

  const invoke = async (messages: readonly Message[]): Promise<void> => {
    const records = messages.map((message) => toRecord(message, { arn, region }));
    summary.invocations++;
    summary.received += records.length;
    let done: SQSRecord[];
    try {
      done = successes(records, await handler({ Records: records }, lambdaContext(functionName)));
    } catch (error) {
      // Lambda treats a thrown error as the whole batch failing; it comes back after the timeout.
      done = [];
      summary.handlerErrors++;
      options.onHandlerError?.(error);
    }
    summary.failed += records.length - done.length;
    for (let i = 0; i < done.length; i += 10) {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.slice(i, i + 10).map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
      summary.deleted += deleted.Successful?.length ?? 0;
    }
  };

  let polls = 0;
  const limit = (): DrainSummary['stoppedBy'] | undefined =>
    polls >= maxPolls ? 'poll-limit' : now() >= deadline ? 'deadline' : undefined;

  const poll = async (): Promise<DrainSummary['stoppedBy']> => {
    for (;;) {
      const stop = limit();
      if (stop !== undefined) return stop;
      polls++;
      try {
        const output = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
          }),
        );
        const messages = output.Messages ?? [];
        if (messages.length > 0) {
          await invoke(messages);
          continue;
        }
        if (await queueIsEmpty(sqs, queueUrl)) return 'empty';
      } catch {
        // As Lambda's poller does, carry on; a batch whose delete failed will be delivered again.
        summary.pollErrors++;
      }
      await idle();
    }
  };

  // One poller, one handler instance: for concurrency, run one drain per instance, as Lambda
  // gives each concurrent batch its own execution environment.
  summary.stoppedBy = await poll();
  return summary;
}
