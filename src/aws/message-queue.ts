import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PermanentError } from '../errors.js';
import type { FailedSend, MessageQueue, QueueMessage } from '../rotation/ports.js';
import { call } from './sdk-errors.js';

/** The longest attribute value this adapter sends: enough for a reason, short for a console. */
export const MAX_ATTRIBUTE_LENGTH = 256;

// SQS accepts only XML characters in attribute values, and no empty ones; hostile input may
// carry anything, so each value is made to fit rather than refused.
const sqsSafe = (text: string): string => {
  const clean = text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '?')
    .slice(0, MAX_ATTRIBUTE_LENGTH);
  return clean === '' ? '-' : clean;
};

const toAttributes = (
  attributes: QueueMessage['attributes'],
): Record<string, MessageAttributeValue> | undefined =>
  attributes === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: sqsSafe(value) },
        ]),
      );

/** A FIFO SQS queue: the jobs queue for the scanner, the dead-letter queue for the rotator. */
export class SqsMessageQueue implements MessageQueue {
  readonly #client: SQSClient;
  readonly #url: string;

  constructor(url: string, client: SQSClient = new SQSClient({})) {
    this.#url = url;
    this.#client = client;
  }

  /** SendMessageBatch of up to 10; returns the entries SQS refused, by their index. */
  async sendBatch(messages: readonly QueueMessage[]): Promise<FailedSend[]> {
    const output = await call('SendMessageBatch', () =>
      this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#url,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            MessageBody: message.body,
            MessageGroupId: message.groupId,
            MessageDeduplicationId: message.deduplicationId,
            MessageAttributes: toAttributes(message.attributes),
          })),
        }),
      ),
    );
    return (output.Failed ?? []).map((failure) => ({
      index: Number(failure.Id),
      code: failure.Code ?? 'Unknown',
      senderFault: failure.SenderFault ?? false,
    }));
  }

  /**
   * SendMessage of one message. Attributes count towards SQS's message size: a body at the limit
   * leaves them no room, so a refused message with attributes is sent again without them.
   */
  async send(message: QueueMessage): Promise<void> {
    try {
      await this.#sendOne(message);
    } catch (error) {
      if (!(error instanceof PermanentError) || message.attributes === undefined) throw error;
      await this.#sendOne({ ...message, attributes: undefined });
    }
  }

  async #sendOne(message: QueueMessage): Promise<void> {
    await call('SendMessage', () =>
      this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#url,
          MessageBody: message.body,
          MessageGroupId: message.groupId,
          MessageDeduplicationId: message.deduplicationId,
          MessageAttributes: toAttributes(message.attributes),
        }),
      ),
    );
  }
}
