import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { FailedSend, MessageQueue, QueueMessage } from '../rotation/ports.js';
import { call } from './sdk-errors.js';

const toAttributes = (
  attributes: QueueMessage['attributes'],
): Record<string, MessageAttributeValue> | undefined =>
  attributes === undefined
    ? undefined
    : Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value },
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

  /** SendMessage of one message. */
  async send(message: QueueMessage): Promise<void> {
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
