import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError, TransientError, UsageError } from '../../../src/agent/errors.js';
import { callExchange, parseExchangeReply } from '../../../src/agent/exchange.js';
import { getAccessToken } from '../../../src/agent/license-manager.js';
import { assumeRoleWithWebIdentity } from '../../../src/agent/sts.js';
import { thrown } from '../../helpers/thrown.js';

/** One canned answer, and what the last request looked like. */
interface Canned {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let server: Server;
let endpoint: URL;
let answer: Canned;
let received: { headers: IncomingHttpHeaders; body: string } | undefined;

beforeEach(async () => {
  answer = { status: 200, headers: {}, body: '' };
  received = undefined;
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received = { headers: request.headers, body };
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const accessToken = () =>
  getAccessToken({ endpoint, token: 'refresh-token', tokenProperties: ['p'] });

describe('GetAccessToken', () => {
  it('sends the token unsigned, as JSON 1.1 with its target, and returns the access token', async () => {
    answer = { status: 200, headers: {}, body: '{"AccessToken":"access-token"}' };
    expect(await accessToken()).toBe('access-token');
    expect(received?.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSLicenseManager.GetAccessToken',
    });
    expect(received?.headers).not.toHaveProperty('authorization');
    expect(JSON.parse(received?.body ?? '')).toEqual({
      Token: 'refresh-token',
      TokenProperties: ['p'],
    });
  });

  it.each([
    [
      400,
      { 'x-amzn-ErrorType': 'RateLimitExceededException:http://internal' },
      '{}',
      TransientError,
      'GetAccessToken failed (RateLimitExceededException)',
    ],
    [
      500,
      {},
      '{"__type":"ServerInternalException","message":"oops"}',
      TransientError,
      'GetAccessToken failed (ServerInternalException): oops',
    ],
    [502, {}, '<html>bad gateway</html>', TransientError, 'GetAccessToken failed (HTTP 502)'],
    [
      400,
      {},
      '{"__type":"com.amazonaws.licensemanager#AuthorizationException","Message":"The token has expired."}',
      RefusedError,
      'License Manager refused the token: GetAccessToken failed (AuthorizationException): The token has expired.',
    ],
    [
      400,
      { location: 'eu-central-1' },
      '{"__type":"RedirectException","message":"Wrong region"}',
      UsageError,
      "GetAccessToken failed (RedirectException): Wrong region: the license's home region is eu-central-1; pass it as --region",
    ],
    [200, {}, '{}', TransientError, 'GetAccessToken answered 200 without an access token'],
  ])('answers %d %j %s with the right failure', async (status, headers, body, kind, message) => {
    answer = { status, headers, body };
    const error = await thrown(accessToken());
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toBe(message);
  });
});

const STS_OK = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret/key+</SecretAccessKey>
      <SessionToken>session&amp;token</SessionToken>
      <Expiration>2026-11-27T13:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`;

const stsError = (code: string, message: string) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

const assume = () =>
  assumeRoleWithWebIdentity({
    endpoint,
    roleArn: 'arn:aws:iam::123456789012:role/LicenseConsumer',
    sessionName: 'license-token-agent-host',
    webIdentityToken: 'access token',
    durationSeconds: 900,
  });

describe('AssumeRoleWithWebIdentity', () => {
  it('sends an unsigned awsQuery form and reads the credentials from the XML', async () => {
    answer = { status: 200, headers: { 'content-type': 'text/xml' }, body: STS_OK };
    expect(await assume()).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret/key+',
      sessionToken: 'session&token',
      expiration: new Date('2026-11-27T13:00:00Z'),
    });
    expect(received?.headers['content-type']).toBe(
      'application/x-www-form-urlencoded; charset=utf-8',
    );
    expect(received?.headers).not.toHaveProperty('authorization');
    expect(Object.fromEntries(new URLSearchParams(received?.body))).toEqual({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/LicenseConsumer',
      RoleSessionName: 'license-token-agent-host',
      WebIdentityToken: 'access token',
      DurationSeconds: '900',
    });
  });

  it.each([
    [
      400,
      stsError('Throttling', 'Rate exceeded'),
      TransientError,
      'AssumeRoleWithWebIdentity failed (Throttling): Rate exceeded',
    ],
    [
      503,
      '<html>Service Unavailable</html>',
      TransientError,
      'AssumeRoleWithWebIdentity failed (HTTP 503)',
    ],
    [
      403,
      stsError('AccessDenied', 'Not authorized'),
      UsageError,
      'AssumeRoleWithWebIdentity failed (AccessDenied): Not authorized: check --role-arn names a role the token allows',
    ],
    [
      400,
      stsError('InvalidIdentityToken', 'Bad token'),
      RefusedError,
      "STS refused the token's access token: AssumeRoleWithWebIdentity failed (InvalidIdentityToken): Bad token",
    ],
    [
      200,
      '<AssumeRoleWithWebIdentityResponse/>',
      TransientError,
      'AssumeRoleWithWebIdentity answered 200 without credentials',
    ],
    [
      200,
      STS_OK.replace('2026-11-27T13:00:00Z', 'soon'),
      TransientError,
      'AssumeRoleWithWebIdentity answered 200 without credentials',
    ],
  ])('answers %d %s with the right failure', async (status, body, kind, message) => {
    answer = { status, headers: {}, body };
    const error = await thrown(assume());
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toBe(message);
  });
});

const REPLY = {
  v: 1,
  parameterName: '/license-tokens/acme/prod',
  version: 7,
  tokenId: '9ac2e0',
  expiresAt: '2027-11-27T11:50:00.000Z',
  token: 'eyJ.new.token',
};

const exchange = () =>
  callExchange({
    target: { parameter: REPLY.parameterName, url: endpoint, region: 'eu-west-1' },
    token: 'eyJ.old.token',
    credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's', sessionToken: 't' },
    now: new Date('2026-11-27T12:00:00Z'),
  });

describe('the exchange call', () => {
  it('signs a JSON POST for lambda in the function region and reads the reply', async () => {
    answer = { status: 200, headers: {}, body: JSON.stringify(REPLY) };
    expect(await exchange()).toEqual({
      parameterName: REPLY.parameterName,
      version: 7,
      tokenId: '9ac2e0',
      expiresAt: new Date(REPLY.expiresAt),
      token: 'eyJ.new.token',
    });
    expect(JSON.parse(received?.body ?? '')).toEqual({
      parameterName: REPLY.parameterName,
      token: 'eyJ.old.token',
    });
    expect(received?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-amz-date': '20261127T120000Z',
      'x-amz-security-token': 't',
      authorization: expect.stringMatching(
        /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20261127\/eu-west-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=/,
      ),
    });
  });

  it.each([
    [
      403,
      '{"message":"refused"}',
      RefusedError,
      'the exchange refused the token for /license-tokens/acme/prod',
    ],
    [
      403,
      '{"Message":"Forbidden"}',
      UsageError,
      'the function URL refused the signed request (403 {"Message":"Forbidden"}): check --exchange-url, that --role-arn may invoke it, and this host\'s clock',
    ],
    [429, '{"Message":"Too Many Requests"}', TransientError, 'the exchange answered HTTP 429'],
    [502, 'Internal Server Error', TransientError, 'the exchange answered HTTP 502'],
    [
      200,
      '{"v":2}',
      TransientError,
      'the exchange answered 200 with an unusable body (v is not 1)',
    ],
  ])('answers %d %s with the right failure', async (status, body, kind, message) => {
    answer = { status, headers: {}, body };
    const error = await thrown(exchange());
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toBe(message);
  });

  it('is a transient failure when nothing answers', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    endpoint = new URL(`http://127.0.0.1:${(probe.address() as AddressInfo).port}/`);
    await new Promise((resolve) => probe.close(resolve)); // the port now refuses

    const error = await thrown(exchange());

    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe(`the exchange call failed (ECONNREFUSED) at ${endpoint.host}`);
  });

  it.each([
    ['not JSON', 'nope', 'not a JSON object'],
    ['another parameter', { ...REPLY, parameterName: '/other' }, 'another parameter'],
    ['a version of 0', { ...REPLY, version: 0 }, 'version'],
    ['a fractional version', { ...REPLY, version: 1.5 }, 'version'],
    ['no tokenId', { ...REPLY, tokenId: '' }, 'tokenId'],
    ['an expiry that is not a UTC timestamp', { ...REPLY, expiresAt: 'tomorrow' }, 'expiresAt'],
    ['an empty token', { ...REPLY, token: '' }, 'token'],
    ['a token with a space', { ...REPLY, token: 'a b' }, 'token'],
  ])('refuses a 200 reply with %s', (_, reply, why) => {
    const body = typeof reply === 'string' ? reply : JSON.stringify(reply);
    expect(() => parseExchangeReply(body, REPLY.parameterName)).toThrow(
      `the exchange answered 200 with an unusable body (${why})`,
    );
  });
});
