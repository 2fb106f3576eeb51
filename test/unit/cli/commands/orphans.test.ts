import { CreateTokenCommand } from '@aws-sdk/client-license-manager';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { LICENSE_ARN, ROLE_ARN } from '../../../helpers/factories.js';

const world = cliWorld();
let handMints = 0;

/** Mints a token for the managed license as another tool would: no record names it. */
async function handMinted(): Promise<string> {
  const minted = await world.clients.licenseManager.send(
    new CreateTokenCommand({
      LicenseArn: LICENSE_ARN,
      RoleArns: [ROLE_ARN],
      TokenProperties: ['minted-by-hand'],
      ExpirationInDays: 30,
      ClientToken: `by-hand-${++handMints}`,
    }),
  );
  return minted.TokenId ?? '';
}

const statusOf = (tokenId: string) => world.sandbox.licenseManager.token(tokenId)?.status;

describe('license-token-rotator orphans', () => {
  it('lists a token no record names, exits 1, and deletes nothing', async () => {
    const seeded = await world.seed('acme/prod');
    const stray = await handMinted();
    const run = await runCli(world.sandbox, ['orphans']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^TOKEN ID\s+LICENSE\s+ROLES\s+PROPERTIES\s+EXPIRES \(UTC\)$/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^${stray}\\s+\\S+\\s+${ROLE_ARN}\\s+minted-by-hand\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`,
        'm',
      ),
    );
    expect(run.stdout).not.toContain(seeded.tokenId);
    expect(run.stdout).toContain(
      "1 unrecorded token(s): AVAILABLE, of managed licenses, named by no record. Delete them with --delete once you know they are no other tool's.\n",
    );
    expect(statusOf(stray)).toBe('AVAILABLE');
  });

  it('exits 0 when every token of the managed licenses is named by a record', async () => {
    await world.seed('acme/prod');
    const run = await runCli(world.sandbox, ['orphans']);
    expect(run).toMatchObject({
      code: 0,
      stdout:
        'No unrecorded tokens: every AVAILABLE token of the managed licenses is named by a record.\n',
      stderr: '',
    });
  });

  it('--delete deletes each listed token, one line each, and leaves the recorded ones', async () => {
    const seeded = await world.seed('acme/prod');
    const strays = [await handMinted(), await handMinted()].sort();
    const run = await runCli(world.sandbox, ['orphans', '--delete']);
    expect(run.code).toBe(0);
    for (const stray of strays) {
      expect(run.stdout).toContain(`\ndeleted ${stray}\n`);
      expect(statusOf(stray)).toBe('DELETED');
    }
    expect(run.stdout).toMatch(/Deleted 2 of 2 unrecorded token\(s\)\.\n$/);
    expect(statusOf(seeded.tokenId)).toBe('AVAILABLE');
    expect((await runCli(world.sandbox, ['orphans'])).code).toBe(0);
  });

  it('--delete reports a token it could not delete, keeps going, and exits 1', async () => {
    await world.seed('acme/prod');
    const stray = await handMinted();
    world.sandbox.faults.add({
      failNext: [
        { operation: 'license-manager:DeleteToken', count: 5, error: 'AccessDeniedException' },
      ],
    });
    const run = await runCli(world.sandbox, ['orphans', '--delete']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `NOT deleted ${stray}: DeleteToken failed (AccessDeniedException)`,
    );
    expect(run.stdout).toContain('Deleted 0 of 1 unrecorded token(s).\n');
    expect(statusOf(stray)).toBe('AVAILABLE');
  });

  it('--json lists the tokens (ids, never values) and, with --delete, what became of each', async () => {
    await world.seed('acme/prod');
    const stray = await handMinted();
    const listed = JSON.parse((await runCli(world.sandbox, ['orphans', '--json'])).stdout);
    expect(listed).toEqual({
      unrecordedTokens: [
        {
          tokenId: stray,
          licenseArn: LICENSE_ARN,
          status: 'AVAILABLE',
          roleArns: [ROLE_ARN],
          tokenProperties: ['minted-by-hand'],
          expiresAt: expect.stringMatching(/Z$/),
        },
      ],
      licenseCheckFailures: 0,
      warnings: [],
    });
    const deleted = JSON.parse(
      (await runCli(world.sandbox, ['orphans', '--delete', '--json'])).stdout,
    );
    expect(deleted.deletions).toEqual([{ tokenId: stray, result: 'revoked' }]);
  });

  it('fails with a warning when a license cannot be listed', async () => {
    await world.seed('acme/prod');
    world.sandbox.faults.add({
      failNext: [
        { operation: 'license-manager:ListTokens', count: 5, error: 'AccessDeniedException' },
      ],
    });
    const run = await runCli(world.sandbox, ['orphans']);
    expect(run.code).toBe(1);
    const [warning, ...rest] = run.stderr.split('\n');
    expect(warning).toContain(
      `warning: Could not list the tokens of a license: ${LICENSE_ARN} ListTokens failed (AccessDeniedException)`,
    );
    expect(rest).toEqual(['']);
    expect(run.stdout).toBe(
      'No unrecorded tokens among the licenses listed; 1 could not be listed.\n',
    );
  });
});
