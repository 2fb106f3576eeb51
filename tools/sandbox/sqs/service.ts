import { createHash } from 'node:crypto';
import { AwsError } from '../aws-error.js';
import type { SandboxClock } from '../clock.js';
import type { FaultOutcome } from '../faults.js';
import type { Input, InputProblem, JsonObject } from '../input.js';
import type { SeededRandom } from '../random.js';
import type { AwsService, RequestContext } from '../service.js';
import {
  attributesMd5,
  bodyMd5,
  checkBody,
  type MessageAttribute,
  messageSize,
  readAttributes,
  type StoredMessage,
} from './message.js';
import { Queue } from './queue.js';
import { checkAttributes, READABLE_ATTRIBUTES } from './queue-attributes.js';

/** Status and legacy query code of each SQS error the sandbox answers (from the SDK's model). */
const ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  QueueDoesNotExist: [400, 'AWS.SimpleQueueService.NonExistentQueue'],
  QueueNameExists: [400, 'QueueAlreadyExists'],
  ReceiptHandleIsInvalid: [404, 'ReceiptHandleIsInvalid'],
  MessageNotInflight: [400, 'AWS.SimpleQueueService.MessageNotInflight'],
  PurgeQueueInProgress: [403, 'AWS.SimpleQueueService.PurgeQueueInProgress'],
  TooManyEntriesInBatchRequest: [400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'],
  EmptyBatchRequest: [400, 'AWS.SimpleQueueService.EmptyBatchRequest'],
  BatchEntryIdsNotDistinct: [400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'],
  InvalidBatchEntryId: [400, 'AWS.SimpleQueueService.InvalidBatchEntryId'],
  BatchRequestTooLong: [400, 'AWS.SimpleQueueService.BatchRequestTooLong'],
  UnsupportedOperation: [400, 'AWS.SimpleQueueService.UnsupportedOperation'],
  RequestThrottled: [403, 'RequestThrottled'],
  InvalidAddress: [404, 'InvalidAddress'],
  InvalidSecurity: [403, 'InvalidSecurity'],
  OverLimit: [403, 'OverLimit'],
  InternalError: [500, 'InternalError'],
  ServiceUnavailable: [503, 'ServiceUnavailable'],
};

const OPERATIONS = [
  'CreateQueue',
  'GetQueueUrl',
  'ListQueues',
  'DeleteQueue',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'PurgeQueue',
] as const;

const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

/** A batch may hold 10 entries. */
const MAX_BATCH = 10;
/** A batch's bodies together may hold 1 MiB. */
const MAX_BATCH_BYTES = 1_048_576;
/** How often a long poll looks again when nothing woke it. */
const POLL_INTERVAL_MS = 50;

/** SQS's way of reporting a missing or mistyped member. */
const sqsProblem: InputProblem = (member, problem) =>
  problem === 'missing'
    ? new AwsError('MissingParameter', `The request must contain the parameter ${member}.`)
    : new AwsError('InvalidParameterValue', `Value for parameter ${member} is invalid.`);

const invalidValue = (name: string, value: unknown, reason: string): AwsError =>
  new AwsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );

const ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const GROUP_PATTERN = /^[\x21-\x7E]{1,128}$/;

/** A receipt handle: the queue, the message and a nonce of this receive, opaque to the client. */
const encodeReceipt = (queue: string, messageId: string, nonce: string): string =>
  `${Buffer.from(JSON.stringify({ q: queue, m: messageId })).toString('base64url')}.${nonce}`;

function decodeReceipt(handle: string): { queue: string; messageId: string } | undefined {
  const [head] = handle.split('.');
  try {
    const value: unknown = JSON.parse(Buffer.from(head ?? '', 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { q, m } = value as Record<string, unknown>;
    return typeof q === 'string' && typeof m === 'string' ? { queue: q, messageId: m } : undefined;
  } catch {
    return undefined;
  }
}

const invalidReceipt = (handle: string): AwsError =>
  new AwsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );

/** One entry's failure in a batch answer. */
const failure = (id: string, error: AwsError): JsonObject => ({
  Id: id,
  SenderFault: !error.fault,
  Code: error.code,
  Message: error.message,
});

/**
 * Amazon SQS with the semantics this project relies on: FIFO groups and deduplication, visibility
 * timeouts, long polling, redrive to a dead-letter queue, batch limits, retention.
 */
export class SqsService implements AwsService {
  readonly name = 'sqs' as const;
  readonly targetPrefix = 'AmazonSQS';
  readonly contentType = 'application/x-amz-json-1.0';
  readonly inputProblem = sqsProblem;
  readonly operations: ReadonlySet<string> = new Set(OPERATIONS);
  readonly #clock: SandboxClock;
  readonly #random: SeededRandom;
  readonly #queues = new Map<string, Queue>();
  readonly #waiters = new Set<() => void>();
  #closed = false;

  constructor(clock: SandboxClock, random: SeededRandom) {
    this.#clock = clock;
    this.#random = random;
    clock.onChange(() => this.#wake());
  }

  /** A queue by name (in-process access for tests), or undefined. */
  queue(name: string): Queue | undefined {
    return this.#queues.get(name);
  }

  /** Every queue. */
  queues(): Queue[] {
    return [...this.#queues.values()];
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Ends every long poll at once (the sandbox is shutting down). */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  faultError(fault: Exclude<FaultOutcome, { kind: 'reset' }>): AwsError {
    if (fault.kind === 'throttle') {
      return this.#error('RequestThrottled', 'Request is throttled.');
    }
    return this.#error(fault.code, fault.message ?? `Injected ${fault.code}`, fault.status);
  }

  #error(code: string, message: string, status?: number): AwsError {
    const [knownStatus, queryCode] = ERRORS[code] ?? [400, code];
    return new AwsError(code, message, { status: status ?? knownStatus, queryCode });
  }

  errorResponse(error: AwsError): { headers: Record<string, string>; body: JsonObject } {
    const queryCode = error.queryCode ?? ERRORS[error.code]?.[1] ?? error.code;
    return {
      headers: { 'x-amzn-query-error': `${queryCode};${error.fault ? 'Receiver' : 'Sender'}` },
      body: { __type: `com.amazonaws.sqs#${error.code}`, message: error.message, ...error.fields },
    };
  }

  async handle(operation: string, input: Input, context: RequestContext): Promise<JsonObject> {
    try {
      return await this.#dispatch(operation, input, context);
    } catch (error) {
      // Errors raised with a bare code get the model's status and query code here.
      if (
        error instanceof AwsError &&
        ERRORS[error.code] !== undefined &&
        error.queryCode === undefined
      ) {
        throw this.#error(error.code, error.message);
      }
      throw error;
    }
  }

  #dispatch(
    operation: string,
    input: Input,
    context: RequestContext,
  ): JsonObject | Promise<JsonObject> {
    switch (operation) {
      case 'CreateQueue':
        return { QueueUrl: this.#url(this.#create(input, context), context) };
      case 'GetQueueUrl':
        return { QueueUrl: this.#url(this.#named(input.string('QueueName')), context) };
      case 'ListQueues':
        return this.#list(input, context);
      case 'DeleteQueue':
        this.#queues.delete(this.#resolve(input).name);
        return {};
      case 'GetQueueAttributes':
        return this.#getAttributes(input);
      case 'SetQueueAttributes':
        return this.#setAttributes(input);
      case 'SendMessage':
        return this.#send(this.#resolve(input), input, context);
      case 'SendMessageBatch':
        return this.#sendBatch(input, context);
      case 'ReceiveMessage':
        return this.#receive(input);
      case 'DeleteMessage':
        this.#delete(this.#resolve(input), input.string('ReceiptHandle'));
        return {};
      case 'DeleteMessageBatch':
        return this.#batch(input, 'Delete', (queue, entry) =>
          this.#delete(queue, entry.string('ReceiptHandle')),
        );
      case 'ChangeMessageVisibility':
        this.#changeVisibility(this.#resolve(input), input);
        return {};
      case 'ChangeMessageVisibilityBatch':
        return this.#batch(input, 'ChangeMessageVisibility', (queue, entry) =>
          this.#changeVisibility(queue, entry),
        );
      case 'PurgeQueue':
        this.#resolve(input).purge(this.#clock.nowMs());
        this.#wake();
        return {};
      default:
        throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  #url(queue: Queue, context: RequestContext): string {
    return `${context.origin}/${context.accountId}/${queue.name}`;
  }

  #named(name: string): Queue {
    const queue = this.#queues.get(name);
    if (queue === undefined)
      throw this.#error('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  /** Finds the queue a QueueUrl names (any host: the last path segment is the name). */
  #resolve(input: Input): Queue {
    const url = input.string('QueueUrl');
    const name =
      url
        .split('/')
        .filter((part) => part !== '')
        .at(-1) ?? '';
    return this.#named(name);
  }

  #create(input: Input, context: RequestContext): Queue {
    const name = input.string('QueueName');
    const attributes = input.optStringMap('Attributes') ?? {};
    const fifo = attributes.FifoQueue === 'true';
    if (fifo ? !/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name) : !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new AwsError(
        'InvalidParameterValue',
        fifo
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    checkAttributes(attributes, fifo, (arn) => this.queues().find((q) => q.arn === arn)?.fifo);
    const existing = this.#queues.get(name);
    if (existing !== undefined) {
      const different = Object.entries(attributes).find(
        ([key, value]) => existing.attributes.get(key) !== value,
      );
      if (different !== undefined) {
        throw this.#error(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute ${different[0]}`,
        );
      }
      return existing;
    }
    const arn = `arn:aws:sqs:${context.region}:${context.accountId}:${name}`;
    const queue = new Queue(name, arn, attributes, this.#clock.nowMs());
    this.#queues.set(name, queue);
    return queue;
  }

  #list(input: Input, context: RequestContext): JsonObject {
    const prefix = input.optString('QueueNamePrefix') ?? '';
    const urls = [...this.#queues.values()]
      .filter((queue) => queue.name.startsWith(prefix))
      .map((queue) => this.#url(queue, context))
      .slice(0, input.optInteger('MaxResults') ?? 1000);
    return urls.length === 0 ? {} : { QueueUrls: urls };
  }

  #getAttributes(input: Input): JsonObject {
    const queue = this.#resolve(input);
    const names = input.optStrings('AttributeNames') ?? [];
    const unknown = names.find((name) => !READABLE_ATTRIBUTES.has(name));
    if (unknown !== undefined)
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
    const counts = queue.counts(this.#clock.nowMs());
    const all: Record<string, string> = {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
      ...Object.fromEntries(queue.attributes),
    };
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const attributes = Object.fromEntries(
      wanted.flatMap((name) => (all[name] === undefined ? [] : [[name, all[name]]])),
    );
    return Object.keys(attributes).length === 0 ? {} : { Attributes: attributes };
  }

  #setAttributes(input: Input): JsonObject {
    const queue = this.#resolve(input);
    const attributes = input.optStringMap('Attributes') ?? {};
    if ('FifoQueue' in attributes) {
      throw new AwsError('InvalidAttributeName', 'Unknown Attribute FifoQueue.');
    }
    checkAttributes(
      attributes,
      queue.fifo,
      (arn) => this.queues().find((q) => q.arn === arn)?.fifo,
    );
    for (const [key, value] of Object.entries(attributes)) {
      if (value === '' && (key === 'RedrivePolicy' || key === 'Policy'))
        queue.attributes.delete(key);
      else queue.attributes.set(key, value);
    }
    queue.lastModifiedAt = this.#clock.nowMs();
    return {};
  }

  #send(queue: Queue, input: Input, context: RequestContext): JsonObject {
    const body = input.optString('MessageBody') ?? '';
    if (body === '') throw sqsProblem('MessageBody', 'missing');
    checkBody(body);
    const attributes = readAttributes(input.optObjectMap('MessageAttributes'));
    const size = messageSize(body, attributes);
    if (size > queue.maximumMessageSize) {
      throw new AwsError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
      );
    }
    const delay = input.optInteger('DelaySeconds');
    if (delay !== undefined && (delay < 0 || delay > 900)) {
      throw invalidValue('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
    }
    const groupId = input.optString('MessageGroupId');
    let deduplicationId = input.optString('MessageDeduplicationId');
    if (groupId !== undefined && !GROUP_PATTERN.test(groupId)) {
      throw invalidValue(
        'MessageGroupId',
        groupId,
        'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      );
    }
    if (deduplicationId !== undefined && !GROUP_PATTERN.test(deduplicationId)) {
      throw invalidValue(
        'MessageDeduplicationId',
        deduplicationId,
        'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      );
    }
    if (queue.fifo) {
      if (groupId === undefined) throw sqsProblem('MessageGroupId', 'missing');
      if (delay !== undefined && delay > 0) {
        throw invalidValue(
          'DelaySeconds',
          delay,
          'The request include parameter that is not valid for this queue type.',
        );
      }
      if (deduplicationId === undefined) {
        if (!queue.contentBasedDeduplication) {
          throw new AwsError(
            'InvalidParameterValue',
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
        deduplicationId = createHash('sha256').update(body).digest('hex');
      }
    } else if (deduplicationId !== undefined) {
      throw invalidValue(
        'MessageDeduplicationId',
        deduplicationId,
        'The request include parameter that is not valid for this queue type.',
      );
    }
    const now = this.#clock.nowMs();
    queue.expire(now);
    const md5OfAttributes =
      Object.keys(attributes).length > 0 ? attributesMd5(attributes) : undefined;
    const answer = (messageId: string, sequenceNumber: string | undefined): JsonObject => ({
      MessageId: messageId,
      MD5OfMessageBody: bodyMd5(body),
      ...(md5OfAttributes === undefined ? {} : { MD5OfMessageAttributes: md5OfAttributes }),
      ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
    });
    if (queue.fifo && deduplicationId !== undefined) {
      const key = queue.deduplicationKey(deduplicationId, groupId);
      const seen = queue.deduplication.get(key);
      // A duplicate within the window is accepted and answered as the first send, but not queued.
      if (seen !== undefined) return answer(seen.messageId, seen.sequenceNumber);
    }
    const messageId = this.#random.uuid();
    const sequenceNumber = queue.fifo ? queue.nextSequenceNumber() : undefined;
    const trace = input
      .optObjectMap('MessageSystemAttributes')
      ?.get('AWSTraceHeader')
      ?.optString('StringValue');
    const message: StoredMessage = {
      messageId,
      body,
      md5OfBody: bodyMd5(body),
      attributes,
      md5OfAttributes,
      groupId,
      deduplicationId,
      sequenceNumber,
      senderId: context.accessKeyId,
      sentAt: now,
      traceHeader: trace,
      deadLetterSourceArn: undefined,
      enqueuedAt: now,
      visibleAt: now + (delay ?? queue.delaySeconds) * 1000,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receipt: undefined,
      inFlight: false,
    };
    queue.messages.push(message);
    if (queue.fifo && deduplicationId !== undefined) {
      queue.deduplication.set(queue.deduplicationKey(deduplicationId, groupId), {
        messageId,
        at: now,
        ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
      });
    }
    this.#wake();
    return answer(messageId, sequenceNumber);
  }

  #checkBatch(entries: Input[] | undefined, kind: string): Input[] {
    if (entries === undefined || entries.length === 0) {
      throw this.#error(
        'EmptyBatchRequest',
        `There should be at least one ${kind}BatchRequestEntry in the request.`,
      );
    }
    if (entries.length > MAX_BATCH) {
      throw this.#error(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${entries.length}.`,
      );
    }
    const ids = new Set<string>();
    for (const entry of entries) {
      const id = entry.string('Id');
      if (!ID_PATTERN.test(id)) {
        throw this.#error(
          'InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        );
      }
      if (ids.has(id)) throw this.#error('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      ids.add(id);
    }
    return entries;
  }

  #sendBatch(input: Input, context: RequestContext): JsonObject {
    const queue = this.#resolve(input);
    const entries = this.#checkBatch(input.optObjects('Entries'), 'SendMessage');
    const bytes = entries.reduce(
      (sum, entry) => sum + Buffer.byteLength(entry.optString('MessageBody') ?? ''),
      0,
    );
    if (bytes > MAX_BATCH_BYTES) {
      throw this.#error(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${bytes} bytes.`,
      );
    }
    const successful: JsonObject[] = [];
    const failed: JsonObject[] = [];
    for (const entry of entries) {
      const id = entry.string('Id');
      try {
        successful.push({ Id: id, ...this.#send(queue, entry, context) });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        failed.push(failure(id, error));
      }
    }
    return { Successful: successful, Failed: failed };
  }

  #batch(input: Input, kind: string, apply: (queue: Queue, entry: Input) => void): JsonObject {
    const queue = this.#resolve(input);
    const entries = this.#checkBatch(input.optObjects('Entries'), kind);
    const successful: JsonObject[] = [];
    const failed: JsonObject[] = [];
    for (const entry of entries) {
      const id = entry.string('Id');
      try {
        apply(queue, entry);
        successful.push({ Id: id });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        failed.push(
          failure(
            id,
            ERRORS[error.code] === undefined ? error : this.#error(error.code, error.message),
          ),
        );
      }
    }
    return { Successful: successful, Failed: failed };
  }

  #delete(queue: Queue, handle: string): void {
    const receipt = decodeReceipt(handle);
    if (receipt === undefined || receipt.queue !== queue.name) throw invalidReceipt(handle);
    queue.delete(receipt.messageId, handle);
  }

  #changeVisibility(queue: Queue, input: Input): void {
    const handle = input.string('ReceiptHandle');
    const seconds = input.integer('VisibilityTimeout');
    if (seconds < 0 || seconds > 43_200) {
      throw invalidValue('VisibilityTimeout', seconds, 'Must be >= 0 and <= 43200, if provided.');
    }
    const receipt = decodeReceipt(handle);
    if (receipt === undefined || receipt.queue !== queue.name) throw invalidReceipt(handle);
    queue.changeVisibility(receipt.messageId, handle, seconds, this.#clock.nowMs());
    this.#wake();
  }

  /** Moves a message that has been received too often to its queue's dead-letter queue. */
  #deadLetter(source: Queue, message: StoredMessage): boolean {
    const arn = source.redrivePolicy?.deadLetterTargetArn;
    const target = this.queues().find((queue) => queue.arn === arn);
    if (target === undefined) return false;
    const now = this.#clock.nowMs();
    target.messages.push({
      ...message,
      deadLetterSourceArn: source.arn,
      // A FIFO dead-letter queue restarts the retention clock; a standard one keeps the original.
      enqueuedAt: target.fifo ? now : message.enqueuedAt,
      visibleAt: now,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receipt: undefined,
      inFlight: false,
    });
    return true;
  }

  #render(
    message: StoredMessage,
    system: ReadonlySet<string>,
    custom: readonly string[],
  ): JsonObject {
    const values: Record<string, string | undefined> = {
      SenderId: message.senderId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt ?? message.sentAt),
      SequenceNumber: message.sequenceNumber,
      MessageDeduplicationId: message.deduplicationId,
      MessageGroupId: message.groupId,
      AWSTraceHeader: message.traceHeader,
      DeadLetterQueueSourceArn: message.deadLetterSourceArn,
    };
    const all = system.has('All');
    const attributes = Object.fromEntries(
      SYSTEM_ATTRIBUTES.flatMap((name) =>
        (all || system.has(name)) && values[name] !== undefined ? [[name, values[name]]] : [],
      ),
    );
    const everything = custom.includes('All') || custom.includes('.*');
    const prefixes = custom.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -2));
    const chosen: Record<string, MessageAttribute> = Object.fromEntries(
      Object.entries(message.attributes).filter(
        ([name]) =>
          everything ||
          custom.includes(name) ||
          prefixes.some((prefix) => name.startsWith(`${prefix}.`)),
      ),
    );
    const hasCustom = Object.keys(chosen).length > 0;
    return {
      MessageId: message.messageId,
      ReceiptHandle: message.receipt,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      ...(hasCustom
        ? { MessageAttributes: chosen, MD5OfMessageAttributes: attributesMd5(chosen) }
        : {}),
    };
  }

  async #receive(input: Input): Promise<JsonObject> {
    const queue = this.#resolve(input);
    const max = input.optInteger('MaxNumberOfMessages') ?? 1;
    if (max < 1 || max > MAX_BATCH) {
      throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    }
    const visibility = input.optInteger('VisibilityTimeout') ?? queue.visibilityTimeout;
    if (visibility < 0 || visibility > 43_200) {
      throw invalidValue(
        'VisibilityTimeout',
        visibility,
        'Must be >= 0 and <= 43200, if provided.',
      );
    }
    const wait = input.optInteger('WaitTimeSeconds') ?? queue.receiveWaitSeconds;
    if (wait < 0 || wait > 20) {
      throw invalidValue('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
    }
    const system = new Set([
      ...(input.optStrings('AttributeNames') ?? []),
      ...(input.optStrings('MessageSystemAttributeNames') ?? []),
    ]);
    const custom = input.optStrings('MessageAttributeNames') ?? [];
    const deadline = Date.now() + wait * 1000;
    while (true) {
      const taken = queue.take(this.#clock.nowMs(), {
        max,
        visibilityTimeout: visibility,
        receipt: (message) => encodeReceipt(queue.name, message.messageId, this.#random.hex(24)),
        deadLetter: (message) => this.#deadLetter(queue, message),
      });
      if (taken.length > 0) return { Messages: taken.map((m) => this.#render(m, system, custom)) };
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed || !this.#queues.has(queue.name)) return {};
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, POLL_INTERVAL_MS));
        this.#waiters.add(done);
      });
    }
  }
}
