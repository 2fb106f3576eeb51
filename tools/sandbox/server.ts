import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { admin } from './admin.js';
import { AwsError } from './aws-error.js';
import { Input, type JsonObject } from './input.js';
import type { Sandbox } from './sandbox.js';
import type { AwsService, RequestContext } from './service.js';
import { credentialScope } from './signature.js';

/** A request body larger than this is refused (SQS's largest batch is 1 MiB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One call the sandbox answered, for tests and the admin state. */
export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly status: number;
  /** The error code answered, if any. */
  readonly code?: string;
  /** The injected fault, if any (`throttle`, `error:<code>`, `reset`). */
  readonly fault?: string;
  readonly at: Date;
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, service: AwsService, error: AwsError): void {
  const { headers, body } = service.errorResponse(error);
  send(response, error.status, body, {
    'content-type': service.contentType,
    ...headers,
    ...error.headers,
  });
}

const coralError = (code: string, message: string): JsonObject => ({
  __type: `com.amazon.coral.service#${code}`,
  message,
});

/** Serves one AWS JSON-protocol call: faults, then the operation, then the answer. */
async function serveAws(
  sandbox: Sandbox,
  request: IncomingMessage,
  response: ServerResponse,
  target: string,
  text: string,
): Promise<void> {
  const dot = target.lastIndexOf('.');
  const [prefix, operation] = [target.slice(0, dot), target.slice(dot + 1)];
  const service = sandbox.services.find((s) => s.targetPrefix === prefix);
  if (service === undefined || !service.operations.has(operation)) {
    send(response, 400, coralError('UnknownOperationException', `Unknown operation ${target}`));
    return;
  }
  const scope = credentialScope(request.headers.authorization);
  const context: RequestContext = {
    region: scope?.region ?? sandbox.defaultRegion,
    accountId: sandbox.accountId,
    accessKeyId: scope?.accessKeyId ?? 'AKIASANDBOX',
    origin: `http://${request.headers.host ?? `127.0.0.1:${sandbox.port}`}`,
  };
  const record = (status: number, code?: string, fault?: string): void =>
    sandbox.record({
      service: service.name,
      operation,
      region: context.region,
      status,
      at: sandbox.clock.now(),
      ...(code === undefined ? {} : { code }),
      ...(fault === undefined ? {} : { fault }),
    });
  let body: JsonObject;
  try {
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    body = parsed as JsonObject;
  } catch {
    send(response, 400, {
      __type: 'SerializationException',
      message: 'Start of structure or map found where not expected.',
    });
    record(400, 'SerializationException');
    return;
  }
  const decision = sandbox.faults.decide(service.name, operation);
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  const fail = (fault: NonNullable<typeof decision.before>, label: string): void => {
    if (fault.kind === 'reset') {
      request.socket.destroy();
      record(0, undefined, 'reset');
      return;
    }
    const error = service.faultError(fault);
    sendError(response, service, error);
    record(error.status, error.code, label);
  };
  if (decision.before !== undefined) {
    fail(
      decision.before,
      decision.before.kind === 'error' ? `error:${decision.before.code}` : decision.before.kind,
    );
    return;
  }
  try {
    await sandbox.beforeCall?.({ service: service.name, operation, region: context.region });
    const result = await service.handle(operation, new Input(body, service.inputProblem), context);
    if (decision.after !== undefined) {
      fail(
        decision.after,
        decision.after.kind === 'error' ? `error:${decision.after.code}` : decision.after.kind,
      );
      return;
    }
    send(response, 200, result, { 'content-type': service.contentType });
    record(200);
  } catch (error) {
    if (error instanceof AwsError) {
      sendError(response, service, error);
      record(error.status, error.code);
      return;
    }
    sandbox.reportInternalError(error);
    send(response, 500, {
      __type: 'InternalFailure',
      message: 'The sandbox failed to handle the request.',
    });
    record(500, 'InternalFailure');
  }
}

/** The sandbox's HTTP server: AWS JSON calls on POST /, the admin API under /_sandbox/. */
export function createSandboxServer(sandbox: Sandbox): Server {
  return createServer((request, response) => {
    void (async () => {
      let text: string;
      try {
        text = await readBody(request);
      } catch (error) {
        if (error instanceof BodyTooLarge)
          send(response, 413, { message: 'Request body too large' });
        else request.socket.destroy();
        return;
      }
      const url = new URL(request.url ?? '/', 'http://sandbox');
      if (url.pathname.startsWith('/_sandbox')) {
        let body: unknown;
        try {
          body = text.trim() === '' ? undefined : JSON.parse(text);
        } catch {
          send(response, 400, { error: 'the body is not JSON' });
          return;
        }
        const answer = admin(sandbox, request.method ?? 'GET', url.pathname, body);
        send(response, answer.status, answer.body);
        return;
      }
      const target = request.headers['x-amz-target'];
      if (request.method !== 'POST' || typeof target !== 'string') {
        send(response, 404, {
          message:
            'This is the license-token-rotator sandbox: AWS JSON calls (POST with X-Amz-Target) and /_sandbox/ admin routes.',
        });
        return;
      }
      await serveAws(sandbox, request, response, target, text);
    })();
  });
}
