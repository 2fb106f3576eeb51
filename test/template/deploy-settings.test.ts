import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import DeploySettings, {
  checkDeploySettings,
  consumerPermissions,
  REVOCATION_POLICIES,
} from '../../scripts/deploy-settings.mjs';
import { RevocationPolicy } from '../../src/rotation/record.js';
import { EXAMPLE_SETTINGS, osls } from './template.js';

const LICENSE = EXAMPLE_SETTINGS.licenseArns;
const ROLE = EXAMPLE_SETTINGS.roleArns;
const OPERATOR = 'arn:aws:iam::123456789012:role/Operator';

/** Settings as serverless.yml resolves them when every one is given and well formed. */
const valid = {
  licenseArns: LICENSE,
  roleArns: ROLE,
  operatorArns: '',
  scanIntervalHours: 6,
  heartbeatHours: 12,
  revocationPolicy: 'after-pickup',
  pickupOverdueHours: 168,
  eventBusName: 'default',
  exchangeConcurrency: 10,
  exchangeRefusalAlarmThreshold: 20,
  consumerAccountIds: '',
};

const problemsOf = (settings: Record<string, unknown>): string =>
  checkDeploySettings(settings) ?? 'no problem';

describe('the deploy settings check', () => {
  it('accepts the example settings, with and without operators', () => {
    expect(checkDeploySettings(valid)).toBeUndefined();
    expect(checkDeploySettings({ ...valid, operatorArns: OPERATOR })).toBeUndefined();
  });

  it('refuses missing allow-lists with one message that says what to set and how', () => {
    const message = problemsOf({ ...valid, licenseArns: '', roleArns: undefined });
    expect(message).toContain('licenseArns is not set, and has no default');
    expect(message).toContain('roleArns is not set, and has no default');
    expect(message).toContain('--param="licenseArns=arn:aws:license-manager::123456789012:');
    expect(message).toContain('--param="roleArns=arn:aws:iam::123456789012:role/');
    expect(message).toContain('params.<stage>');
    expect(message).toContain('npm run package --');
  });

  it('names only what is missing', () => {
    const message = problemsOf({ ...valid, roleArns: '' });
    expect(message).toContain('roleArns is not set');
    expect(message).not.toContain('licenseArns is not set');
  });

  it.each([
    [
      'several licenses',
      `${LICENSE},arn:aws:license-manager::123456789012:license:l-${'a'.repeat(32)}`,
    ],
    ['every license of one seller', 'arn:aws:license-manager::294406891311:license:*'],
    ['a license of any seller', `arn:aws:license-manager::*:license:l-${'0'.repeat(32)}`],
    ['every license, written out', 'arn:aws:license-manager::*:license:*'],
    [
      'another partition',
      `arn:aws-us-gov:license-manager::123456789012:license:l-${'b'.repeat(32)}`,
    ],
  ])('accepts licenseArns naming %s', (_, licenseArns) => {
    expect(checkDeploySettings({ ...valid, licenseArns })).toBeUndefined();
  });

  it.each([
    ['a bare wildcard', '*'],
    ['another service', 'arn:aws:iam::123456789012:role/Admin'],
    ['a region', `arn:aws:license-manager:us-east-1:123456789012:license:l-${'0'.repeat(32)}`],
    ['a short account', `arn:aws:license-manager::1234:license:l-${'0'.repeat(32)}`],
    ['a malformed id', 'arn:aws:license-manager::123456789012:license:l-XYZ'],
    ['a space after the comma', `${LICENSE}, ${LICENSE}`],
  ])('refuses licenseArns with %s', (_, licenseArns) => {
    const message = problemsOf({ ...valid, licenseArns });
    expect(message).toMatch(/licenseArns: ".+" is not a license ARN/);
    // The how-to is for what is missing; a malformed value gets its own line.
    expect(message).not.toContain('--param=');
  });

  it('refuses an empty entry (a stray comma)', () => {
    expect(problemsOf({ ...valid, licenseArns: `${LICENSE},` })).toContain(
      'licenseArns has an empty entry',
    );
  });

  it.each([
    ['one role', ROLE],
    ['a role pattern', 'arn:aws:iam::123456789012:role/license-consumers/*'],
    ['no role', 'none'],
    ['no role, or one', `none,${ROLE}`],
  ])('accepts roleArns naming %s', (_, roleArns) => {
    expect(checkDeploySettings({ ...valid, roleArns })).toBeUndefined();
  });

  it.each([
    ['a bare wildcard', '*'],
    ['a user', 'arn:aws:iam::123456789012:user/alice'],
    ['an assumed-role session', 'arn:aws:sts::123456789012:assumed-role/LicenseConsumer/s'],
    ['NONE in capitals', 'NONE'],
  ])('refuses roleArns naming %s', (_, roleArns) => {
    expect(problemsOf({ ...valid, roleArns })).toMatch(
      /roleArns: ".+" is not an IAM role ARN pattern/,
    );
  });

  it.each([
    ['a role', OPERATOR],
    ['a user', 'arn:aws:iam::123456789012:user/alice'],
    [
      'an SSO role, with its path',
      'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
    ],
  ])('accepts operatorArns naming %s', (_, operatorArns) => {
    expect(checkDeploySettings({ ...valid, operatorArns })).toBeUndefined();
  });

  it.each([
    ['a wildcard (a queue policy principal takes none)', 'arn:aws:iam::123456789012:role/*'],
    ['the account root', 'arn:aws:iam::123456789012:root'],
    ['a service', 'events.amazonaws.com'],
  ])('refuses operatorArns naming %s', (_, operatorArns) => {
    expect(problemsOf({ ...valid, operatorArns })).toMatch(
      /operatorArns: ".+" is not an IAM user or role ARN/,
    );
  });

  it('lists every problem at once, so one fix covers them all', () => {
    const message = problemsOf({
      ...valid,
      licenseArns: '',
      roleArns: 'admin',
      operatorArns: '*',
    });
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });

  it.each([
    ['1 hour, with a 2-hour heartbeat', 1, 2],
    ['6 hours, with a day-long heartbeat', 6, 24],
    ['12 hours, with a 24-hour heartbeat', 12, 24],
    ['hours written as text, as --param gives them', '3', '6'],
  ])('accepts a scan every %s', (_, scanIntervalHours, heartbeatHours) => {
    expect(checkDeploySettings({ ...valid, scanIntervalHours, heartbeatHours })).toBeUndefined();
  });

  it.each([
    ['0', 0, 12],
    ['13 (its heartbeat would pass 24 hours)', 13, 24],
    ['1.5', 1.5, 12],
    ['six', 'six', 12],
  ])('refuses a scan interval of %s hours', (_, scanIntervalHours, heartbeatHours) => {
    expect(problemsOf({ ...valid, scanIntervalHours, heartbeatHours })).toContain(
      'scanIntervalHours must be a whole number of hours from 1 to 12',
    );
  });

  it.each([
    ['under twice the interval', 11],
    ['over CloudWatch’s 24', 25],
  ])('refuses a heartbeat %s', (_, heartbeatHours) => {
    expect(problemsOf({ ...valid, heartbeatHours })).toContain(
      'heartbeatHours must be a whole number of hours from twice scanIntervalHours (12) to 24',
    );
  });
});

describe('the consumer-side settings', () => {
  it('know the revocation policies the functions know, and no other', () => {
    expect([...REVOCATION_POLICIES].sort()).toEqual(Object.values(RevocationPolicy).sort());
    for (const revocationPolicy of Object.values(RevocationPolicy)) {
      expect(checkDeploySettings({ ...valid, revocationPolicy }), revocationPolicy).toBeUndefined();
    }
  });

  it.each(['After-Pickup', 'after_grace', 'always', ''])(
    'refuse the revocation policy "%s"',
    (revocationPolicy) => {
      expect(problemsOf({ ...valid, revocationPolicy })).toContain(
        `revocationPolicy must be one of after-pickup, after-grace, never, got "${revocationPolicy}"`,
      );
    },
  );

  it.each([
    ['the default bus', 'default'],
    ['a bus by name', 'rotation-events.prod'],
    ['a bus of another account by ARN', 'arn:aws:events:eu-west-1:111122223333:event-bus/central'],
  ])('accept as eventBusName %s', (_, eventBusName) => {
    expect(checkDeploySettings({ ...valid, eventBusName })).toBeUndefined();
  });

  it.each([
    ['nothing', ''],
    ['a space', 'my bus'],
    ['an ARN of another service', 'arn:aws:sqs:eu-west-1:111122223333:queue'],
    ['a bus ARN with a short account', 'arn:aws:events:eu-west-1:1111:event-bus/central'],
    ['a wildcard', '*'],
  ])('refuse as eventBusName %s', (_, eventBusName) => {
    expect(problemsOf({ ...valid, eventBusName })).toContain(
      'eventBusName must be an EventBridge bus',
    );
  });

  it.each([
    ['one account', '111122223333'],
    ['two accounts', '111122223333,444455556666'],
  ])('accept consumerAccountIds naming %s', (_, consumerAccountIds) => {
    expect(checkDeploySettings({ ...valid, consumerAccountIds })).toBeUndefined();
  });

  it.each([
    ['a short id', '1111'],
    ['a role ARN', ROLE],
    ['a stray comma', '111122223333,'],
  ])('refuse consumerAccountIds with %s', (_, consumerAccountIds) => {
    expect(problemsOf({ ...valid, consumerAccountIds })).toMatch(
      /consumerAccountIds(:| has an empty)/,
    );
  });

  it.each([
    ['exchangeConcurrency', '0', 'a whole number of executions, 1 or more'],
    ['exchangeConcurrency', '2.5', 'a whole number of executions, 1 or more'],
    ['exchangeRefusalAlarmThreshold', '0', 'a whole number of refusals, 1 or more'],
    ['exchangeRefusalAlarmThreshold', 'many', 'a whole number of refusals, 1 or more'],
    ['pickupOverdueHours', '0', 'a number of hours above 0'],
    ['pickupOverdueHours', '-24', 'a number of hours above 0'],
    ['pickupOverdueHours', 'a week', 'a number of hours above 0'],
  ])('refuse %s "%s"', (name, value, form) => {
    expect(problemsOf({ ...valid, [name]: value })).toContain(
      `${name} must be ${form}, got "${value}"`,
    );
  });

  it.each([
    ['exchangeConcurrency', '1'],
    ['exchangeRefusalAlarmThreshold', '100'],
    ['pickupOverdueHours', '36.5'],
  ])('accept %s "%s", as --param gives it', (name, value) => {
    expect(checkDeploySettings({ ...valid, [name]: value })).toBeUndefined();
  });
});

describe('the consumer accounts’ grants', () => {
  const EXCHANGE = { 'Fn::GetAtt': ['ExchangeLambdaFunction', 'Arn'] };

  it('are none without consumer accounts', () => {
    expect(consumerPermissions('', 'ExchangeLambdaFunction')).toEqual({});
  });

  it('let each account call the URL signed, and invoke the function only through it', () => {
    expect(consumerPermissions('111122223333,444455556666', 'ExchangeLambdaFunction')).toEqual(
      Object.fromEntries(
        ['111122223333', '444455556666'].flatMap((account) => [
          [
            `ExchangeUrlInvokeByAccount${account}`,
            {
              Type: 'AWS::Lambda::Permission',
              Properties: {
                FunctionName: EXCHANGE,
                Principal: account,
                Action: 'lambda:InvokeFunctionUrl',
                FunctionUrlAuthType: 'AWS_IAM',
              },
            },
          ],
          [
            `ExchangeInvokeByAccount${account}`,
            {
              Type: 'AWS::Lambda::Permission',
              Properties: {
                FunctionName: EXCHANGE,
                Principal: account,
                Action: 'lambda:InvokeFunction',
                InvokedViaFunctionUrl: true,
              },
            },
          ],
        ]),
      ),
    );
  });
});

describe('the deploy settings plugin', () => {
  class FakeError extends Error {}
  const pluginWith = (deploySettings: Record<string, unknown>) =>
    new DeploySettings({ service: { custom: { deploySettings } }, classes: { Error: FakeError } });

  it('checks before packaging (deploy packages too) and before a function deploy', () => {
    expect(Object.keys(pluginWith(valid).hooks).sort()).toEqual([
      'after:package:compileFunctions',
      'before:deploy:function:initialize',
      'before:package:cleanup',
    ]);
  });

  it('adds the consumer accounts’ grants to the compiled template, beside what is there', () => {
    const Resources: Record<string, unknown> = { ExchangeLambdaFunction: { Type: 'fn' } };
    const plugin = new DeploySettings({
      service: {
        custom: { deploySettings: { ...valid, consumerAccountIds: '111122223333' } },
        provider: { compiledCloudFormationTemplate: { Resources } },
      },
      classes: { Error: FakeError },
      getProvider: () => ({ naming: { getLambdaLogicalId: (name: string) => `${name}-fn` } }),
    });
    plugin.hooks['after:package:compileFunctions']?.();
    expect(Object.keys(Resources).sort()).toEqual([
      'ExchangeInvokeByAccount111122223333',
      'ExchangeLambdaFunction',
      'ExchangeUrlInvokeByAccount111122223333',
    ]);
    expect(Resources).toMatchObject(consumerPermissions('111122223333', 'exchange-fn'));
  });

  it.each(['before:package:cleanup', 'before:deploy:function:initialize'])(
    'throws osls’s error class at %s when a setting is wrong',
    (hook) => {
      const refuse = pluginWith({ ...valid, licenseArns: '' }).hooks[hook];
      expect(refuse).toBeDefined();
      expect(() => refuse?.()).toThrow(FakeError);
      expect(() => refuse?.()).toThrow('licenseArns is not set');
      expect(() => pluginWith(valid).hooks[hook]?.()).not.toThrow();
    },
  );
});

describe('osls package without the allow-lists', () => {
  const work = mkdtempSync(join(tmpdir(), 'ltr-unset-'));
  const output = join(work, 'package');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // osls starts in a few seconds on an idle machine and much slower beside other work: 60 s
  // bounds only a hang.
  it('fails with the one message, and builds nothing', { timeout: 60_000 }, () => {
    expect(() =>
      osls(['package', '--stage', 'dev', '--region', 'us-east-1', '--package', output], work),
    ).toThrow(
      /licenseArns is not set, and has no default[\s\S]*roleArns is not set, and has no default[\s\S]*--param="licenseArns=/,
    );
    expect(existsSync(output)).toBe(false);
  });
});
