import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import { sqsError } from './errors.js';
import { Queue } from './queue.js';
import { checkAttributes, READABLE_ATTRIBUTES } from './queue-attributes.js';
import type { SqsState } from './state.js';

/** Refuses a queue name SQS would refuse: FIFO names end in `.fifo`. */
function checkQueueName(name: string, fifo: boolean): void {
  if (fifo ? /^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name) : /^[A-Za-z0-9_-]{1,80}$/.test(name)) return;
  throw new AwsError(
    'InvalidParameterValue',
    fifo
      ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
      : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
  );
}

/** CreateQueue: the same name with the same attributes answers the existing queue. */
export function createQueue(state: SqsState, input: Input, context: RequestContext): JsonObject {
  const name = input.string('QueueName');
  const attributes = input.optStringMap('Attributes') ?? {};
  const fifo = attributes.FifoQueue === 'true';
  checkQueueName(name, fifo);
  checkAttributes(attributes, fifo, (arn) => state.fifoByArn(arn));
  const existing = state.queue(name);
  if (existing !== undefined) {
    const different = Object.entries(attributes).find(
      ([key, value]) => existing.attributes.get(key) !== value,
    );
    if (different !== undefined) {
      throw sqsError(
        'QueueNameExists',
        `A queue already exists with the same name and a different value for attribute ${different[0]}`,
      );
    }
    return { QueueUrl: state.url(existing, context) };
  }
  const arn = `arn:aws:sqs:${context.region}:${context.accountId}:${name}`;
  const queue = new Queue(name, arn, attributes, state.clock.nowMs());
  state.add(queue);
  return { QueueUrl: state.url(queue, context) };
}

/** GetQueueUrl. */
export const getQueueUrl = (state: SqsState, input: Input, context: RequestContext) => ({
  QueueUrl: state.url(state.named(input.string('QueueName')), context),
});

/**
 * ListQueues, by QueueNamePrefix. Kept although nothing in this project calls it: a user driving
 * `npm start -- --serve` with the AWS CLI finds the queues with `aws sqs list-queues`.
 */
export function listQueues(state: SqsState, input: Input, context: RequestContext): JsonObject {
  const prefix = input.optString('QueueNamePrefix') ?? '';
  const urls = state
    .queues()
    .filter((queue) => queue.name.startsWith(prefix))
    .map((queue) => state.url(queue, context))
    .slice(0, input.optInteger('MaxResults') ?? 1000);
  return urls.length === 0 ? {} : { QueueUrls: urls };
}

/** GetQueueAttributes: the attributes named, `All`, and the message counts of this moment. */
export function getQueueAttributes(state: SqsState, input: Input): JsonObject {
  const queue = state.resolve(input);
  const names = input.optStrings('AttributeNames') ?? [];
  const unknown = names.find((name) => !READABLE_ATTRIBUTES.has(name));
  if (unknown !== undefined)
    throw new AwsError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
  const counts = queue.counts(state.clock.nowMs());
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

/** PurgeQueue: every message, at most once a minute. */
export function purgeQueue(state: SqsState, input: Input): JsonObject {
  state.resolve(input).purge(state.clock.nowMs());
  state.wake();
  return {};
}
