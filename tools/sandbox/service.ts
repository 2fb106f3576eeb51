import { AwsError } from './aws-error.js';
import type { FaultOutcome } from './faults.js';
import type { Input, InputProblem, JsonObject } from './input.js';

/** What a service knows about the call it is answering. */
export interface RequestContext {
  /** The region of the request's SigV4 credential scope (or the sandbox's default). */
  readonly region: string;
  readonly accountId: string;
  /** The access key id from the credential scope; SQS reports it as SenderId. */
  readonly accessKeyId: string;
  /** The origin the client reached the sandbox at, e.g. `http://127.0.0.1:4566`. */
  readonly origin: string;
}

/** The services the sandbox speaks, by their SigV4 signing names. */
export type ServiceName = 'ssm' | 'sqs' | 'license-manager' | 'events' | 'sts';

/** One operation: reads its input, acts on the service's state, answers or throws AwsError. */
export type Operation<State> = (
  state: State,
  input: Input,
  context: RequestContext,
) => JsonObject | Promise<JsonObject>;

/** A service's operations by name: adding an operation is adding an entry. */
export type OperationTable<State> = Readonly<Record<string, Operation<State>>>;

/** An injected failure the service answers (a dropped connection never reaches it). */
export type AnsweredFault = Exclude<FaultOutcome, { kind: 'reset' }>;

/** What every service behind the sandbox's endpoint has, whatever its protocol. */
interface ServiceBase {
  readonly name: ServiceName;
  /** How this service reports a missing or mistyped member. */
  readonly inputProblem: InputProblem;
  /** The operations it serves. */
  readonly operations: ReadonlySet<string>;
  /** Runs one operation; throws AwsError for an error answer. */
  handle(
    operation: string,
    input: Input,
    context: RequestContext,
  ): JsonObject | Promise<JsonObject>;
  /** The error this service answers an injected fault with. */
  faultError(fault: AnsweredFault): AwsError;
}

/** A service of the AWS JSON protocol: POST with X-Amz-Target, JSON in and out. */
export interface JsonService extends ServiceBase {
  readonly protocol: 'json';
  /** The X-Amz-Target prefix, e.g. `AmazonSSM`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
  /** The headers and body of an error answer, in this service's protocol. */
  errorResponse(error: AwsError): { headers: Record<string, string>; body: JsonObject };
}

/** A service of the awsQuery protocol: a form-encoded POST naming its Action, XML out. */
export interface QueryService extends ServiceBase {
  readonly protocol: 'query';
  /** The API version requests name, e.g. `2011-06-15`. */
  readonly version: string;
  /** The namespace of its XML answers. */
  readonly xmlNamespace: string;
}

/** One AWS service behind the sandbox's endpoint. */
export type AwsService = JsonService | QueryService;

/** The names in an operation table, for `AwsService.operations`. */
export const operationNames = (table: OperationTable<never>): ReadonlySet<string> =>
  new Set(Object.keys(table));

/** Runs the operation a table names; an operation it lacks is UnknownOperationException. */
export function dispatch<State>(
  table: OperationTable<State>,
  state: State,
  operation: string,
  input: Input,
  context: RequestContext,
): JsonObject | Promise<JsonObject> {
  const run = Object.hasOwn(table, operation) ? table[operation] : undefined;
  if (run === undefined) {
    throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
  }
  return run(state, input, context);
}
