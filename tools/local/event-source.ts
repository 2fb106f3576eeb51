import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';
// SQS caps every batch call (receive, delete, send) at ten messages, as the scanner's sends know.
import { MAX_BATCH_SIZE } from '../../src/rotation/job-batcher.js';
import { MINUTE_MS } from '../../src/time.js';
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

/** The queue a drain reads, as Lambda's records name it. */
interface EventSource {
  readonly arn: string;
  readonly region: string;
}

/** The queue's ARN and region, for the records' eventSourceARN and awsRegion. */
async function queueArn(sqs: SQSClient, queueUrl: string): Promise<EventSource> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = output.Attributes?.QueueArn ?? '';
  return { arn, region: arn.split(':')[3] ?? '' };
}

/** System attributes Lambda passes on only when SQS sent them. */
const OPTIONAL_ATTRIBUTES = [
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

function recordAttributes(message: Message): SQSRecordAttributes {
  const attributes = message.Attributes ?? {};
  const present = OPTIONAL_ATTRIBUTES.flatMap((name) => {
    const value = attributes[name];
    return value === undefined ? [] : [[name, value]];
  });
  return {
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? '',
    SenderId: attributes.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    ...Object.fromEntries(present),
  };
}

// Lambda hands binary values on base64-encoded, and the list values (which SQS does not
// implement) as empty lists.
const messageAttributes = (message: Message): SQSRecord['messageAttributes'] =>
  Object.fromEntries(
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
  );

/** Builds the record Lambda's SQS event source hands to a function for one message. */
export function toRecord(message: Message, source: EventSource): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: recordAttributes(message),
    messageAttributes: messageAttributes(message),
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

/** The options of a drain with their defaults filled in. */
interface Settings {
  readonly batchSize: number;
  readonly functionName: string;
  readonly now: () => number;
  readonly deadline: number;
  readonly maxPolls: number;
  /** Waits while messages are in flight: `onIdle`, or a sleep. */
  readonly idle: () => Promise<void> | void;
  /** Waits before the poller tries its own failed call again. */
  readonly pause: () => Promise<void>;
}

function settingsOf(options: EventSourceOptions): Settings {
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const now = options.now ?? Date.now;
  const pause = () => sleep(options.idleDelayMs ?? 200);
  const { onIdle } = options;
  return {
    batchSize,
    functionName: options.functionName ?? 'local-rotator',
    now,
    // A bound on the polls is enough on its own; without one, a minute bounds the drain.
    deadline:
      options.deadline ??
      (options.maxPolls === undefined ? now() + MINUTE_MS : Number.POSITIVE_INFINITY),
    maxPolls: options.maxPolls ?? Number.POSITIVE_INFINITY,
    idle: onIdle === undefined ? pause : () => onIdle(),
    pause,
  };
}

/** Finds the queue's ARN, trying a few times: the poller's first call may meet an SQS error. */
async function findSource(
  sqs: SQSClient,
  queueUrl: string,
  settings: Settings,
): Promise<EventSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await queueArn(sqs, queueUrl);
    } catch (error) {
      if (attempt >= 5) throw error;
      await settings.pause();
    }
  }
}

/** Lambda's event source mapping for one queue and one handler instance, with its counts. */
class EventSourceMapping {
  readonly summary: DrainSummary = {
    invocations: 0,
    received: 0,
    deleted: 0,
    failed: 0,
    handlerErrors: 0,
    pollErrors: 0,
    stoppedBy: 'deadline',
  };
  private polls = 0;

  constructor(
    private readonly options: EventSourceOptions,
    private readonly settings: Settings,
    private readonly source: EventSource,
  ) {}

  /** Polls until the queue is empty, the deadline passes or the polls run out; says which. */
  async run(): Promise<DrainSummary['stoppedBy']> {
    for (;;) {
      const stop = this.limit();
      if (stop !== undefined) return stop;
      this.polls++;
      const outcome = await this.pollOnce();
      if (outcome === 'empty') return 'empty';
      if (outcome === 'waiting') await this.settings.idle();
    }
  }

  private limit(): DrainSummary['stoppedBy'] | undefined {
    if (this.polls >= this.settings.maxPolls) return 'poll-limit';
    return this.settings.now() >= this.settings.deadline ? 'deadline' : undefined;
  }

  /** One receive: hands what came to the handler, or finds the queue empty or still in flight. */
  private async pollOnce(): Promise<'invoked' | 'empty' | 'waiting'> {
    const { sqs, queueUrl } = this.options;
    try {
      const output = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: this.settings.batchSize,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      );
      const messages = output.Messages ?? [];
      if (messages.length > 0) {
        await this.invoke(messages);
        return 'invoked';
      }
      return (await queueIsEmpty(sqs, queueUrl)) ? 'empty' : 'waiting';
    } catch {
      // As Lambda's poller does, carry on; a batch whose delete failed will be delivered again.
      this.summary.pollErrors++;
      return 'waiting';
    }
  }

  /** One invocation of the handler with a batch; deletes what it accepted. */
  private async invoke(messages: readonly Message[]): Promise<void> {
    const records = messages.map((message) => toRecord(message, this.source));
    this.summary.invocations++;
    this.summary.received += records.length;
    let done: SQSRecord[];
    try {
      const context = lambdaContext(this.settings.functionName);
      done = successes(records, await this.options.handler({ Records: records }, context));
    } catch (error) {
      // Lambda treats a thrown error as the whole batch failing; it comes back after the timeout.
      done = [];
      this.summary.handlerErrors++;
      this.options.onHandlerError?.(error);
    }
    this.summary.failed += records.length - done.length;
    await this.acknowledge(done);
  }

  private async acknowledge(done: readonly SQSRecord[]): Promise<void> {
    for (let i = 0; i < done.length; i += MAX_BATCH_SIZE) {
      const deleted = await this.options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: done.slice(i, i + MAX_BATCH_SIZE).map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
      this.summary.deleted += deleted.Successful?.length ?? 0;
    }
  }
}

/**
 * Drives an SQS handler as Lambda's event source mapping does: receive up to ten messages, invoke
 * the handler with a real SQS event, delete what succeeded and leave the failures to their
 * visibility timeout (SQS's redrive takes them to the dead-letter queue in the end); until the
 * queue is empty, the deadline passes or the polls run out.
 */
export async function drainQueue(options: EventSourceOptions): Promise<DrainSummary> {
  const settings = settingsOf(options);
  const source = await findSource(options.sqs, options.queueUrl, settings);
  // One poller, one handler instance: for concurrency, run one drain per instance, as Lambda
  // gives each concurrent batch its own execution environment.
  const mapping = new EventSourceMapping(options, settings, source);
  mapping.summary.stoppedBy = await mapping.run();
  return mapping.summary;
}
