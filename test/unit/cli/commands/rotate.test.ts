import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../../src/rotation/record.js';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { TOKEN_PATH } from '../../../helpers/factories.js';

const world = cliWorld();
const NAME = `${TOKEN_PATH}acme/prod`;

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
    const [message] = world.sandbox.sqs.queue('cli-test-jobs.fifo')?.messages ?? [];
    expect(JSON.parse(message?.body ?? '{}')).toMatchObject({
      parameterName: NAME,
      observedVersion: 1,
      reason: 'forced',
    });
  });

  it('--now rotates in-process and reports the new token id and expiry', async () => {
    const seeded = await world.seed('acme/prod');
    const run = await runCli(world.sandbox, ['rotate', NAME, '--now']);
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
      (await runCli(world.sandbox, ['rotate', NAME, '--now', '--json'])).stdout,
    );
    expect(outcome).toMatchObject({
      kind: 'rotated',
      parameterName: NAME,
      version: 2,
      verified: true,
    });
  });

  it('refuses a parameter that does not exist', async () => {
    const run = await runCli(world.sandbox, ['rotate', 'nope', '--now']);
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
    const run = await runCli(world.sandbox, ['rotate', NAME, '--now']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^license-token-rotator: CreateToken failed \(AccessDeniedException\)/,
    );
    expect(world.sandbox.ssm.parameter(NAME)?.value).toBe(before);
  });
});
