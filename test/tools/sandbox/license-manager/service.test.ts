import { beforeEach, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../../tools/sandbox/clock.js';
import type { JsonObject } from '../../../../tools/sandbox/input.js';
import { LicenseManagerService } from '../../../../tools/sandbox/license-manager/service.js';
import { SeededRandom } from '../../../../tools/sandbox/random.js';
import { LICENSE_ARN, ROLE_ARN } from '../../../helpers/factories.js';
import { invoke, refusal } from '../../../helpers/sandbox.js';
import { mintedTokens } from '../../../helpers/secrets.js';

const START = new Date('2026-11-27T12:00:00.000Z');
const DAY = 86_400_000;
const EU_LICENSE =
  'arn:aws:license-manager::294406891311:license:l-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';

const claims = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

describe('the sandbox License Manager', () => {
  let clock: SandboxClock;
  let lm: LicenseManagerService;
  const create = (extra: JsonObject = {}) =>
    invoke(lm, 'CreateToken', {
      LicenseArn: LICENSE_ARN,
      RoleArns: [ROLE_ARN],
      TokenProperties: ['customer:acme'],
      ClientToken: 'ct-1',
      ...extra,
    });

  beforeEach(() => {
    clock = new SandboxClock({ start: START, frozen: true });
    lm = new LicenseManagerService(clock, new SeededRandom(1), {
      defaultRegion: 'us-east-1',
      onSecret: (value) => mintedTokens.add(value),
      redirectLocation: (region) => `https://license-manager.${region}.amazonaws.com`,
    });
    lm.addLicense({ licenseArn: LICENSE_ARN });
    lm.addLicense({ licenseArn: EU_LICENSE, homeRegion: 'eu-west-1' });
  });

  it('mints a signed JWT: aud the license, amr the properties, exp the lifetime, jti the id', async () => {
    const answer = await create({ ExpirationInDays: 30 });
    const token = String(answer.Token);
    expect(answer).toMatchObject({
      TokenType: 'REFRESH_TOKEN',
      TokenId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(claims(token)).toMatchObject({
      aud: LICENSE_ARN,
      amr: ['customer:acme'],
      roles: [ROLE_ARN],
      jti: answer.TokenId,
      exp: (START.getTime() + 30 * DAY) / 1000,
    });
    expect(lm.check(token)).toMatchObject({ ok: true });
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    expect(lm.check(forged)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('replays a ClientToken for ten minutes, then mints anew', async () => {
    const first = await create();
    clock.advance(10 * 60_000 - 1);
    expect(await create()).toEqual(first);
    expect(lm.mintCount('ct-1')).toBe(1);
    clock.advance(1);
    const later = await create();
    expect(later.TokenId).not.toBe(first.TokenId);
    expect(lm.mintCount('ct-1')).toBe(2);
  });

  it('refuses a ClientToken replayed with other parameters', async () => {
    await create();
    expect(
      (
        await refusal(lm, 'CreateToken', {
          LicenseArn: LICENSE_ARN,
          ClientToken: 'ct-1',
          ExpirationInDays: 30,
        })
      ).code,
    ).toBe('ValidationException');
  });

  it('validates the request as the service model does', async () => {
    const code = async (extra: JsonObject) =>
      (await refusal(lm, 'CreateToken', { LicenseArn: LICENSE_ARN, ClientToken: 'c', ...extra }))
        .code;
    expect(await code({ LicenseArn: 'not-an-arn' })).toBe('ValidationException');
    expect(await code({ TokenProperties: ['a', 'b', 'c', 'd'] })).toBe('ValidationException');
    expect(await code({ ClientToken: 'has space' })).toBe('ValidationException');
    expect(await code({ ClientToken: 'x'.repeat(2049) })).toBe('ValidationException');
    expect(await code({ ExpirationInDays: 0 })).toBe('ValidationException');
    expect(await code({ RoleArns: ['role'] })).toBe('ValidationException');
    const missing = await refusal(lm, 'CreateToken', { LicenseArn: LICENSE_ARN });
    expect(missing.message).toBe(
      "1 validation error detected: Value null at 'clientToken' failed to satisfy constraint: Member must not be null",
    );
  });

  it('answers ResourceNotFoundException for an unknown or gone license', async () => {
    const unknown =
      'arn:aws:license-manager::294406891311:license:l-00000000000000000000000000000000';
    expect((await refusal(lm, 'CreateToken', { LicenseArn: unknown, ClientToken: 'c' })).code).toBe(
      'ResourceNotFoundException',
    );
    lm.setLicenseGone(LICENSE_ARN);
    expect(
      (await refusal(lm, 'CreateToken', { LicenseArn: LICENSE_ARN, ClientToken: 'c' })).code,
    ).toBe('ResourceNotFoundException');
  });

  it('redirects token calls to the home region, with the Location the options give', async () => {
    const redirect = await refusal(lm, 'CreateToken', { LicenseArn: EU_LICENSE, ClientToken: 'c' });
    expect(redirect).toMatchObject({
      code: 'RedirectException',
      status: 308,
      fields: { Location: 'https://license-manager.eu-west-1.amazonaws.com' },
    });
    expect(lm.errorResponse(redirect).headers.Location).toBe(
      'https://license-manager.eu-west-1.amazonaws.com',
    );
    const minted = await invoke(
      lm,
      'CreateToken',
      { LicenseArn: EU_LICENSE, ClientToken: 'c' },
      { region: 'eu-west-1' },
    );
    expect((await refusal(lm, 'GetAccessToken', { Token: minted.Token })).code).toBe(
      'RedirectException',
    );
    expect((await refusal(lm, 'DeleteToken', { TokenId: minted.TokenId })).code).toBe(
      'RedirectException',
    );
    // Tokens live in their home region: ListTokens elsewhere does not see them.
    expect((await invoke(lm, 'ListTokens', {})).Tokens).toEqual([]);
    expect((await invoke(lm, 'ListTokens', {}, { region: 'eu-west-1' })).Tokens).toHaveLength(1);
  });

  it('trades a good token for an access token, and refuses expired, deleted or mismatched ones', async () => {
    const { Token, TokenId } = await create({ ExpirationInDays: 1 });
    const access = await invoke(lm, 'GetAccessToken', {
      Token,
      TokenProperties: ['customer:acme'],
    });
    expect(claims(String(access.AccessToken))).toMatchObject({
      aud: LICENSE_ARN,
      rti: TokenId,
      token_use: 'access',
    });
    expect(mintedTokens.has(String(access.AccessToken))).toBe(true);
    expect(
      (await refusal(lm, 'GetAccessToken', { Token, TokenProperties: ['customer:other'] })).code,
    ).toBe('AuthorizationException');
    expect((await refusal(lm, 'GetAccessToken', { Token: 'abc' })).code).toBe(
      'ValidationException',
    );
    clock.advance(DAY);
    expect(await refusal(lm, 'GetAccessToken', { Token })).toMatchObject({
      code: 'AuthorizationException',
      status: 403,
      message: 'The token has expired.',
    });
    const fresh = await create({ ClientToken: 'ct-2' });
    await invoke(lm, 'DeleteToken', { TokenId: fresh.TokenId });
    expect((await refusal(lm, 'GetAccessToken', { Token: fresh.Token })).message).toBe(
      'The token has been deleted.',
    );
  });

  it('lists tokens by id and license with their status and expiry, a page at a time', async () => {
    const ids: unknown[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({ ClientToken: `c-${i}` })).TokenId);
    await invoke(lm, 'DeleteToken', { TokenId: ids[0] });
    const first = await invoke(lm, 'ListTokens', {
      Filters: [{ Name: 'LicenseArns', Values: [LICENSE_ARN] }],
      MaxResults: 3,
    });
    const second = await invoke(lm, 'ListTokens', {
      Filters: [{ Name: 'LicenseArns', Values: [LICENSE_ARN] }],
      MaxResults: 3,
      NextToken: first.NextToken,
    });
    const all = [...(first.Tokens as JsonObject[]), ...(second.Tokens as JsonObject[])];
    expect(all.map((t) => t.TokenId)).toEqual(ids);
    expect(all[0]).toMatchObject({
      Status: 'DELETED',
      ExpirationTime: '2027-11-27T12:00:00.000Z',
      TokenType: 'REFRESH_TOKEN',
    });
    expect(all[1]?.Status).toBe('AVAILABLE');
    expect(second.NextToken).toBeUndefined();
    const byId = await invoke(lm, 'ListTokens', { TokenIds: [ids[2], 'unknown'] });
    expect((byId.Tokens as JsonObject[]).map((t) => t.TokenId)).toEqual([ids[2]]);
    expect(
      (await refusal(lm, 'ListTokens', { Filters: [{ Name: 'Status', Values: ['x'] }] })).code,
    ).toBe('ValidationException');
    expect((await refusal(lm, 'ListTokens', { MaxResults: 101 })).code).toBe('ValidationException');
  });

  it('answers ResourceNotFoundException for deleting an unknown or already deleted token', async () => {
    const { TokenId } = await create();
    await invoke(lm, 'DeleteToken', { TokenId });
    expect((await refusal(lm, 'DeleteToken', { TokenId })).code).toBe('ResourceNotFoundException');
    expect((await refusal(lm, 'DeleteToken', { TokenId: 'nope' })).code).toBe(
      'ResourceNotFoundException',
    );
  });

  it('limits AVAILABLE tokens per license when told to', async () => {
    const limited = new LicenseManagerService(clock, new SeededRandom(1), {
      defaultRegion: 'us-east-1',
      maxActiveTokensPerLicense: 1,
      onSecret: (v) => mintedTokens.add(v),
    });
    limited.addLicense({ licenseArn: LICENSE_ARN });
    const { TokenId } = await invoke(limited, 'CreateToken', {
      LicenseArn: LICENSE_ARN,
      ClientToken: 'a',
    });
    expect(
      (await refusal(limited, 'CreateToken', { LicenseArn: LICENSE_ARN, ClientToken: 'b' })).code,
    ).toBe('ResourceLimitExceededException');
    await invoke(limited, 'DeleteToken', { TokenId });
    expect(
      (await invoke(limited, 'CreateToken', { LicenseArn: LICENSE_ARN, ClientToken: 'b' })).TokenId,
    ).toBeDefined();
  });

  it('answers throttling with RateLimitExceededException (429)', () => {
    expect(lm.faultError({ kind: 'throttle' })).toMatchObject({
      code: 'RateLimitExceededException',
      status: 429,
    });
    expect(lm.faultError({ kind: 'error', code: 'ServerInternalException' })).toMatchObject({
      status: 500,
    });
  });

  it('gives an access token the role ARNs of its refresh token, and verifies it for STS', async () => {
    const { Token } = await create();
    const { AccessToken } = await invoke(lm, 'GetAccessToken', { Token });
    const access = String(AccessToken);
    expect(claims(access)).toMatchObject({ roles: [ROLE_ARN], token_use: 'access' });
    expect(lm.verifyAccessToken(access)).toEqual({
      ok: true,
      claims: {
        iss: 'https://license-manager.us-east-1.amazonaws.com',
        sub: '123456789012',
        aud: LICENSE_ARN,
        roles: [ROLE_ARN],
        exp: (START.getTime() + 3_600_000) / 1000,
      },
    });
    expect(lm.verifyAccessToken(String(Token))).toEqual({ ok: false, reason: 'not-access' });
    expect(lm.verifyAccessToken('abc')).toEqual({ ok: false, reason: 'malformed' });
    clock.advance(3_600_000);
    expect(lm.verifyAccessToken(access)).toEqual({
      ok: false,
      reason: 'expired',
      expiresAt: (START.getTime() + 3_600_000) / 1000,
    });
  });
});
