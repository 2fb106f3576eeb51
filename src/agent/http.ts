import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorCode, TransientError } from './errors.js';

/** How long a call may go without a byte before it counts as failed. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An answer larger than this is not one the agent expects from any of its endpoints. */
const MAX_REPLY_BYTES = 1024 * 1024;

/** A body parsed as JSON, or undefined when it is not JSON (a proxy's HTML page, a cut answer). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An HTTP answer, whatever its status. */
export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A POST to send: header names in lower case, the body as text. */
export interface HttpPost {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Names the call in a failure message, e.g. `GetAccessToken`. */
  readonly label: string;
  /** Stops the call (the `run` loop's SIGTERM). */
  readonly signal?: AbortSignal;
}

/**
 * Sends a POST and resolves with any HTTP answer; no answer at all (refused, reset, timed out,
 * too large) is a TransientError naming the call and the host, never the body.
 */
export function post(call: HttpPost): Promise<HttpReply> {
  const send = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void =>
      reject(new TransientError(`${call.label} failed (${errorCode(error)}) at ${call.url.host}`));
    const request = send(
      call.url,
      {
        method: 'POST',
        headers: { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
        timeout: REQUEST_TIMEOUT_MS,
        // A fresh connection each time: nothing lingers between the run loop's hourly calls.
        agent: false,
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) request.destroy(new Error('the answer is too large'));
          else chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
    );
    request.on('error', fail);
    request.end(call.body);
  });
}
