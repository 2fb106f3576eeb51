import { createHash } from 'node:crypto';
import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import { checkBatch, runBatch } from './batch.js';
import { invalidValue, sqsError, sqsProblem } from './errors.js';
import {
  attributesMd5,
  bodyMd5,
  checkBody,
  type MessageAttribute,
  messageSize,
  readAttributes,
  type StoredMessage,
} from './message.js';
import type { Queue } from './queue.js';
import type { SqsState } from './state.js';

/** A batch's bodies together may hold 1 MiB. */
const MAX_BATCH_BYTES = 1_048_576;
const GROUP_PATTERN = /^[\x21-\x7E]{1,128}$/;

/** A message to send, checked against its queue. */
interface SendRequest {
  readonly body: string;
  readonly attributes: Record<string, MessageAttribute>;
  readonly delay: number | undefined;
  readonly groupId: string | undefined;
  /** The explicit id, or the body's hash on a queue with content-based deduplication. */
  readonly deduplicationId: string | undefined;
}

/** The body and its attributes, within the queue's MaximumMessageSize. */
function readContent(queue: Queue, input: Input) {
  const body = input.optString('MessageBody') ?? '';
  if (body === '') throw sqsProblem('MessageBody', 'missing');
  checkBody(body);
  const attributes = readAttributes(input.optObjectMap('MessageAttributes'));
  if (messageSize(body, attributes) > queue.maximumMessageSize) {
    throw new AwsError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
    );
  }
  return { body, attributes };
}

/** Checks a MessageGroupId or MessageDeduplicationId: 1 to 128 printable ASCII characters. */
function checkId(name: string, value: string | undefined): void {
  if (value !== undefined && !GROUP_PATTERN.test(value)) {
    throw invalidValue(
      name,
      value,
      `${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}

/** A FIFO queue's rules: a group, no per-message delay, a deduplication id (given or content-based). */
function fifoDeduplicationId(queue: Queue, request: Omit<SendRequest, 'attributes'>) {
  const { body, delay, groupId, deduplicationId } = request;
  if (!queue.fifo) {
    if (deduplicationId === undefined) return undefined;
    throw invalidValue(
      'MessageDeduplicationId',
      deduplicationId,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  if (groupId === undefined) throw sqsProblem('MessageGroupId', 'missing');
  if (delay !== undefined && delay > 0) {
    throw invalidValue(
      'DelaySeconds',
      delay,
      'The request include parameter that is not valid for this queue type.',
    );
  }
  if (deduplicationId !== undefined) return deduplicationId;
  if (!queue.contentBasedDeduplication) {
    throw new AwsError(
      'InvalidParameterValue',
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  }
  return createHash('sha256').update(body).digest('hex');
}

/** Reads and checks a SendMessage request (or batch entry) against its queue. */
function readSend(queue: Queue, input: Input): SendRequest {
  const { body, attributes } = readContent(queue, input);
  const delay = input.optInteger('DelaySeconds');
  if (delay !== undefined && (delay < 0 || delay > 900)) {
    throw invalidValue('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
  }
  const groupId = input.optString('MessageGroupId');
  const givenId = input.optString('MessageDeduplicationId');
  checkId('MessageGroupId', groupId);
  checkId('MessageDeduplicationId', givenId);
  const deduplicationId = fifoDeduplicationId(queue, {
    body,
    delay,
    groupId,
    deduplicationId: givenId,
  });
  return { body, attributes, delay, groupId, deduplicationId };
}

/** Queues a new message and remembers its deduplication id. */
function enqueue(
  state: SqsState,
  queue: Queue,
  request: SendRequest,
  input: Input,
  context: RequestContext,
): StoredMessage {
  const now = state.clock.nowMs();
  const { body, attributes, groupId, deduplicationId } = request;
  const message: StoredMessage = {
    messageId: state.random.uuid(),
    body,
    md5OfBody: bodyMd5(body),
    attributes,
    md5OfAttributes: Object.keys(attributes).length > 0 ? attributesMd5(attributes) : undefined,
    groupId,
    deduplicationId,
    sequenceNumber: queue.fifo ? queue.nextSequenceNumber() : undefined,
    senderId: context.accessKeyId,
    sentAt: now,
    traceHeader: input
      .optObjectMap('MessageSystemAttributes')
      ?.get('AWSTraceHeader')
      ?.optString('StringValue'),
    deadLetterSourceArn: undefined,
    enqueuedAt: now,
    visibleAt: now + (request.delay ?? queue.delaySeconds) * 1000,
    receiveCount: 0,
    firstReceiveAt: undefined,
    receipt: undefined,
    inFlight: false,
  };
  queue.messages.push(message);
  if (queue.fifo && deduplicationId !== undefined) {
    queue.deduplication.set(queue.deduplicationKey(deduplicationId, groupId), {
      messageId: message.messageId,
      at: now,
      ...(message.sequenceNumber === undefined ? {} : { sequenceNumber: message.sequenceNumber }),
    });
  }
  state.wake();
  return message;
}

/** Sends one message to a queue; a FIFO duplicate within the window is answered, not queued. */
function send(state: SqsState, queue: Queue, input: Input, context: RequestContext): JsonObject {
  const request = readSend(queue, input);
  queue.expire(state.clock.nowMs());
  const answer = (messageId: string, sequenceNumber: string | undefined): JsonObject => ({
    MessageId: messageId,
    MD5OfMessageBody: bodyMd5(request.body),
    ...(Object.keys(request.attributes).length > 0
      ? { MD5OfMessageAttributes: attributesMd5(request.attributes) }
      : {}),
    ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
  });
  const { deduplicationId, groupId } = request;
  const seen =
    queue.fifo && deduplicationId !== undefined
      ? queue.deduplication.get(queue.deduplicationKey(deduplicationId, groupId))
      : undefined;
  if (seen !== undefined) return answer(seen.messageId, seen.sequenceNumber);
  const message = enqueue(state, queue, request, input, context);
  return answer(message.messageId, message.sequenceNumber);
}

/** SendMessage. */
export const sendMessage = (state: SqsState, input: Input, context: RequestContext) =>
  send(state, state.resolve(input), input, context);

/** SendMessageBatch: 10 entries, 1 MiB of bodies; each entry fails or succeeds on its own. */
export function sendMessageBatch(
  state: SqsState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const queue = state.resolve(input);
  const entries = checkBatch(input.optObjects('Entries'), 'SendMessage');
  const bytes = entries.reduce(
    (sum, entry) => sum + Buffer.byteLength(entry.optString('MessageBody') ?? ''),
    0,
  );
  if (bytes > MAX_BATCH_BYTES) {
    throw sqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${bytes} bytes.`,
    );
  }
  return runBatch(entries, (entry) => send(state, queue, entry, context));
}
