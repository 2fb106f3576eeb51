import { Readable } from 'node:stream';
import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LicenseManagerIssuer } from '../../../src/aws/license-manager.js';
import { TransientError } from '../../../src/errors.js';
import { fakeToken } from '../../helpers/secrets.js';

const request = {
  licenseArn: 'arn:aws:license-manager::294406891311:license:l-abc',
  roleArns: [],
  tokenProperties: [],
  expirationInDays: 365,
  clientToken: 'ltr1-abc',
};

/** A client whose HTTP layer answers from a script, so the SDK's real retry logic runs. */
function scriptedClient(answers: { status: number; body: object; type?: string }[]) {
  const seen: string[] = [];
  const client = new LicenseManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
    requestHandler: {
      handle: async (httpRequest: { headers: Record<string, string> }) => {
        seen.push(String(httpRequest.headers['x-amz-target']));
        const answer = answers.shift() ?? { status: 500, body: {} };
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
  return { client, seen };
}

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

describe('LicenseManagerIssuer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the SDK retry RateLimitExceededException, which it does not know as throttling', async () => {
    const token = fakeToken();
    const { client, seen } = scriptedClient([
      { status: 400, type: 'RateLimitExceededException', body: { Message: 'slow down' } },
      { status: 200, body: { TokenId: 'tok-1', Token: token, TokenType: 'REFRESH_TOKEN' } },
    ]);
    const result = await settle(new LicenseManagerIssuer(client).createToken(request));
    expect(seen).toEqual(['AWSLicenseManager.CreateToken', 'AWSLicenseManager.CreateToken']);
    if (result.status !== 'fulfilled') throw result.reason;
    expect(result.value.tokenId).toBe('tok-1');
    expect(result.value.token.reveal()).toBe(token);
  });

  it('gives up after the SDK attempts with a TransientError', async () => {
    const limited = {
      status: 400,
      type: 'RateLimitExceededException',
      body: { Message: 'slow down' },
    };
    const { client, seen } = scriptedClient([limited, limited, limited]);
    const result = await settle(new LicenseManagerIssuer(client).createToken(request));
    expect(result.status === 'rejected' && result.reason).toBeInstanceOf(TransientError);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a permanent error', async () => {
    const { client, seen } = scriptedClient([
      { status: 400, type: 'ResourceNotFoundException', body: { Message: 'no such license' } },
    ]);
    await expect(new LicenseManagerIssuer(client).createToken(request)).rejects.toThrow(
      'CreateToken failed (ResourceNotFoundException): no such license',
    );
    expect(seen).toHaveLength(1);
  });

  it('wraps the token so it cannot be printed by accident', async () => {
    const token = fakeToken();
    const { client } = scriptedClient([{ status: 200, body: { TokenId: 'tok-1', Token: token } }]);
    const issued = await new LicenseManagerIssuer(client).createToken(request);
    expect(JSON.stringify(issued)).toBe('{"tokenId":"tok-1","token":"[REDACTED]"}');
  });
});
