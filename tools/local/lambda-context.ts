import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { MINUTE_MS } from '../../src/time.js';

/** A Lambda context as the runtime hands it to a handler, for running handlers locally. */
export function lambdaContext(functionName: string, timeoutMs = MINUTE_MS): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
