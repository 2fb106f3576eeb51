import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import {
  type AnsweredFault,
  dispatch,
  type JsonService,
  type OperationTable,
  operationNames,
  type RequestContext,
} from '../service.js';
import { queryCodeOf, sqsError, sqsProblem, withModelStatus } from './errors.js';
import { createQueue, getQueueAttributes, getQueueUrl, listQueues, purgeQueue } from './queues.js';
import {
  changeMessageVisibility,
  changeMessageVisibilityBatch,
  deleteMessage,
  deleteMessageBatch,
} from './receipts.js';
import { receiveMessage } from './receive.js';
import { sendMessage, sendMessageBatch } from './send.js';
import { SqsState } from './state.js';

/** SQS's operations. */
const OPERATIONS: OperationTable<SqsState> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  GetQueueAttributes: getQueueAttributes,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  PurgeQueue: purgeQueue,
};

/**
 * Amazon SQS with the semantics this project relies on: FIFO groups and deduplication, visibility
 * timeouts, long polling, redrive to a dead-letter queue, batch limits, retention.
 */
export class SqsService extends SqsState implements JsonService {
  readonly protocol = 'json' as const;
  readonly name = 'sqs' as const;
  readonly targetPrefix = 'AmazonSQS';
  readonly contentType = 'application/x-amz-json-1.0';
  readonly inputProblem = sqsProblem;
  readonly operations = operationNames(OPERATIONS);

  async handle(operation: string, input: Input, context: RequestContext): Promise<JsonObject> {
    try {
      return await dispatch(OPERATIONS, this, operation, input, context);
    } catch (error) {
      // Errors raised with a bare code get the model's status and query code here.
      throw error instanceof AwsError ? withModelStatus(error) : error;
    }
  }

  faultError(fault: AnsweredFault): AwsError {
    if (fault.kind === 'throttle') return sqsError('RequestThrottled', 'Request is throttled.');
    return sqsError(fault.code, fault.message ?? `Injected ${fault.code}`, fault.status);
  }

  errorResponse(error: AwsError): { headers: Record<string, string>; body: JsonObject } {
    return {
      headers: {
        'x-amzn-query-error': `${queryCodeOf(error)};${error.fault ? 'Receiver' : 'Sender'}`,
      },
      body: { __type: `com.amazonaws.sqs#${error.code}`, message: error.message, ...error.fields },
    };
  }
}
