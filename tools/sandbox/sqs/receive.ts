import type { Input, JsonObject } from '../input.js';
import { MAX_BATCH } from './batch.js';
import { invalidValue } from './errors.js';
import { attributesMd5, type MessageAttribute, type StoredMessage } from './message.js';
import type { Queue } from './queue.js';
import { encodeReceipt } from './receipts.js';
import type { SqsState } from './state.js';

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

/** How often a long poll looks again when nothing woke it. */
const POLL_INTERVAL_MS = 50;

/** A ReceiveMessage request, checked. */
interface ReceiveRequest {
  readonly max: number;
  readonly visibility: number;
  readonly waitSeconds: number;
  /** System attributes asked for (AttributeNames and MessageSystemAttributeNames together). */
  readonly system: ReadonlySet<string>;
  /** Message attributes asked for: names, `prefix.*`, `All` or `.*`. */
  readonly custom: readonly string[];
}

/** Reads ReceiveMessage's members; the queue's defaults fill the ones left out. */
function readReceive(queue: Queue, input: Input): ReceiveRequest {
  const max = input.optInteger('MaxNumberOfMessages') ?? 1;
  if (max < 1 || max > MAX_BATCH) {
    throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
  }
  const visibility = input.optInteger('VisibilityTimeout') ?? queue.visibilityTimeout;
  if (visibility < 0 || visibility > 43_200) {
    throw invalidValue('VisibilityTimeout', visibility, 'Must be >= 0 and <= 43200, if provided.');
  }
  const waitSeconds = input.optInteger('WaitTimeSeconds') ?? queue.receiveWaitSeconds;
  if (waitSeconds < 0 || waitSeconds > 20) {
    throw invalidValue('WaitTimeSeconds', waitSeconds, 'Must be >= 0 and <= 20, if provided.');
  }
  const system = new Set([
    ...(input.optStrings('AttributeNames') ?? []),
    ...(input.optStrings('MessageSystemAttributeNames') ?? []),
  ]);
  const custom = input.optStrings('MessageAttributeNames') ?? [];
  return { max, visibility, waitSeconds, system, custom };
}

/** Moves a message that has been received too often to its queue's dead-letter queue. */
function deadLetter(state: SqsState, source: Queue, message: StoredMessage): boolean {
  const arn = source.redrivePolicy?.deadLetterTargetArn;
  const target = state.queues().find((queue) => queue.arn === arn);
  if (target === undefined) return false;
  const now = state.clock.nowMs();
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

/** The system attributes asked for that the message has. */
function systemAttributes(message: StoredMessage, system: ReadonlySet<string>) {
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
  return Object.fromEntries(
    SYSTEM_ATTRIBUTES.flatMap((name) =>
      (all || system.has(name)) && values[name] !== undefined ? [[name, values[name]]] : [],
    ),
  );
}

/** The message attributes asked for, by name, `prefix.*`, `All` or `.*`. */
function customAttributes(message: StoredMessage, custom: readonly string[]) {
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
  return chosen;
}

/** A received message as ReceiveMessage returns it. */
function render(message: StoredMessage, request: ReceiveRequest): JsonObject {
  const attributes = systemAttributes(message, request.system);
  const chosen = customAttributes(message, request.custom);
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receipt,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(Object.keys(chosen).length > 0
      ? { MessageAttributes: chosen, MD5OfMessageAttributes: attributesMd5(chosen) }
      : {}),
  };
}

/** ReceiveMessage: takes what is receivable, or long-polls until something is or the wait ends. */
export async function receiveMessage(state: SqsState, input: Input): Promise<JsonObject> {
  const queue = state.resolve(input);
  const request = readReceive(queue, input);
  const deadline = Date.now() + request.waitSeconds * 1000;
  while (true) {
    const taken = queue.take(state.clock.nowMs(), {
      max: request.max,
      visibilityTimeout: request.visibility,
      receipt: (message) => encodeReceipt(queue.name, message.messageId, state.random.hex(24)),
      deadLetter: (message) => deadLetter(state, queue, message),
    });
    if (taken.length > 0) return { Messages: taken.map((m) => render(m, request)) };
    const left = deadline - Date.now();
    if (left <= 0 || !state.polling(queue)) return {};
    await state.waitForChange(Math.min(left, POLL_INTERVAL_MS));
  }
}
