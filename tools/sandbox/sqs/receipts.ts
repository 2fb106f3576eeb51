import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { checkBatch, runBatch } from './batch.js';
import { invalidValue } from './errors.js';
import type { Queue } from './queue.js';
import type { SqsState } from './state.js';

/** A receipt handle: the queue, the message and a nonce of this receive, opaque to the client. */
export const encodeReceipt = (queue: string, messageId: string, nonce: string): string =>
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

/** The message id a receipt handle of this queue names; ReceiptHandleIsInvalid otherwise. */
function messageIdOf(queue: Queue, handle: string): string {
  const receipt = decodeReceipt(handle);
  if (receipt === undefined || receipt.queue !== queue.name) {
    throw new AwsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  }
  return receipt.messageId;
}

function deleteOne(queue: Queue, entry: Input): undefined {
  const handle = entry.string('ReceiptHandle');
  queue.delete(messageIdOf(queue, handle), handle);
  return undefined;
}

function changeVisibility(state: SqsState, queue: Queue, entry: Input): undefined {
  const handle = entry.string('ReceiptHandle');
  const seconds = entry.integer('VisibilityTimeout');
  if (seconds < 0 || seconds > 43_200) {
    throw invalidValue('VisibilityTimeout', seconds, 'Must be >= 0 and <= 43200, if provided.');
  }
  queue.changeVisibility(messageIdOf(queue, handle), handle, seconds, state.clock.nowMs());
  state.wake();
  return undefined;
}

/** DeleteMessage: a handle older than the message's latest receive deletes nothing, as in AWS. */
export function deleteMessage(state: SqsState, input: Input): JsonObject {
  deleteOne(state.resolve(input), input);
  return {};
}

/** DeleteMessageBatch. */
export function deleteMessageBatch(state: SqsState, input: Input): JsonObject {
  const queue = state.resolve(input);
  const entries = checkBatch(input.optObjects('Entries'), 'Delete');
  return runBatch(entries, (entry) => deleteOne(queue, entry));
}

/** ChangeMessageVisibility of a message in flight, by its latest receipt handle. */
export function changeMessageVisibility(state: SqsState, input: Input): JsonObject {
  changeVisibility(state, state.resolve(input), input);
  return {};
}

/** ChangeMessageVisibilityBatch. */
export function changeMessageVisibilityBatch(state: SqsState, input: Input): JsonObject {
  const queue = state.resolve(input);
  const entries = checkBatch(input.optObjects('Entries'), 'ChangeMessageVisibility');
  return runBatch(entries, (entry) => changeVisibility(state, queue, entry));
}
