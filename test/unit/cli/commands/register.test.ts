import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../../src/rotation/record.js';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { LICENSE_ARN, ROLE_ARN, TOKEN_PATH } from '../../../helpers/factories.js';

const world = cliWorld();
const NAME = `${TOKEN_PATH}acme/prod`;
const register = (...extra: string[]) =>
  runCli(world.sandbox, [
    'register',
    'acme/prod',
    '--license-arn',
    LICENSE_ARN,
    '--role-arn',
    ROLE_ARN,
    ...extra,
  ]);

describe('license-token-rotator register', () => {
  it('mints a working token, stores it as a SecureString with its record, and says so', async () => {
    const run = await register('--token-property', 'customer:acme', '--renew-before-days', '30');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      /^Registered \/license-tokens\/acme\/prod \(version 1\): token \S+ \(verified\), expires \d{4}-\d\d-\d\d \d\d:\d\d UTC, renews from \d{4}-\d\d-\d\d \d\d:\d\d UTC\.\n$/,
    );
    const stored = world.sandbox.ssm.parameter(NAME);
    expect(stored).toMatchObject({ type: 'SecureString', version: 1 });
    const record = parseRecord(stored?.description, world.sandbox.clock.now());
    expect(record).toMatchObject({
      licenseArn: LICENSE_ARN,
      roleArns: [ROLE_ARN],
      tokenProperties: ['customer:acme'],
      renewBeforeDays: 30,
    });
    expect(world.sandbox.licenseManager.check(stored?.value ?? '')).toMatchObject({ ok: true });
  });

  it('answers --json with the registration', async () => {
    const run = await register('--json');
    expect(run.code).toBe(0);
    expect(Object.keys(JSON.parse(run.stdout))).toEqual([
      'name',
      'version',
      'tokenId',
      'expiresAt',
      'renewAt',
      'verified',
    ]);
  });

  it('refuses an existing name unless --force, and then keeps the old token as previous', async () => {
    await register();
    const first = parseRecord(
      world.sandbox.ssm.parameter(NAME)?.description,
      world.sandbox.clock.now(),
    ).tokenId;
    const refused = await register();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `license-token-rotator: ${NAME} already exists (version 1); pass --force to replace its token\n`,
    );
    const forced = await register('--force');
    expect(forced.code).toBe(0);
    expect(
      parseRecord(world.sandbox.ssm.parameter(NAME)?.description, world.sandbox.clock.now()),
    ).toMatchObject({
      previousTokenId: first,
      tokenId: expect.not.stringMatching(first),
    });
  });

  it('does not mint a second token when re-run after a failed write', async () => {
    world.sandbox.faults.add({
      failNext: [{ operation: 'ssm:PutParameter', count: 3, error: 'InternalServerError' }],
    });
    const failed = await register();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^license-token-rotator: PutParameter failed \(InternalServerError\)/,
    );
    expect(world.sandbox.ssm.parameter(NAME)).toBeUndefined();
    const rerun = await register();
    expect(rerun.code).toBe(0);
    expect(world.sandbox.licenseManager.tokens()).toHaveLength(1);
  });

  it.each([
    [
      ['--license-arn', 'arn:aws:s3:::bucket'],
      '--license-arn: must be a License Manager license ARN',
    ],
    [
      [
        '--token-property',
        'a',
        '--token-property',
        'b',
        '--token-property',
        'c',
        '--token-property',
        'd',
      ],
      '--token-property: allows at most 3 entries',
    ],
    [['--expiration-days', 'soon'], '--expiration-days must be a number, got "soon"'],
    [
      Array.from({ length: 16 }, (_, i) => ['--role-arn', `${ROLE_ARN}${i}`]).flat(),
      'the record: would be',
    ],
  ])('refuses %j with a clear error and mints nothing', async (extra, message) => {
    const run = await register(...extra);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(world.sandbox.licenseManager.tokens()).toHaveLength(0);
  });

  it('refuses a name outside the contract', async () => {
    const run = await runCli(world.sandbox, [
      'register',
      '/elsewhere/x',
      '--license-arn',
      LICENSE_ARN,
    ]);
    expect(run).toMatchObject({
      code: 2,
      stderr: 'license-token-rotator: /elsewhere/x is not under /license-tokens/\n',
    });
  });

  it('needs a name and a license', async () => {
    expect((await runCli(world.sandbox, ['register'])).stderr).toContain(
      'register needs a parameter NAME',
    );
    const run = await runCli(world.sandbox, ['register', 'x']);
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toContain(
      'register needs --license-arn\nRun "license-token-rotator register --help" for usage.',
    );
  });

  it('reports an unknown license as a failure, with what AWS said', async () => {
    const run = await runCli(world.sandbox, [
      'register',
      'x',
      '--license-arn',
      `${LICENSE_ARN}ffff`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^license-token-rotator: CreateToken failed \(ResourceNotFoundException\)/,
    );
  });
});
