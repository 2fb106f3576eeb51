import { coralErrorResponse, coralFaultError } from '../coral.js';
import { coralProblem, type Input } from '../input.js';
import {
  dispatch,
  type JsonService,
  type OperationTable,
  operationNames,
  type RequestContext,
} from '../service.js';
import { putEvents } from './put-events.js';
import { EventsState } from './state.js';

export type { PutEvent } from './state.js';

/** EventBridge's operations. */
const OPERATIONS: OperationTable<EventsState> = {
  PutEvents: putEvents,
};

/**
 * Amazon EventBridge's PutEvents, with its limits (10 entries, 256 KB), per-entry failures and
 * the buses the sandbox knows; every event put is kept for tests to read back.
 */
export class EventsService extends EventsState implements JsonService {
  readonly protocol = 'json' as const;
  readonly name = 'events' as const;
  readonly targetPrefix = 'AWSEvents';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly inputProblem = coralProblem;
  readonly operations = operationNames(OPERATIONS);
  readonly faultError = coralFaultError;
  readonly errorResponse = coralErrorResponse;

  handle(operation: string, input: Input, context: RequestContext) {
    return dispatch(OPERATIONS, this, operation, input, context);
  }
}
