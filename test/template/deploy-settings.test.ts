import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import DeploySettings, { checkDeploySettings } from '../../scripts/deploy-settings.mjs';
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
      licenseArns: '',
      roleArns: 'admin',
      operatorArns: '*',
      scanIntervalHours: 6,
      heartbeatHours: 12,
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

describe('the deploy settings plugin', () => {
  class FakeError extends Error {}
  const pluginWith = (deploySettings: Record<string, unknown>) =>
    new DeploySettings({ service: { custom: { deploySettings } }, classes: { Error: FakeError } });

  it('checks before packaging (deploy packages too) and before a function deploy', () => {
    expect(Object.keys(pluginWith(valid).hooks).sort()).toEqual([
      'before:deploy:function:initialize',
      'before:package:cleanup',
    ]);
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
