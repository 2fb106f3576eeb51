import { CreateTokenCommand, GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../../src/time.js';
import { ACCESS_TOKEN_LIFETIME_MS } from '../../../../tools/sandbox/license-manager/access-token.js';
import type { Sandbox } from '../../../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, ROLE_ARN } from '../../../helpers/factories.js';
import { clientsFor, startTestSandbox } from '../../../helpers/sandbox.js';
import { fakeJwt } from '../../../helpers/secrets.js';
import { thrown } from '../../../helpers/thrown.js';

const OTHER_ROLE = 'arn:aws:iam::123456789012:role/SomeoneElse';

describe('the sandbox STS', () => {
  let sandbox: Sandbox;
  // No credentials at all: AssumeRoleWithWebIdentity goes unsigned, as from a host outside AWS.
  const sts = () =>
    new STSClient({ endpoint: sandbox.endpoint, region: 'us-east-1', maxAttempts: 1 });
  const assume = (
    WebIdentityToken: string,
    extra: { RoleArn?: string; DurationSeconds?: number } = {},
  ) =>
    sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: 'host-1',
        WebIdentityToken,
        ...extra,
      }),
    );
  const refreshToken = async (ClientToken = 'sts-1') =>
    (
      await clientsFor(sandbox).licenseManager.send(
        new CreateTokenCommand({ LicenseArn: LICENSE_ARN, RoleArns: [ROLE_ARN], ClientToken }),
      )
    ).Token ?? '';
  const accessToken = async () =>
    (
      await clientsFor(sandbox).licenseManager.send(
        new GetAccessTokenCommand({ Token: await refreshToken() }),
      )
    ).AccessToken ?? '';

  beforeEach(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(() => sandbox.close());

  it('trades an access token for role credentials of the role it names, and keeps them', async () => {
    const now = sandbox.clock.nowMs();
    const answer = await assume(await accessToken(), { DurationSeconds: 900 });
    const credentials = answer.Credentials;
    expect(credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials?.Expiration?.getTime()).toBe(Math.floor(now / 1000 + 900) * 1000);
    expect(answer.AssumedRoleUser).toEqual({
      Arn: 'arn:aws:sts::123456789012:assumed-role/LicenseConsumer/host-1',
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:host-1$/),
    });
    expect(answer).toMatchObject({
      SubjectFromWebIdentityToken: '123456789012',
      Audience: LICENSE_ARN,
      Provider: 'https://license-manager.us-east-1.amazonaws.com',
    });
    expect(sandbox.sts.credentials(credentials?.AccessKeyId ?? '')).toEqual({
      secretAccessKey: credentials?.SecretAccessKey,
      sessionToken: credentials?.SessionToken,
      roleArn: ROLE_ARN,
      licenseArn: LICENSE_ARN,
      expiresAt: credentials?.Expiration,
    });
    expect(sandbox.sts.credentials('ASIAUNKNOWNKEY00000')).toBeUndefined();
    expect(sandbox.calls('AssumeRoleWithWebIdentity')).toMatchObject([
      { service: 'sts', region: 'us-east-1', status: 200 },
    ]);
  });

  it('lasts an hour by default and refuses a duration outside 900 to 43200 seconds', async () => {
    const token = await accessToken();
    const now = sandbox.clock.nowMs();
    expect((await assume(token)).Credentials?.Expiration?.getTime()).toBe(
      Math.floor((now + HOUR_MS) / 1000) * 1000,
    );
    for (const DurationSeconds of [899, 43_201]) {
      const error = await thrown(assume(token, { DurationSeconds }));
      expect(error.name).toBe('ValidationError');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
    expect((await assume(token, { DurationSeconds: 43_200 })).Credentials).toBeDefined();
  });

  it('refuses a refresh token, a token it did not sign, and garbage as InvalidIdentityToken', async () => {
    const refresh = await refreshToken('sts-refresh');
    for (const token of [refresh, fakeJwt({ token_use: 'access', roles: [ROLE_ARN] }), 'garbage']) {
      const error = await thrown(assume(token));
      expect(error.name).toBe('InvalidIdentityTokenException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).not.toContain(token);
    }
    expect(sandbox.sts.issued()).toEqual([]);
  });

  it('refuses an expired access token as ExpiredTokenException', async () => {
    const token = await accessToken();
    sandbox.clock.advance(ACCESS_TOKEN_LIFETIME_MS);
    const error = await thrown(assume(token));
    expect(error.name).toBe('ExpiredTokenException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a role the token does not name as AccessDenied (403)', async () => {
    const error = await thrown(assume(await accessToken(), { RoleArn: OTHER_ROLE }));
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
  });

  it('checks the session name and reports a missing member as ValidationError', async () => {
    const token = await accessToken();
    const bad = await thrown(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'has space',
          WebIdentityToken: token,
        }),
      ),
    );
    expect(bad.name).toBe('ValidationError');
    const response = await fetch(sandbox.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=s&WebIdentityToken=abcd',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>ValidationError<\/Code><Message>1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('answers an action or version it does not serve as InvalidAction', async () => {
    const response = await fetch(sandbox.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('turns injected faults into the errors the SDK reports', async () => {
    const token = await accessToken();
    sandbox.faults.throttle('sts:AssumeRoleWithWebIdentity', 1);
    const throttled = await thrown(assume(token));
    expect(throttled.name).toBe('Throttling');
    sandbox.faults.clear();
    sandbox.faults.failNext('sts:*', 1, 'InternalFailure', 'after');
    const lost = await thrown(assume(token));
    expect(lost.$metadata?.httpStatusCode).toBe(500);
    // The credentials were issued although the answer was lost.
    expect(sandbox.sts.issued()).toHaveLength(1);
  });

  it('reports every secret key and session token it issues for the leak check', async () => {
    const seen: string[] = [];
    await sandbox.close();
    sandbox = await startTestSandbox({ onSecret: (value) => seen.push(value) });
    const { Credentials } = await assume(await accessToken());
    expect(seen).toEqual(
      expect.arrayContaining([Credentials?.SecretAccessKey, Credentials?.SessionToken]),
    );
    expect(sandbox.sts.isSecret(Credentials?.SessionToken ?? '')).toBe(true);
  });
});
