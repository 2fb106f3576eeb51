import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTokenCommand, GetAccessTokenCommand } from '@aws-sdk/client-license-manager';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../../tools/sandbox/credentials.js';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { LICENSE_ARN, ROLE_ARN } from '../../helpers/factories.js';
import { clientsFor, startTestSandbox } from '../../helpers/sandbox.js';
import { thrown } from '../../helpers/thrown.js';

const EU_LICENSE =
  'arn:aws:license-manager::294406891311:license:l-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';

describe('the sandbox server', () => {
  let sandbox: Sandbox;
  const post = (target: string | undefined, body: string, path = '/') =>
    fetch(`${sandbox.endpoint}${path}`, {
      method: 'POST',
      headers:
        target === undefined
          ? {}
          : { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
      body,
    });
  const admin = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${sandbox.endpoint}/_sandbox/${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  // A fresh sandbox per test: no test reads what another left behind.
  beforeEach(async () => {
    sandbox = await startTestSandbox({
      licenses: [{ licenseArn: LICENSE_ARN }, { licenseArn: EU_LICENSE, homeRegion: 'eu-west-1' }],
    });
  });
  afterEach(() => sandbox.close());

  it('answers an unknown target or a body that is not JSON as AWS does', async () => {
    const unknown = await post('AmazonSSM.Frobnicate', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      __type: 'com.amazon.coral.service#UnknownOperationException',
    });
    const garbled = await post('AmazonSSM.GetParameter', '{not json');
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ __type: 'SerializationException' });
    expect((await fetch(`${sandbox.endpoint}/`)).status).toBe(404);
  });

  it('takes the region from the SigV4 credential scope', async () => {
    const us = clientsFor(sandbox);
    const eu = clientsFor(sandbox, { region: 'eu-west-1' });
    const redirect = await thrown(
      us.licenseManager.send(new CreateTokenCommand({ LicenseArn: EU_LICENSE, ClientToken: 'r1' })),
    );
    expect(redirect).toMatchObject({ name: 'RedirectException', Location: 'eu-west-1' });
    expect(redirect.$metadata?.httpStatusCode).toBe(308);
    const minted = await eu.licenseManager.send(
      new CreateTokenCommand({ LicenseArn: EU_LICENSE, ClientToken: 'r1' }),
    );
    expect(minted.TokenId).toBeDefined();
    expect(sandbox.calls('CreateToken').map((c) => c.region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('turns injected faults into the errors the SDK retries or reports', async () => {
    const { ssm, sqs } = clientsFor(sandbox, { maxAttempts: 1 });
    sandbox.faults.failNext('ssm:PutParameter', 1, 'InternalServerError', 'after');
    const lost = await thrown(
      ssm.send(new PutParameterCommand({ Name: '/srv/after', Value: 'v', Type: 'String' })),
    );
    expect(lost.$metadata?.httpStatusCode).toBe(500);
    // The write took effect although its answer was an error.
    expect(
      (await ssm.send(new GetParameterCommand({ Name: '/srv/after' }))).Parameter?.Version,
    ).toBe(1);

    sandbox.faults.failNext('sqs:GetQueueUrl', 1, 'connection-reset');
    const reset = await thrown(sqs.send(new GetQueueUrlCommand({ QueueName: 'x' })));
    expect(reset.$metadata?.httpStatusCode).toBeUndefined();

    sandbox.faults.throttle('sqs:GetQueueUrl', 1);
    const throttled = await thrown(sqs.send(new GetQueueUrlCommand({ QueueName: 'x' })));
    expect(throttled.name).toBe('RequestThrottled');
    sandbox.faults.clear();
    expect(sandbox.calls('GetQueueUrl').map((c) => c.fault)).toEqual(['reset', 'throttle']);
  });

  it('adds the injected latency', async () => {
    sandbox.faults.latency('ssm:GetParameter', 150);
    const started = Date.now();
    await thrown(clientsFor(sandbox).ssm.send(new GetParameterCommand({ Name: '/srv/none' })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    sandbox.faults.clear();
  });

  it('lets a test act in the middle of a call through beforeCall', async () => {
    const { ssm } = clientsFor(sandbox);
    await ssm.send(new PutParameterCommand({ Name: '/srv/hook', Value: 'v', Type: 'String' }));
    const seen: string[] = [];
    sandbox.beforeCall = async ({ operation }) => {
      seen.push(operation);
      // Someone else writes while this call is in flight, before it reads.
      if (operation === 'GetParameter' && seen.length === 1) {
        await clientsFor(sandbox).ssm.send(
          new PutParameterCommand({
            Name: '/srv/hook',
            Value: 'w',
            Type: 'String',
            Overwrite: true,
          }),
        );
      }
    };
    try {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/srv/hook' }));
      expect(Parameter).toMatchObject({ Value: 'w', Version: 2 });
      expect(seen).toEqual(['GetParameter', 'PutParameter']);
    } finally {
      sandbox.beforeCall = undefined;
    }
  });

  it('drives the clock, faults and licenses through the admin API', async () => {
    const before = sandbox.clock.nowMs();
    expect((await admin('POST', 'clock', { advanceDays: 2 })).status).toBe(200);
    expect(sandbox.clock.nowMs() - before).toBe(2 * 86_400_000);
    expect((await admin('POST', 'clock', { set: '2030-01-01T00:00:00.000Z' })).body.now).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect((await admin('POST', 'clock', { forward: 1 })).status).toBe(400);

    expect(
      (await admin('POST', 'faults', { throttle: [{ operation: 'ssm:*', probability: 0.5 }] })).body
        .rules,
    ).toMatchObject({
      throttle: [{ operation: 'ssm:*', probability: 0.5 }],
    });
    expect(
      (await admin('POST', 'faults', { throttle: [{ operation: '*', probability: 2 }] })).status,
    ).toBe(400);
    expect((await admin('DELETE', 'faults')).body.rules).toMatchObject({ throttle: [] });

    const added = await admin('POST', 'licenses', {
      licenseArn: 'arn:aws:license-manager::294406891311:license:l-ab',
      gone: true,
    });
    expect(added.body.licenses).toContainEqual({
      licenseArn: 'arn:aws:license-manager::294406891311:license:l-ab',
      homeRegion: 'us-east-1',
      gone: true,
    });
    expect((await admin('POST', 'licenses', { licenseArn: 'nope' })).status).toBe(400);

    expect((await admin('GET', 'nowhere')).status).toBe(404);
    expect((await admin('DELETE', 'clock')).status).toBe(405);
    expect((await admin('GET', 'health')).body.ok).toBe(true);
  });

  it('shows state without a single token value', async () => {
    const minted = await clientsFor(sandbox).licenseManager.send(
      new CreateTokenCommand({ LicenseArn: LICENSE_ARN, ClientToken: 'state-1' }),
    );
    expect(minted.Token).toMatch(/^eyJ/);
    const state = await admin('GET', 'state');
    const text = JSON.stringify(state.body);
    expect(state.body.tokens).toHaveLength(1);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\./);
    expect(state.body.calls).toMatchObject({ 'license-manager:CreateToken': 1 });
  });

  it('adds event buses through the admin API', async () => {
    expect((await admin('POST', 'buses', { name: 'rotations' })).body.buses).toEqual([
      'default',
      'rotations',
    ]);
    expect((await admin('POST', 'buses', { name: 'no spaces' })).status).toBe(400);
    expect((await admin('POST', 'buses', {})).status).toBe(400);
    expect(sandbox.events.hasBus('rotations')).toBe(true);
  });

  it('shows events and role sessions in the state, never a token, secret key or session token', async () => {
    const { licenseManager } = clientsFor(sandbox);
    const { Token } = await licenseManager.send(
      new CreateTokenCommand({ LicenseArn: LICENSE_ARN, RoleArns: [ROLE_ARN], ClientToken: 's-2' }),
    );
    const { AccessToken } = await licenseManager.send(new GetAccessTokenCommand({ Token }));
    const { Credentials } = await new STSClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
    }).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: 'host-1',
        WebIdentityToken: AccessToken,
      }),
    );
    // A careless publisher puts every secret it holds into an event's detail.
    const secrets = [Token, AccessToken, Credentials?.SecretAccessKey, Credentials?.SessionToken];
    await new EventBridgeClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
    }).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'license-token-rotator',
            DetailType: 'Token rotated',
            Detail: JSON.stringify({ secrets, note: `token ${Token} inline` }),
          },
        ],
      }),
    );
    const state = await admin('GET', 'state');
    const text = JSON.stringify(state.body);
    for (const secret of secrets) {
      expect(secret).toBeDefined();
      expect(text).not.toContain(secret);
    }
    expect(state.body.events).toMatchObject([
      {
        source: 'license-token-rotator',
        detail: { secrets: ['[redacted]', '[redacted]', '[redacted]', '[redacted]'] },
      },
    ]);
    expect(state.body.sessions).toEqual([
      expect.objectContaining({
        accessKeyId: Credentials?.AccessKeyId,
        roleArn: ROLE_ARN,
        licenseArn: LICENSE_ARN,
      }),
    ]);
  });
});
