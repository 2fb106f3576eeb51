import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../../src/rotation/record.js';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { LICENSE_ARN, ROLE_ARN, TOKEN_PATH } from '../../../helpers/factories.js';
import { TEST_REGION } from '../../../helpers/sandbox.js';

const world = cliWorld();
const NAME = `${TOKEN_PATH}acme/prod`;
/** The stack's key, as the stack output KmsKeyId names it. */
const STACK_KEY = 'alias/license-token-rotator';
const registerWith = (env: Record<string, string>, ...extra: string[]) =>
  runCli(
    world.sandbox,
    ['register', 'acme/prod', '--license-arn', LICENSE_ARN, '--role-arn', ROLE_ARN, ...extra],
    { env },
  );
const register = (...extra: string[]) => registerWith({}, '--kms-key-id', STACK_KEY, ...extra);
const recordOf = (name: string) =>
  parseRecord(world.sandbox.ssm.parameter(name)?.description, world.sandbox.clock.now());

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
      '--kms-key-id',
      STACK_KEY,
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
      '--kms-key-id',
      STACK_KEY,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^license-token-rotator: CreateToken failed \(ResourceNotFoundException\)/,
    );
  });

  it("refuses to write without the stack's KMS key, and mints nothing", async () => {
    const run = await registerWith({});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "license-token-rotator: register needs the stack's KMS key: pass --kms-key-id KEY or set KMS_KEY_ID",
    );
    expect(world.sandbox.licenseManager.tokens()).toHaveLength(0);
    expect(world.sandbox.ssm.parameter(NAME)).toBeUndefined();
  });

  it.each([
    ['--kms-key-id', [{}, '--kms-key-id', STACK_KEY], STACK_KEY],
    ['KMS_KEY_ID', [{ KMS_KEY_ID: 'alias/from-env' }], 'alias/from-env'],
    ['an explicit alias/aws/ssm', [{}, '--kms-key-id', 'alias/aws/ssm'], 'alias/aws/ssm'],
  ] as const)('encrypts under the key from %s', async (_, [env, ...extra], key) => {
    const run = await registerWith(env, ...extra);
    expect(run.code).toBe(0);
    expect(world.sandbox.ssm.parameter(NAME)?.keyId).toBe(key);
  });

  it('writes --revocation into the record, and refuses a policy it does not know', async () => {
    const refused = await register('--revocation', 'sometimes');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--revocation must be one of after-pickup, after-grace, never, got "sometimes"',
    );
    expect(world.sandbox.licenseManager.tokens()).toHaveLength(0);
    expect((await register('--revocation', 'never')).code).toBe(0);
    expect(recordOf(NAME).revocation).toBe('never');
  });

  it('leaves the policy out of the record without --revocation (the stack default applies)', async () => {
    await register();
    expect(recordOf(NAME)).not.toHaveProperty('revocation');
  });

  it.each([
    [{ LICENSE_ARNS: 'arn:aws:license-manager::111111111111:license:l-other*' }, 'LICENSE_ARNS'],
    [{ ROLE_ARNS: 'arn:aws:iam::123456789012:role/Other' }, 'ROLE_ARNS'],
  ])(
    'refuses a license or role outside the allow-lists %j, minting nothing',
    async (lists, name) => {
      const run = await registerWith(lists, '--kms-key-id', STACK_KEY);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`(${name}): the rotator would refuse to rotate it`);
      expect(world.sandbox.licenseManager.tokens()).toHaveLength(0);
    },
  );

  it('registers inside allow-lists that are set', async () => {
    const run = await registerWith(
      { LICENSE_ARNS: LICENSE_ARN, ROLE_ARNS: 'arn:aws:iam::123456789012:role/*' },
      '--kms-key-id',
      STACK_KEY,
    );
    expect(run.code).toBe(0);
  });

  it('--force deletes the token it pushes out of the record, and says so', async () => {
    await register();
    const first = recordOf(NAME).tokenId;
    await register('--force');
    const second = recordOf(NAME).tokenId;
    const run = await register('--force');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `The replaced token ${second} is now the previous one: deleted when the revocation policy says.\n`,
    );
    expect(run.stdout).toContain(`Pushed out of the record: the older token ${first}, deleted.\n`);
    expect(world.sandbox.licenseManager.token(first)?.status).toBe('DELETED');
    expect(world.sandbox.licenseManager.token(second)?.status).toBe('AVAILABLE');
    const json = JSON.parse((await register('--force', '--json')).stdout);
    expect(json).toMatchObject({
      replacedTokenId: recordOf(NAME).previousTokenId,
      pushedOut: { tokenId: second, result: 'revoked' },
    });
  });
});

describe('license-token-rotator register: the home region', () => {
  it('names the region the token was minted in, so a scanner elsewhere lists it there', async () => {
    expect((await register()).code).toBe(0);
    expect(recordOf(NAME).homeRegion).toBe(TEST_REGION);
  });

  it('takes the region License Manager redirects to over the one it was given', async () => {
    world.sandbox.licenseManager.addLicense({ licenseArn: LICENSE_ARN, homeRegion: 'eu-west-1' });
    expect((await register('--home-region', 'eu-central-1')).code).toBe(0);
    expect(recordOf(NAME).homeRegion).toBe('eu-west-1');
  });
});
