import { Readable } from 'node:stream';
import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LicenseManagerTokens, regionFromLocation } from '../../../src/aws/license-manager.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { Secret } from '../../../src/rotation/secret.js';
import { fakeToken } from '../../helpers/secrets.js';

const LICENSE = 'arn:aws:license-manager::294406891311:license:l-abc';
const request = {
  licenseArn: LICENSE,
  roleArns: [],
  tokenProperties: [],
  expirationInDays: 365,
  clientToken: 'ltr1-abc',
};

interface Answer {
  status: number;
  body: object;
  type?: string;
}

/**
 * License Manager clients per region whose HTTP layer answers from a script, so the SDK's real
 * serialisation, error parsing and retry logic run. Each request is logged as `region Operation`.
 */
function scripted(
  answers: Record<string, Answer[]>,
  defaultRegion = 'us-east-1',
  bodies: unknown[] = [],
) {
  const seen: string[] = [];
  const clientFor = (region: string | undefined) => {
    const name = region ?? defaultRegion;
    return new LicenseManagerClient({
      region: name,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 3,
      requestHandler: {
        handle: async (httpRequest: { headers: Record<string, string>; body?: unknown }) => {
          seen.push(`${name} ${String(httpRequest.headers['x-amz-target']).split('.')[1]}`);
          const { body } = httpRequest;
          if (body instanceof Uint8Array) bodies.push(JSON.parse(Buffer.from(body).toString()));
          if (typeof body === 'string') bodies.push(JSON.parse(body));
          const answer = answers[name]?.shift() ?? { status: 500, body: {} };
          const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
          if (answer.type) headers['x-amzn-errortype'] = answer.type;
          return {
            response: {
              statusCode: answer.status,
              headers,
              body: Readable.from([Buffer.from(JSON.stringify(answer.body))]),
            },
          };
        },
      },
    });
  };
  return { tokens: new LicenseManagerTokens(clientFor), seen, clientFor };
}

const ok = (body: object): Answer => ({ status: 200, body });
const error = (type: string, body: object = { Message: type }): Answer => ({
  status: 400,
  type,
  body,
});
const minted = (): Answer =>
  ok({ TokenId: 'tok-1', Token: fakeToken(), TokenType: 'REFRESH_TOKEN' });

/** Runs a call while fast-forwarding the SDK's backoff timers. */
async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  let settled = false;
  const outcome = Promise.allSettled([promise]).finally(() => {
    settled = true;
  });
  // The backoff timer is only scheduled once the response is read, so keep moving the clock.
  while (!settled) await vi.advanceTimersByTimeAsync(250);
  const [result] = await outcome;
  if (result === undefined) throw new Error('no result');
  return result;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('LicenseManagerTokens.createToken', () => {
  it('lets the SDK retry RateLimitExceededException, which it does not know as throttling', async () => {
    const { tokens, seen } = scripted({
      'us-east-1': [error('RateLimitExceededException'), minted()],
    });
    const result = await settle(tokens.createToken(request));
    expect(seen).toEqual(['us-east-1 CreateToken', 'us-east-1 CreateToken']);
    expect(result.status === 'fulfilled' && result.value.tokenId).toBe('tok-1');
  });

  it('backs off as for throttling before that retry, not as for a passing fault', async () => {
    // The SDK's delay is random up to a base; pinned to half of it: 500 ms when throttled.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { tokens, seen } = scripted({
      'us-east-1': [error('RateLimitExceededException'), minted()],
    });
    const created = tokens.createToken(request);
    await vi.advanceTimersByTimeAsync(400);
    expect(seen).toEqual(['us-east-1 CreateToken']);
    await vi.advanceTimersByTimeAsync(200);
    expect(seen).toEqual(['us-east-1 CreateToken', 'us-east-1 CreateToken']);
    await expect(created).resolves.toMatchObject({ tokenId: 'tok-1' });
  });

  it('gives up after the SDK attempts with a TransientError', async () => {
    const limited = error('RateLimitExceededException');
    const { tokens, seen } = scripted({ 'us-east-1': [limited, limited, limited] });
    const result = await settle(tokens.createToken(request));
    expect(result.status === 'rejected' && result.reason).toBeInstanceOf(TransientError);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a permanent error', async () => {
    const { tokens, seen } = scripted({
      'us-east-1': [error('ResourceNotFoundException', { Message: 'no such license' })],
    });
    await expect(tokens.createToken(request)).rejects.toThrow(
      'CreateToken failed (ResourceNotFoundException): no such license',
    );
    expect(seen).toHaveLength(1);
  });

  it('wraps the token so it cannot be printed by accident', async () => {
    const { tokens } = scripted({ 'us-east-1': [minted()] });
    expect(JSON.stringify(await tokens.createToken(request))).toBe(
      '{"tokenId":"tok-1","token":"[REDACTED]"}',
    );
  });

  it('goes straight to the home region a record names, and reports no redirect', async () => {
    const { tokens, seen } = scripted({ 'eu-west-1': [minted()] });
    const issued = await tokens.createToken({ ...request, homeRegion: 'eu-west-1' });
    expect(seen).toEqual(['eu-west-1 CreateToken']);
    expect(issued).not.toHaveProperty('redirectedTo');
  });

  it.each([
    ['no TokenId', { Token: 'x' }],
    ['no Token', { TokenId: 'tok-1' }],
  ])('asks again (TransientError) when the answer has %s', async (_, body) => {
    const { tokens } = scripted({ 'us-east-1': [ok(body)] });
    await expect(tokens.createToken(request)).rejects.toMatchObject({
      name: 'TransientError',
      operation: 'CreateToken',
      code: 'IncompleteResponse',
      message: 'CreateToken failed (IncompleteResponse): the response has no TokenId or Token',
    });
  });
});

describe('LicenseManagerTokens: RedirectException', () => {
  it('follows the Location once, says so, and remembers it for the license', async () => {
    const { tokens, seen } = scripted({
      'us-east-1': [error('RedirectException', { Location: 'us-west-2', Message: 'wrong region' })],
      'us-west-2': [minted(), ok({ AccessToken: fakeToken() }), ok({})],
    });
    const issued = await tokens.createToken(request);
    expect(issued.redirectedTo).toBe('us-west-2');
    await tokens.verifyToken(issued.token, [], { licenseArn: LICENSE });
    await tokens.deleteToken('tok-0', { licenseArn: LICENSE });
    expect(seen).toEqual([
      'us-east-1 CreateToken',
      'us-west-2 CreateToken',
      'us-west-2 GetAccessToken',
      'us-west-2 DeleteToken',
    ]);
  });

  it('reports the remembered home region on later calls too, so every record can name it', async () => {
    const { tokens, seen } = scripted({
      'us-east-1': [error('RedirectException', { Location: 'us-west-2' })],
      'us-west-2': [minted(), minted()],
    });
    await tokens.createToken(request);
    const second = await tokens.createToken({ ...request, clientToken: 'another-generation' });
    expect(second.redirectedTo).toBe('us-west-2');
    expect(seen).toEqual([
      'us-east-1 CreateToken',
      'us-west-2 CreateToken',
      'us-west-2 CreateToken',
    ]);
  });

  it('refuses to follow a second redirect', async () => {
    const { tokens, seen } = scripted({
      'us-east-1': [error('RedirectException', { Location: 'us-west-2' })],
      'us-west-2': [error('RedirectException', { Location: 'eu-west-1' })],
    });
    const failure = tokens.createToken(request);
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({ code: 'RedirectException' });
    expect(seen).toEqual(['us-east-1 CreateToken', 'us-west-2 CreateToken']);
  });

  it('fails for good, asking nowhere else, on a redirect it cannot read from a home region', async () => {
    const { tokens, seen } = scripted({
      'eu-west-1': [error('RedirectException', { Location: 'somewhere else' })],
      'us-east-1': [minted()],
    });
    await expect(tokens.createToken({ ...request, homeRegion: 'eu-west-1' })).rejects.toMatchObject(
      { name: 'PermanentError', code: 'RedirectException' },
    );
    expect(seen).toEqual(['eu-west-1 CreateToken']);
  });

  it('fails for good on a redirect to the home region it just asked', async () => {
    const { tokens, seen } = scripted({
      'eu-west-1': [error('RedirectException', { Location: 'eu-west-1' }), minted()],
    });
    await expect(tokens.createToken({ ...request, homeRegion: 'eu-west-1' })).rejects.toMatchObject(
      { name: 'PermanentError', code: 'RedirectException' },
    );
    expect(seen).toEqual(['eu-west-1 CreateToken']);
  });

  it('fails for good on a redirect it cannot read', async () => {
    const { tokens } = scripted({
      'us-east-1': [error('RedirectException', { Location: 'somewhere else' })],
    });
    await expect(tokens.createToken(request)).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'RedirectException',
    });
  });
});

describe('LicenseManagerTokens: clients per region', () => {
  it('builds one client per region on first use and reuses it', async () => {
    const built: (string | undefined)[] = [];
    const { clientFor, seen } = scripted({
      'us-east-1': [ok({ Tokens: [] }), ok({ Tokens: [] })],
      'eu-west-1': [minted(), minted()],
      'us-west-2': [minted()],
    });
    const tokens = new LicenseManagerTokens((region) => {
      built.push(region);
      return clientFor(region);
    });
    await tokens.describeTokens(['a']);
    await tokens.createToken({ ...request, homeRegion: 'eu-west-1' });
    await tokens.createToken({ ...request, homeRegion: 'us-west-2' });
    await tokens.createToken({ ...request, homeRegion: 'eu-west-1' });
    await tokens.describeTokens(['a']);
    expect(built).toEqual([undefined, 'eu-west-1', 'us-west-2']);
    expect(seen).toEqual([
      'us-east-1 ListTokens',
      'eu-west-1 CreateToken',
      'us-west-2 CreateToken',
      'eu-west-1 CreateToken',
      'us-east-1 ListTokens',
    ]);
  });

  it('serves every region from one client when given a single client', async () => {
    const client = new LicenseManagerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async () => ({
          response: {
            statusCode: 200,
            headers: {},
            body: Readable.from([Buffer.from('{"Tokens":[]}')]),
          },
        }),
      },
    });
    const tokens = new LicenseManagerTokens(client);
    await expect(tokens.describeTokens(['a'])).resolves.toEqual(new Map());
    await expect(tokens.describeTokens(['a'], 'eu-west-1')).resolves.toEqual(new Map());
  });
});

describe('regionFromLocation', () => {
  it.each([
    ['us-west-2', 'us-west-2'],
    ['https://license-manager.eu-central-1.amazonaws.com', 'eu-central-1'],
    ['https://license-manager.us-gov-west-1.amazonaws.com/', 'us-gov-west-1'],
    [' eu-west-1\n', 'eu-west-1'],
    ['https://license-manager.xx-east-12.example', 'xx-east-12'],
    ['not a region', undefined],
    [undefined, undefined],
  ])('reads %s as %s', (location, region) => {
    expect(regionFromLocation(location)).toBe(region);
  });
});

describe('LicenseManagerTokens.verifyToken', () => {
  it.each(['ValidationException', 'AuthorizationException'])(
    'reports %s as a rejected token',
    async (type) => {
      const { tokens } = scripted({ 'us-east-1': [error(type)] });
      await expect(
        tokens.verifyToken(new Secret(fakeToken()), [], { licenseArn: LICENSE }),
      ).rejects.toMatchObject({
        name: 'PermanentError',
        code: 'TokenRejected',
      });
    },
  );

  it('names GetAccessToken and keeps the reason when it reports a rejection', async () => {
    const { tokens } = scripted({
      'us-east-1': [error('ValidationException', { Message: 'token is malformed' })],
    });
    await expect(
      tokens.verifyToken(new Secret(fakeToken()), [], { licenseArn: LICENSE }),
    ).rejects.toMatchObject({
      operation: 'GetAccessToken',
      message:
        'GetAccessToken failed (TokenRejected): GetAccessToken failed (ValidationException): token is malformed',
    });
  });

  it('leaves a failure that says nothing about the token as it is', async () => {
    const { tokens } = scripted({
      'us-east-1': [error('ResourceNotFoundException', { Message: 'no such license' })],
    });
    await expect(
      tokens.verifyToken(new Secret(fakeToken()), [], { licenseArn: LICENSE }),
    ).rejects.toMatchObject({ name: 'PermanentError', code: 'ResourceNotFoundException' });
  });

  it('reports a fault that outlasts the SDK retries as transient, not as a rejection', async () => {
    const fault = { status: 500, type: 'ServerInternalException', body: {} };
    const { tokens } = scripted({ 'us-east-1': [fault, fault, fault] });
    const result = await settle(
      tokens.verifyToken(new Secret(fakeToken()), [], { licenseArn: LICENSE }),
    );
    expect(result.status === 'rejected' && result.reason).toMatchObject({
      name: 'TransientError',
      code: 'ServerInternalException',
    });
  });

  it('reports AccessDeniedException as a permission problem, not as a rejected token', async () => {
    const { tokens } = scripted({ 'us-east-1': [error('AccessDeniedException')] });
    await expect(
      tokens.verifyToken(new Secret(fakeToken()), [], { licenseArn: LICENSE }),
    ).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'AccessDeniedException',
      message: expect.stringContaining('IAM policy or an SCP'),
    });
  });

  it('sends the token and its properties', async () => {
    const token = fakeToken();
    const bodies: unknown[] = [];
    const client = new LicenseManagerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async (httpRequest: { body: string }) => {
          bodies.push(JSON.parse(httpRequest.body));
          return {
            response: {
              statusCode: 200,
              headers: {},
              body: Readable.from([Buffer.from('{"AccessToken":"x"}')]),
            },
          };
        },
      },
    });
    await new LicenseManagerTokens(client).verifyToken(new Secret(token), ['customer:acme'], {
      licenseArn: LICENSE,
    });
    expect(bodies).toEqual([{ Token: token, TokenProperties: ['customer:acme'] }]);
  });
});

describe('LicenseManagerTokens.deleteToken', () => {
  it('reports a token that is already gone as already revoked', async () => {
    const { tokens } = scripted({ 'us-east-1': [error('ResourceNotFoundException')] });
    await expect(tokens.deleteToken('tok-1', { licenseArn: LICENSE })).resolves.toBe(
      'already-revoked',
    );
  });

  it('reports a deletion', async () => {
    const { tokens } = scripted({ 'us-east-1': [ok({})] });
    await expect(tokens.deleteToken('tok-1', { licenseArn: LICENSE })).resolves.toBe('revoked');
  });
});

describe('LicenseManagerTokens.describeTokens', () => {
  it('pages through ListTokens by id, in the home region, and describes each token', async () => {
    const { tokens, seen } = scripted({
      'eu-west-1': [
        ok({
          Tokens: [
            {
              TokenId: 'a',
              LicenseArn: LICENSE,
              Status: 'AVAILABLE',
              RoleArns: ['arn:aws:iam::123456789012:role/R'],
              TokenProperties: ['p'],
              ExpirationTime: '2027-11-27T12:00:00.000Z',
            },
            { TokenId: 'b', LicenseArn: LICENSE, Status: 'DELETED' },
          ],
          NextToken: 'n',
        }),
        ok({ Tokens: [{ TokenId: 'c', LicenseArn: LICENSE, ExpirationTime: 'whenever' }] }),
      ],
    });
    const found = await tokens.describeTokens(['a', 'b', 'c', 'd'], 'eu-west-1');
    expect([...found.keys()]).toEqual(['a', 'b', 'c']);
    expect(found.get('a')).toEqual({
      tokenId: 'a',
      licenseArn: LICENSE,
      status: 'AVAILABLE',
      roleArns: ['arn:aws:iam::123456789012:role/R'],
      tokenProperties: ['p'],
      expiresAt: new Date('2027-11-27T12:00:00.000Z'),
    });
    expect(found.get('c')).toMatchObject({ status: 'UNKNOWN', expiresAt: undefined });
    expect(seen).toEqual(['eu-west-1 ListTokens', 'eu-west-1 ListTokens']);
  });

  it('stops at an empty NextToken and reads a page without Tokens as none', async () => {
    const { tokens, seen } = scripted({
      'us-east-1': [ok({ NextToken: 'n' }), ok({ Tokens: [], NextToken: '' }), minted()],
    });
    await expect(tokens.describeTokens(['a'])).resolves.toEqual(new Map());
    expect(seen).toEqual(['us-east-1 ListTokens', 'us-east-1 ListTokens']);
  });

  it('asks nothing for no ids', async () => {
    const { tokens, seen } = scripted({});
    await expect(tokens.describeTokens([])).resolves.toEqual(new Map());
    expect(seen).toEqual([]);
  });
});

describe('LicenseManagerTokens.licenseTokens', () => {
  it('lists one license with a LicenseArns filter, page by page', async () => {
    const bodies: unknown[] = [];
    const { tokens } = scripted(
      {
        'us-east-1': [
          ok({
            Tokens: [{ TokenId: 'a', LicenseArn: LICENSE, Status: 'AVAILABLE' }],
            NextToken: 'n',
          }),
          ok({ Tokens: [{ TokenId: 'b', LicenseArn: LICENSE, Status: 'AVAILABLE' }] }),
        ],
      },
      'us-east-1',
      bodies,
    );
    const pages: string[][] = [];
    for await (const page of tokens.licenseTokens(LICENSE)) pages.push(page.map((t) => t.tokenId));
    expect(pages).toEqual([['a'], ['b']]);
    expect(bodies[0]).toMatchObject({ Filters: [{ Name: 'LicenseArns', Values: [LICENSE] }] });
  });
});
