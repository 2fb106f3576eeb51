import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isObject } from '../../src/validate.js';
import { admin } from './admin.js';
import { AwsError } from './aws-error.js';
import { type FaultOutcome, faultLabel } from './faults.js';
import type { SandboxHost } from './host.js';
import { Input, type JsonObject } from './input.js';
import { FORM_CONTENT_TYPE, parseForm, XML_CONTENT_TYPE, xmlError, xmlResult } from './query.js';
import type { AwsService, JsonService, RequestContext } from './service.js';
import { credentialScope } from './signature.js';

/** A request body larger than this is refused (SQS's largest batch is 1 MiB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
  requestId: string = randomUUID(),
): void {
  response.writeHead(status, {
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    ...headers,
  });
  response.end(text);
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(response, status, JSON.stringify(body), {
    'content-type': 'application/json',
    ...headers,
  });
}

/** Answers an error in the service's protocol. */
function sendError(response: ServerResponse, service: AwsService, error: AwsError): void {
  if (service.protocol === 'query') {
    const requestId = randomUUID();
    const text = xmlError(service.xmlNamespace, error, requestId);
    const headers = { 'content-type': XML_CONTENT_TYPE, ...error.headers };
    sendText(response, error.status, text, headers, requestId);
    return;
  }
  const { headers, body } = service.errorResponse(error);
  send(response, error.status, body, {
    'content-type': service.contentType,
    ...headers,
    ...error.headers,
  });
}

/** Answers a result in the service's protocol. */
function sendResult(
  response: ServerResponse,
  service: AwsService,
  operation: string,
  result: JsonObject,
): void {
  if (service.protocol === 'query') {
    const requestId = randomUUID();
    const text = xmlResult(service, operation, result, requestId);
    sendText(response, 200, text, { 'content-type': XML_CONTENT_TYPE }, requestId);
    return;
  }
  send(response, 200, result, { 'content-type': service.contentType });
}

/** One AWS call, addressed and parsed: which service, which operation, with what. */
interface Call {
  readonly service: AwsService;
  readonly operation: string;
  readonly body: JsonObject;
  readonly context: RequestContext;
  /** Records how the call was answered. */
  readonly record: (status: number, code?: string, fault?: string) => void;
}

/** What a service knows of a request: the region and key of its SigV4 scope, the origin. */
function contextOf(host: SandboxHost, request: IncomingMessage): RequestContext {
  const scope = credentialScope(request.headers.authorization);
  return {
    region: scope?.region ?? host.defaultRegion,
    accountId: host.accountId,
    accessKeyId: scope?.accessKeyId ?? 'AKIASANDBOX',
    origin: `http://${request.headers.host ?? `127.0.0.1:${host.port}`}`,
  };
}

/** A call to a service's operation, recording its answer under the request's region. */
function callOf(
  host: SandboxHost,
  request: IncomingMessage,
  service: AwsService,
  operation: string,
  body: JsonObject,
): Call {
  const context = contextOf(host, request);
  const record = (status: number, code?: string, fault?: string): void =>
    host.record({
      service: service.name,
      operation,
      region: context.region,
      status,
      at: host.clock.now(),
      ...(code === undefined ? {} : { code }),
      ...(fault === undefined ? {} : { fault }),
    });
  return { service, operation, body, context, record };
}

/**
 * Finds the service and operation an X-Amz-Target names and parses the JSON body; answers the
 * request itself (and returns undefined) when either is wrong, as AWS does.
 */
function routeJson(
  host: SandboxHost,
  request: IncomingMessage,
  response: ServerResponse,
  target: string,
  text: string,
): Call | undefined {
  const dot = target.lastIndexOf('.');
  const [prefix, operation] = [target.slice(0, dot), target.slice(dot + 1)];
  const service = host.services.find(
    (s): s is JsonService => s.protocol === 'json' && s.targetPrefix === prefix,
  );
  if (service === undefined || !service.operations.has(operation)) {
    send(response, 400, {
      __type: 'com.amazon.coral.service#UnknownOperationException',
      message: `Unknown operation ${target}`,
    });
    return undefined;
  }
  const body = parseJson(text);
  const call = callOf(host, request, service, operation, body ?? {});
  if (body === undefined) {
    send(response, 400, {
      __type: 'SerializationException',
      message: 'Start of structure or map found where not expected.',
    });
    call.record(400, 'SerializationException');
    return undefined;
  }
  return call;
}

/**
 * Finds the service whose API version has the form's Action; answers InvalidAction itself (and
 * returns undefined) when none has.
 */
function routeQuery(
  host: SandboxHost,
  request: IncomingMessage,
  response: ServerResponse,
  text: string,
): Call | undefined {
  const body = parseForm(text);
  const { Action: action, Version: version } = body;
  const service = host.services.find(
    (s) =>
      s.protocol === 'query' &&
      s.version === version &&
      typeof action === 'string' &&
      s.operations.has(action),
  );
  if (service === undefined || typeof action !== 'string') {
    const error = new AwsError(
      'InvalidAction',
      `Could not find operation ${String(action)} for version ${String(version ?? 'NO_VERSION_SPECIFIED')}`,
    );
    sendText(response, 400, xmlError(undefined, error, randomUUID()), {
      'content-type': XML_CONTENT_TYPE,
    });
    return undefined;
  }
  return callOf(host, request, service, action, body);
}

/** A JSON-protocol body: an object (an empty body is one); undefined for anything else. */
function parseJson(text: string): JsonObject | undefined {
  try {
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Answers an injected failure: the service's error, or a dropped connection. */
function answerFault(
  call: Call,
  request: IncomingMessage,
  response: ServerResponse,
  fault: FaultOutcome,
): void {
  if (fault.kind === 'reset') {
    request.socket.destroy();
    call.record(0, undefined, 'reset');
    return;
  }
  const error = call.service.faultError(fault);
  sendError(response, call.service, error);
  call.record(error.status, error.code, faultLabel(fault));
}

/** Serves one AWS call: faults, then the operation, then the answer. */
async function serveCall(
  host: SandboxHost,
  call: Call,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { service, operation, context } = call;
  const decision = host.faults.decide(service.name, operation);
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  if (decision.before !== undefined) {
    answerFault(call, request, response, decision.before);
    return;
  }
  try {
    await host.beforeCall?.({ service: service.name, operation, region: context.region });
    const result = await service.handle(
      operation,
      new Input(call.body, service.inputProblem),
      context,
    );
    if (decision.after !== undefined) {
      answerFault(call, request, response, decision.after);
      return;
    }
    sendResult(response, service, operation, result);
    call.record(200);
  } catch (error) {
    if (!(error instanceof AwsError)) host.reportInternalError(error);
    const answered =
      error instanceof AwsError
        ? error
        : new AwsError('InternalFailure', 'The sandbox failed to handle the request.', {
            status: 500,
          });
    sendError(response, service, answered);
    call.record(answered.status, answered.code);
  }
}

/** Serves the admin API: a JSON body in, the admin's answer out. */
function serveAdmin(
  host: SandboxHost,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  text: string,
): void {
  let body: unknown;
  try {
    body = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    send(response, 400, { error: 'the body is not JSON' });
    return;
  }
  const answer = admin(host, request.method ?? 'GET', path, body);
  send(response, answer.status, answer.body);
}

/** Routes one request: the admin API, an AWS call, or a pointer to what the sandbox serves. */
async function serve(
  host: SandboxHost,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let text: string;
  try {
    text = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      send(response, 413, { message: 'Request body too large' });
    else request.socket.destroy();
    return;
  }
  const url = new URL(request.url ?? '/', 'http://sandbox');
  if (url.pathname.startsWith('/_sandbox')) {
    serveAdmin(host, request, response, url.pathname, text);
    return;
  }
  const call = route(host, request, response, text);
  if (call !== undefined) await serveCall(host, call, request, response);
}

/** Routes an AWS call by its protocol: X-Amz-Target for JSON, a form-encoded Action for awsQuery. */
function route(
  host: SandboxHost,
  request: IncomingMessage,
  response: ServerResponse,
  text: string,
): Call | undefined {
  const target = request.headers['x-amz-target'];
  const form = request.headers['content-type']?.startsWith(FORM_CONTENT_TYPE) === true;
  if (request.method === 'POST' && typeof target === 'string') {
    return routeJson(host, request, response, target, text);
  }
  if (request.method === 'POST' && form) return routeQuery(host, request, response, text);
  send(response, 404, {
    message:
      'This is the license-token-rotator sandbox: AWS JSON calls (POST with X-Amz-Target), awsQuery calls (a form-encoded POST with Action and Version) and /_sandbox/ admin routes.',
  });
  return undefined;
}

/** The sandbox's HTTP server: AWS calls on POST /, the admin API under /_sandbox/. */
export function createSandboxServer(host: SandboxHost): Server {
  return createServer((request, response) => {
    void serve(host, request, response);
  });
}
