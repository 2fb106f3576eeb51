import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateTokenCommand, GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsCredentials, signRequest } from '../../../src/agent/sigv4.js';
import { HOUR_MS, MINUTE_MS } from '../../../src/time.js';
import {
  type FunctionUrlEvent,
  type LocalFunctionUrl,
  Rejection,
  startFunctionUrl,
} from '../../../tools/local/function-url.js';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, ROLE_ARN } from '../../helpers/factories.js';
import { clientsFor, startTestSandbox, TEST_REGION } from '../../helpers/sandbox.js';

const OTHER_ROLE = 'arn:aws:iam::123456789012:role/SomeoneElse';

let sandbox: Sandbox;
let functionUrl: LocalFunctionUrl;
let events: FunctionUrlEvent[];
let result: APIGatewayProxyResultV2;

beforeEach(async () => {
  sandbox = await startTestSandbox();
  events = [];
  result = { statusCode: 200, body: '{"ok":true}' };
  functionUrl = await startFunctionUrl({
    sandbox,
    region: TEST_REGION,
    handler: async (event) => {
      events.push(event);
      return result;
    },
  });
});
afterEach(async () => {
  await Promise.all([functionUrl.close(), sandbox.close()]);
});

let sessions = 0;

/** Credentials for a role session, from the sandbox's STS, as a host gets them from its token. */
async function sessionCredentials(roleArn = ROLE_ARN): Promise<Required<AwsCredentials>> {
  const { licenseManager } = clientsFor(sandbox);
  const created = await licenseManager.send(
    new CreateTokenCommand({
      LicenseArn: LICENSE_ARN,
      RoleArns: [roleArn],
      ClientToken: `function-url-${++sessions}`,
    }),
  );
  const access = await licenseManager.send(new GetAccessTokenCommand({ Token: created.Token }));
  const sts = new STSClient({ endpoint: sandbox.endpoint, region: TEST_REGION, maxAttempts: 1 });
  const answer = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: `host-${sessions}`,
      WebIdentityToken: access.AccessToken,
    }),
  );
  const { AccessKeyId = '', SecretAccessKey = '', SessionToken = '' } = answer.Credentials ?? {};
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
}

interface Request {
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Signs with the agent's signer (for the sandbox clock's now unless told) and returns the headers. */
function signed(
  credentials: AwsCredentials,
  request: Request = {},
  scope = { region: TEST_REGION, service: 'lambda' },
  now: Date = sandbox.clock.now(),
): Record<string, string> {
  const url = new URL(request.path ?? '/', functionUrl.url);
  return signRequest(
    {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...request.headers },
      body: String(request.body ?? ''),
    },
    credentials,
    scope,
    now,
  );
}

/** The status a POST of `body` to `target` gets, signed with the credentials at `now`. */
async function statusOf(
  target: LocalFunctionUrl,
  credentials: AwsCredentials,
  body: string,
  now: Date = sandbox.clock.now(),
): Promise<number> {
  const url = new URL(target.url);
  const headers = signRequest(
    { method: 'POST', url, headers: {}, body },
    credentials,
    { region: TEST_REGION, service: 'lambda' },
    now,
  );
  return (await fetch(url, { method: 'POST', headers, body })).status;
}

/** Sends a POST as it is, headers and all. */
async function send(request: Request) {
  const answer = await fetch(new URL(request.path ?? '/', functionUrl.url), {
    method: 'POST',
    headers: request.headers ?? {},
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return { status: answer.status, headers: answer.headers, body: await answer.text() };
}

describe('the local function URL', () => {
  it('delivers a request signed by the AWS SDK as a function URL event with the IAM caller', async () => {
    const credentials = await sessionCredentials();
    const body = '{"parameterName":"/license-tokens/acme/prod","token":"x"}';
    const url = new URL('/some/path?b=2&a=1', functionUrl.url);
    const request = await new SignatureV4({
      credentials,
      region: TEST_REGION,
      service: 'lambda',
      sha256: Sha256,
    }).sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: { b: '2', a: '1' },
      headers: { host: url.host, 'content-type': 'application/json', 'X-Custom': 'Yes' },
      body,
    });
    const answer = await send({
      path: '/some/path?b=2&a=1',
      headers: { ...request.headers, cookie: 'one=1; two=2' },
      body,
    });

    expect(answer).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(answer.headers.get('content-type')).toBe('application/json');
    const [event] = events;
    const session = sandbox.sts.issued()[0];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/some/path',
      rawQueryString: 'b=2&a=1',
      queryStringParameters: { a: '1', b: '2' },
      cookies: ['one=1', 'two=2'],
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '123456789012',
        routeKey: '$default',
        stage: '$default',
        http: { method: 'POST', path: '/some/path', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        timeEpoch: sandbox.clock.nowMs(),
        authorizer: {
          iam: {
            accessKey: credentials.accessKeyId,
            accountId: '123456789012',
            callerId: expect.stringMatching(/^AROA[A-Z2-7]{17}:host-\d+$/),
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: `arn:aws:sts::123456789012:assumed-role/LicenseConsumer/${session?.roleSessionName}`,
          },
        },
      },
    });
    expect(event?.requestContext.domainName).toBe(
      `${event?.requestContext.apiId}.lambda-url.us-east-1.on.aws`,
    );
    expect(event?.requestContext.time).toMatch(
      /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/,
    );
    expect(event?.headers['x-custom']).toBe('Yes');
    expect(event?.headers).not.toHaveProperty('cookie');
  });

  it('hands a body of a non-text content type over base64-encoded, as a function URL does', async () => {
    const credentials = await sessionCredentials();
    const request = { headers: { 'content-type': 'application/octet-stream' }, body: 'bytes' };

    await send({ ...request, headers: signed(credentials, request) });

    expect(events.map((e) => [e.isBase64Encoded, e.body])).toEqual([
      [true, Buffer.from('bytes').toString('base64')],
    ]);
  });

  it('turns what the function returns into the answer: structured, base64, cookies, or a string', async () => {
    const credentials = await sessionCredentials();
    const call = () => send({ headers: signed(credentials) });

    result = {
      statusCode: 418,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 3 },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('teapot').toString('base64'),
      isBase64Encoded: true,
    };
    const structured = await call();
    result = 'just text';
    const text = await call();

    expect(structured).toMatchObject({ status: 418, body: 'teapot' });
    expect(structured.headers.get('content-type')).toBe('text/plain');
    expect(structured.headers.get('x-count')).toBe('3');
    expect(structured.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(text).toMatchObject({ status: 200, body: 'just text' });
    expect(text.headers.get('content-type')).toBe('application/json');
    expect(functionUrl.requests()).toEqual([{ status: 418 }, { status: 200 }]);
  });

  it('holds request dates to the signing clock it is given, not to the moved sandbox clock', async () => {
    const hostNow = sandbox.clock.now();
    sandbox.clock.advance(72 * HOUR_MS);
    // Issued on the moved clock: they are good for an hour from there.
    const credentials = await sessionCredentials();
    const held = await startFunctionUrl({
      sandbox,
      region: TEST_REGION,
      signingClock: () => hostNow.getTime(),
      handler: async () => ({ statusCode: 204 }),
    });
    try {
      const statuses = [
        await statusOf(held, credentials, '', hostNow),
        await statusOf(held, credentials, '', sandbox.clock.now()),
      ];

      expect(statuses).toEqual([204, 403]);
      expect(held.requests()).toEqual([
        { status: 204 },
        { status: 403, rejection: Rejection.ClockSkew },
      ]);
    } finally {
      await held.close();
    }
  });

  it("answers Lambda's 502 when the function throws", async () => {
    const credentials = await sessionCredentials();
    const failing = await startFunctionUrl({
      sandbox,
      handler: async () => {
        throw new Error('boom');
      },
    });
    const answer = await fetch(failing.url, {
      method: 'POST',
      headers: signRequest(
        { method: 'POST', url: new URL(failing.url), headers: {}, body: '' },
        credentials,
        { region: TEST_REGION, service: 'lambda' },
        sandbox.clock.now(),
      ),
    });
    await failing.close();

    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual({ Message: 'Internal Server Error' });
  });
});

/** A request that must be refused, built from good credentials. */
type Forgery = (credentials: Required<AwsCredentials>) => Promise<Request> | Request;

const BODY = '{"parameterName":"/license-tokens/acme/prod","token":"x"}';

const FORGERIES: readonly [string, Rejection, Forgery][] = [
  ['no signature at all', Rejection.Unsigned, () => ({ body: BODY })],
  [
    'another scheme',
    Rejection.Malformed,
    () => ({ headers: { authorization: 'Bearer abc' }, body: BODY }),
  ],
  [
    'signed for another service',
    Rejection.Scope,
    (c) => ({
      headers: signed(c, { body: BODY }, { region: TEST_REGION, service: 'execute-api' }),
      body: BODY,
    }),
  ],
  [
    'signed for another region',
    Rejection.Scope,
    (c) => ({
      headers: signed(c, { body: BODY }, { region: 'eu-west-1', service: 'lambda' }),
      body: BODY,
    }),
  ],
  [
    'an X-Amz-Date of another day than the scope',
    Rejection.Date,
    (c) => {
      const headers = signed(c, { body: BODY });
      return { headers: { ...headers, 'x-amz-date': '20200101T000000Z' }, body: BODY };
    },
  ],
  [
    'signed ten minutes ago',
    Rejection.ClockSkew,
    (c) => ({
      headers: signed(
        c,
        { body: BODY },
        undefined,
        new Date(sandbox.clock.nowMs() - 10 * MINUTE_MS),
      ),
      body: BODY,
    }),
  ],
  [
    'a session token sent but not signed',
    Rejection.UnsignedHeader,
    (c) => ({
      headers: {
        ...signed(
          { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
          { body: BODY },
        ),
        'x-amz-security-token': c.sessionToken,
      },
      body: BODY,
    }),
  ],
  [
    'an access key STS never issued',
    Rejection.UnknownKey,
    (c) => ({
      headers: signed({ ...c, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }, { body: BODY }),
      body: BODY,
    }),
  ],
  [
    "another session's token",
    Rejection.SessionToken,
    async (c) => {
      const other = await sessionCredentials();
      return {
        headers: signed({ ...c, sessionToken: other.sessionToken }, { body: BODY }),
        body: BODY,
      };
    },
  ],
  [
    'credentials past their expiry on the sandbox clock',
    Rejection.Expired,
    (c) => {
      sandbox.clock.advance(2 * HOUR_MS);
      return { headers: signed(c, { body: BODY }), body: BODY };
    },
  ],
  [
    'a body changed after signing',
    Rejection.BodyHash,
    (c) => ({ headers: signed(c, { body: BODY }), body: BODY.replace('"x"', '"y"') }),
  ],
  [
    'a body changed after signing, its hash header dropped',
    Rejection.Signature,
    (c) => {
      const { 'x-amz-content-sha256': _, ...headers } = signed(c, { body: BODY });
      return { headers, body: BODY.replace('"x"', '"y"') };
    },
  ],
  [
    'the wrong secret',
    Rejection.Signature,
    (c) => ({
      headers: signed({ ...c, secretAccessKey: 'not-the-secret' }, { body: BODY }),
      body: BODY,
    }),
  ],
  [
    'a signed header changed after signing',
    Rejection.Signature,
    (c) => ({
      headers: { ...signed(c, { body: BODY }), 'content-type': 'text/plain' },
      body: BODY,
    }),
  ],
];

describe('the local function URL refuses, without calling the function,', () => {
  it.each(FORGERIES)('%s', async (_, rejection, forge) => {
    const request = await forge(await sessionCredentials());

    const answer = await send(request);

    expect(answer).toMatchObject({ status: 403, body: '{"Message":"Forbidden"}' });
    expect(answer.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(functionUrl.requests()).toEqual([{ status: 403, rejection }]);
    expect(events).toEqual([]);
  });

  it('a role its policy does not allow, and lets an allowed one through', async () => {
    const restricted = await startFunctionUrl({
      sandbox,
      allowedRoles: [ROLE_ARN],
      handler: async () => ({ statusCode: 204 }),
    });
    const statuses = [
      await statusOf(restricted, await sessionCredentials(OTHER_ROLE), BODY),
      await statusOf(restricted, await sessionCredentials(ROLE_ARN), BODY),
    ];
    const requests = restricted.requests();
    await restricted.close();

    expect(statuses).toEqual([403, 204]);
    expect(requests).toEqual([{ status: 403, rejection: Rejection.Role }, { status: 204 }]);
  });
});
