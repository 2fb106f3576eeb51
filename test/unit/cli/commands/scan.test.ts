import { CreateTokenCommand } from '@aws-sdk/client-license-manager';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { LICENSE_ARN, TOKEN_PATH } from '../../../helpers/factories.js';

const world = cliWorld();
const jobs = () => world.sandbox.sqs.queue('cli-test-jobs.fifo')?.messages ?? [];

async function fleet(): Promise<void> {
  await world.seed('fresh', { ageDays: 10 });
  await world.seed('due', { ageDays: 300 });
  await world.seed('expired', { ageDays: 40, expirationInDays: 30 });
}

describe('license-token-rotator scan', () => {
  it('--dry-run shows what the scanner would enqueue and enqueues nothing', async () => {
    await fleet();
    const run = await runCli(world.sandbox, ['scan', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      expect.stringMatching(/^PARAMETER\s+VERSION\s+JOB$/),
      expect.stringMatching(new RegExp(`^${TOKEN_PATH}due\\s+1\\s+expiring$`)),
      expect.stringMatching(new RegExp(`^${TOKEN_PATH}expired\\s+1\\s+expiring$`)),
      '',
      'Scanned 3: 1 ok, 1 due, 1 expired, 0 unmanaged. Would enqueue 2 job(s).',
      '',
    ]);
    expect(jobs()).toHaveLength(0);
  });

  it('warns on stderr, one line each, about what it skipped and what is close to expiry', async () => {
    await world.seed('expired', { ageDays: 40, expirationInDays: 30 });
    await world.unmanaged('notes', 'hand-made');
    const run = await runCli(world.sandbox, ['scan', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').sort()).toEqual([
      '',
      `warning: Skipping unmanaged parameter: ${TOKEN_PATH}notes record description: is not JSON`,
      `warning: Token is close to expiry: ${TOKEN_PATH}expired`,
    ]);
  });

  it('--dry-run --json gives the summary and the jobs', async () => {
    await fleet();
    const document = JSON.parse(
      (await runCli(world.sandbox, ['scan', '--dry-run', '--json'])).stdout,
    );
    expect(document).toMatchObject({
      dryRun: true,
      summary: { scanned: 3, due: 1, expired: 1, enqueued: 2 },
      jobs: [
        { parameterName: `${TOKEN_PATH}due`, observedVersion: 1, reason: 'expiring' },
        { parameterName: `${TOKEN_PATH}expired`, observedVersion: 1, reason: 'expiring' },
      ],
    });
  });

  it('enqueues for real through the scanner code, on the queue given', async () => {
    await fleet();
    const run = await runCli(world.sandbox, ['scan', '--queue-url', world.queues.jobQueueUrl]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Enqueued 2 job(s).');
    expect(
      jobs().map((message: { body: string }) => JSON.parse(message.body).parameterName),
    ).toEqual([`${TOKEN_PATH}due`, `${TOKEN_PATH}expired`]);
  });

  it('reads the queue from JOB_QUEUE_URL, and says what is missing without it', async () => {
    await fleet();
    const missing = await runCli(world.sandbox, ['scan']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no jobs queue: pass --queue-url or set JOB_QUEUE_URL');
    const run = await runCli(world.sandbox, ['scan'], {
      env: { JOB_QUEUE_URL: world.queues.jobQueueUrl },
    });
    expect(run.code).toBe(0);
  });

  it('fails with the AWS error when the queue does not exist', async () => {
    await fleet();
    const run = await runCli(world.sandbox, [
      'scan',
      '--queue-url',
      `${world.sandbox.endpoint}/123456789012/nope.fifo`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^license-token-rotator: SendMessageBatch failed \(.*QueueDoesNotExist/,
    );
  });

  it('says how many previous tokens await a pickup and how many tokens no record names', async () => {
    await world.seed('acme/prod');
    const key = ['--kms-key-id', 'alias/license-token-rotator'];
    expect((await runCli(world.sandbox, ['rotate', 'acme/prod', '--now', ...key])).code).toBe(0);
    await world.clients.licenseManager.send(
      new CreateTokenCommand({
        LicenseArn: LICENSE_ARN,
        ExpirationInDays: 30,
        ClientToken: 'minted-by-another-tool',
      }),
    );
    world.sandbox.clock.advance(73 * 60 * 60 * 1000);
    const run = await runCli(world.sandbox, ['scan', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '\n1 previous token(s) kept until their replacement is picked up (0 overdue): see "show NAME"; ' +
        '1 token(s) no record names: see "orphans".\n',
    );
    expect(run.stderr).toBe('warning: Tokens no record names: 1\n');
  });
});

describe('license-token-rotator scan, run by an operator', () => {
  it('enqueues the rotations and leaves the jobs that delete to the deployed scanner', async () => {
    await world.seed('acme/prod');
    await world.seed('due', { ageDays: 300 });
    const key = ['--kms-key-id', 'alias/license-token-rotator'];
    expect((await runCli(world.sandbox, ['rotate', 'acme/prod', '--now', ...key])).code).toBe(0);
    world.sandbox.clock.advance(73 * 60 * 60 * 1000);
    const run = await runCli(world.sandbox, ['scan', '--queue-url', world.queues.jobQueueUrl], {
      env: { REVOCATION_POLICY: 'after-grace' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      expect.stringMatching(/^PARAMETER\s+VERSION\s+JOB$/),
      expect.stringMatching(new RegExp(`^${TOKEN_PATH}due\\s+1\\s+expiring$`)),
      expect.stringMatching(
        new RegExp(`^${TOKEN_PATH}acme/prod\\s+2\\s+revoke-previous \\(left to the scanner\\)$`),
      ),
      '',
      'Scanned 2: 1 ok, 1 due, 0 expired, 0 unmanaged. Enqueued 1 job(s).',
      '1 job(s) that delete tokens left to the deployed scanner: the rotator takes them from its role only.',
      '',
    ]);
    expect(jobs().map((message: { body: string }) => JSON.parse(message.body).reason)).toEqual([
      'expiring',
    ]);
  });

  it('--dry-run shows the same split, and --json lists the held jobs apart', async () => {
    await world.seed('acme/prod');
    const key = ['--kms-key-id', 'alias/license-token-rotator'];
    expect((await runCli(world.sandbox, ['rotate', 'acme/prod', '--now', ...key])).code).toBe(0);
    world.sandbox.clock.advance(73 * 60 * 60 * 1000);
    const run = await runCli(world.sandbox, ['scan', '--dry-run', '--json'], {
      env: { REVOCATION_POLICY: 'after-grace' },
    });
    expect(JSON.parse(run.stdout)).toMatchObject({
      dryRun: true,
      jobs: [],
      held: [{ parameterName: `${TOKEN_PATH}acme/prod`, reason: 'revoke-previous' }],
    });
    expect(jobs()).toHaveLength(0);
  });
});
