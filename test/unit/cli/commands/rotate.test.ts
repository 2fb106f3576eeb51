import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../../src/rotation/record.js';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { TOKEN_PATH } from '../../../helpers/factories.js';

const world = cliWorld();
const NAME = `${TOKEN_PATH}acme/prod`;
const KEY = ['--kms-key-id', 'alias/license-token-rotator'];
const recordOf = () =>
  parseRecord(world.sandbox.ssm.parameter(NAME)?.description, world.sandbox.clock.now());
const jobs = () => world.sandbox.sqs.queue('cli-test-jobs.fifo')?.messages ?? [];
/** Rotates once in-process, so that the record names a previous token in its grace period. */
async function rotatedOnce(): Promise<{ leaked: string; previous: string }> {
  const seeded = await world.seed('acme/prod');
  expect((await runCli(world.sandbox, ['rotate', NAME, '--now', ...KEY])).code).toBe(0);
  return { leaked: recordOf().tokenId, previous: seeded.tokenId };
}

describe('license-token-rotator rotate', () => {
  it('enqueues a forced rotation of the current version', async () => {
    await world.seed('acme/prod');
    const run = await runCli(world.sandbox, [
      'rotate',
      'acme/prod',
      '--queue-url',
      world.queues.jobQueueUrl,
    ]);
    expect(run).toMatchObject({
      code: 0,
      stdout: `Enqueued a forced rotation of ${NAME} (version 1); the rotator will pick it up.\n`,
    });
    const [message] = jobs();
    expect(JSON.parse(message?.body ?? '{}')).toMatchObject({
      parameterName: NAME,
      observedVersion: 1,
      reason: 'forced',
    });
  });

  it('--now rotates in-process and reports the new token id and expiry', async () => {
    const seeded = await world.seed('acme/prod');
    const run = await runCli(world.sandbox, ['rotate', NAME, '--now', ...KEY]);
    expect(run.code).toBe(0);
    const record = parseRecord(
      world.sandbox.ssm.parameter(NAME)?.description,
      world.sandbox.clock.now(),
    );
    expect(record.previousTokenId).toBe(seeded.tokenId);
    expect(run.stdout).toBe(
      `Rotated ${NAME}: token ${seeded.tokenId.slice(0, 8)}… → ${record.tokenId.slice(0, 8)}… (verified), version 2, ` +
        `expires ${record.expiresAt.slice(0, 10)} ${record.expiresAt.slice(11, 16)} UTC.\n`,
    );
    expect(
      world.sandbox.licenseManager.check(world.sandbox.ssm.parameter(NAME)?.value ?? ''),
    ).toMatchObject({ ok: true });
  });

  it('--now --json reports the outcome', async () => {
    await world.seed('acme/prod');
    const outcome = JSON.parse(
      (await runCli(world.sandbox, ['rotate', NAME, '--now', '--json', ...KEY])).stdout,
    );
    expect(outcome).toMatchObject({
      kind: 'rotated',
      parameterName: NAME,
      version: 2,
      verified: true,
    });
  });

  it('refuses a parameter that does not exist', async () => {
    const run = await runCli(world.sandbox, ['rotate', 'nope', '--now', ...KEY]);
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toContain(`${TOKEN_PATH}nope does not exist`);
  });

  it('reports a permanent failure of the rotation, and leaves the token alone', async () => {
    await world.seed('acme/prod');
    const before = world.sandbox.ssm.parameter(NAME)?.value;
    world.sandbox.faults.add({
      failNext: [
        { operation: 'license-manager:CreateToken', count: 1, error: 'AccessDeniedException' },
      ],
    });
    const run = await runCli(world.sandbox, ['rotate', NAME, '--now', ...KEY]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^license-token-rotator: CreateToken failed \(AccessDeniedException\)/,
    );
    expect(world.sandbox.ssm.parameter(NAME)?.value).toBe(before);
  });

  it("--now refuses to write without the stack's KMS key, and mints nothing", async () => {
    await world.seed('acme/prod');
    const run = await runCli(world.sandbox, ['rotate', NAME, '--now']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("rotate --now needs the stack's KMS key");
    expect(world.sandbox.licenseManager.tokens()).toHaveLength(1);
    const withEnv = await runCli(world.sandbox, ['rotate', NAME, '--now'], {
      env: { KMS_KEY_ID: 'alias/from-env' },
    });
    expect(withEnv.code).toBe(0);
    expect(world.sandbox.ssm.parameter(NAME)?.keyId).toBe('alias/from-env');
  });

  it.each([
    ['enqueued', ['--queue-url']],
    ['in-process', ['--now', ...KEY]],
  ])(
    'refuses a forced rotation (%s) inside the grace period, pointing at --revoke-previous',
    async (_, options) => {
      const { previous } = await rotatedOnce();
      const args = options[0] === '--queue-url' ? [...options, world.queues.jobQueueUrl] : options;
      const run = await runCli(world.sandbox, ['rotate', NAME, ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `license-token-rotator: not rotating ${NAME} (previous-in-grace): its previous token ${previous.slice(0, 8)}… is in its grace period until `,
      );
      expect(run.stderr).toContain(
        `If the token leaked, run "license-token-rotator rotate ${NAME} --revoke-previous".`,
      );
      expect(jobs()).toHaveLength(0);
      expect(world.sandbox.licenseManager.tokens()).toHaveLength(2);
      expect(recordOf().previousTokenId).toBe(previous);
    },
  );

  it('rotates a forced job once the grace period is over', async () => {
    await rotatedOnce();
    world.sandbox.clock.advance(73 * 60 * 60 * 1000);
    const run = await runCli(world.sandbox, ['rotate', NAME, '--now', ...KEY]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Rotated /);
  });

  it('--revoke-previous --now rotates inside the grace period and deletes the leaked token', async () => {
    const { leaked, previous } = await rotatedOnce();
    const run = await runCli(world.sandbox, ['rotate', NAME, '--revoke-previous', '--now', ...KEY]);
    expect(run.code).toBe(0);
    const record = recordOf();
    expect(record.previousTokenId).toBe(leaked);
    expect(run.stdout).toContain(`Older token ${previous}: deleted.\n`);
    expect(run.stdout).toContain(`Leaked token ${leaked}: deleted.\n`);
    expect(world.sandbox.licenseManager.token(leaked)?.status).toBe('DELETED');
    expect(world.sandbox.licenseManager.token(previous)?.status).toBe('DELETED');
    expect(
      world.sandbox.licenseManager.check(world.sandbox.ssm.parameter(NAME)?.value ?? ''),
    ).toMatchObject({ ok: true });
  });

  it("--revoke-previous --now --json reports the leaked token's deletion", async () => {
    const seeded = await world.seed('acme/prod');
    const run = await runCli(world.sandbox, [
      'rotate',
      NAME,
      '--revoke-previous',
      '--now',
      '--json',
      ...KEY,
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kind: 'rotated',
      reason: 'leaked',
      leakedRevoked: { tokenId: seeded.tokenId, result: 'revoked' },
    });
  });

  it('says so, and fails, when the leaked token could not be deleted', async () => {
    const seeded = await world.seed('acme/prod');
    world.sandbox.faults.add({
      failNext: [
        { operation: 'license-manager:DeleteToken', count: 5, error: 'AccessDeniedException' },
      ],
    });
    const run = await runCli(world.sandbox, ['rotate', NAME, '--revoke-previous', '--now', ...KEY]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Leaked token ${seeded.tokenId}: NOT deleted (DeleteToken failed`);
    expect(run.stdout).toContain(
      `it still works. Delete it with "aws license-manager delete-token --token-id ${seeded.tokenId}"`,
    );
    expect(world.sandbox.licenseManager.token(seeded.tokenId)?.status).toBe('AVAILABLE');
  });

  it('--revoke-previous rotates in-process even without --now: deletes come from the scanner only', async () => {
    const { leaked } = await rotatedOnce();
    const run = await runCli(world.sandbox, [
      'rotate',
      'acme/prod',
      '--revoke-previous',
      '--queue-url',
      world.queues.jobQueueUrl,
      ...KEY,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Leaked token ${leaked}: deleted.\n`);
    expect(jobs()).toHaveLength(0);
  });

  it('refuses to enqueue a forced rotation while the previous token is live past its grace period', async () => {
    const { previous } = await rotatedOnce();
    world.sandbox.clock.advance(73 * 60 * 60 * 1000);
    const run = await runCli(world.sandbox, [
      'rotate',
      NAME,
      '--queue-url',
      world.queues.jobQueueUrl,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `not enqueuing ${NAME} (previous-live): its previous token ${previous.slice(0, 8)}… is past its grace period but still live`,
    );
    expect(jobs()).toHaveLength(0);
    await runCli(world.sandbox, ['rotate', NAME, '--now', ...KEY]);
    expect(world.sandbox.licenseManager.token(previous)?.status).toBe('DELETED');
  });
});
