import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** A Lambda context as the runtime passes it. */
export const aContext = (functionName = 'license-token-rotator-test'): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/11/27/[$LATEST]abcdef0123456789',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** A request as a Lambda function URL delivers it (payload format 2.0), here a JSON POST. */
export const aFunctionUrlEvent = (
  body: string,
  overrides: { method?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', host: 'abc.lambda-url.us-east-1.on.aws' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc',
    domainName: 'abc.lambda-url.us-east-1.on.aws',
    domainPrefix: 'abc',
    http: {
      method: overrides.method ?? 'POST',
      path: '/',
      protocol: 'HTTP/1.1',
      sourceIp: '198.51.100.7',
      userAgent: 'license-token-agent',
    },
    requestId: 'req-1',
    routeKey: '$default',
    stage: '$default',
    time: '27/Nov/2026:12:00:00 +0000',
    timeEpoch: 1_795_780_800_000,
  },
  body: overrides.base64 ? Buffer.from(body).toString('base64') : body,
  isBase64Encoded: overrides.base64 === true,
});
