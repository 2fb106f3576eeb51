import { AddTagsToResourceCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { PICKUP_TAG } from '../../../../src/aws/parameter-store.js';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { LICENSE_ARN, TOKEN_PATH } from '../../../helpers/factories.js';

const world = cliWorld();
const NAME = `${TOKEN_PATH}acme/prod`;

describe('license-token-rotator show', () => {
  it('shows the record and state, never the token', async () => {
    const seeded = await world.seed('acme/prod');
    const run = await runCli(world.sandbox, ['show', 'acme/prod']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^name\\s+${NAME}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^token id\\s+${seeded.tokenId}$`, 'm'));
    expect(run.stdout).toMatch(/^state\s+ok$/m);
    expect(run.stdout).toMatch(/^renews from\s+.* UTC \(lifetime window\)$/m);
    expect(run.stdout).not.toMatch(/^token\s+(?!id|properties)/m);
    expect(run.stdout).not.toContain(world.sandbox.ssm.parameter(NAME)?.value);
  });

  it('reveals the token only with --reveal', async () => {
    await world.seed('acme/prod');
    const value = world.sandbox.ssm.parameter(NAME)?.value ?? '';
    const run = await runCli(world.sandbox, ['show', NAME, '--reveal']);
    expect(run.stdout).toMatch(new RegExp(`^token\\s+${value.replaceAll('.', '\\.')}$`, 'm'));
    const json = JSON.parse(
      (await runCli(world.sandbox, ['show', NAME, '--json', '--reveal'])).stdout,
    );
    expect(json.token).toBe(value);
  });

  it('answers --json with the record', async () => {
    const seeded = await world.seed('acme/prod');
    const json = JSON.parse((await runCli(world.sandbox, ['show', NAME, '--json'])).stdout);
    expect(json).toMatchObject({
      name: NAME,
      version: 1,
      state: 'ok',
      record: { tokenId: seeded.tokenId },
    });
    expect(json).not.toHaveProperty('token');
  });

  it('shows why an unmanaged parameter is unmanaged', async () => {
    await world.unmanaged('notes', '{}');
    const run = await runCli(world.sandbox, ['show', 'notes']);
    expect(run.stdout).toMatch(/^state\s+unmanaged: record v: is required$/m);
  });

  it('refuses a parameter that does not exist', async () => {
    expect(await runCli(world.sandbox, ['show', 'nope'])).toMatchObject({ code: 2 });
  });
});

describe('license-token-rotator show: revocation and pickup', () => {
  const KEY = ['--kms-key-id', 'alias/license-token-rotator'];
  const HOUR = 60 * 60 * 1000;
  const showJson = async () =>
    JSON.parse((await runCli(world.sandbox, ['show', NAME, '--json'])).stdout);
  const pickedUp = async (tokenId: string, at: Date) => {
    await world.clients.ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: NAME,
        Tags: [{ Key: PICKUP_TAG, Value: `${tokenId} ${at.toISOString()}` }],
      }),
    );
  };
  const rotated = async () => {
    const seeded = await world.seed('acme/prod');
    expect((await runCli(world.sandbox, ['rotate', NAME, '--now', ...KEY])).code).toBe(0);
    const current = (await showJson()).record.tokenId as string;
    return { previous: seeded.tokenId, current };
  };

  it('shows the default policy, no previous token and no pickup for a fresh token', async () => {
    await world.seed('acme/prod');
    const run = await runCli(world.sandbox, ['show', NAME]);
    expect(run.stdout).toMatch(/^revocation\s+after-pickup \(default, REVOCATION_POLICY\)$/m);
    expect(run.stdout).toMatch(/^previous state\s+-$/m);
    expect(run.stdout).toMatch(/^last pickup\s+none recorded$/m);
    const json = await showJson();
    expect(json).toMatchObject({
      revocation: { policy: 'after-pickup', source: 'default' },
      previousStanding: { kind: 'none' },
      lastPickup: null,
    });
  });

  it("shows the record's own policy", async () => {
    await runCli(world.sandbox, [
      'register',
      NAME,
      '--license-arn',
      LICENSE_ARN,
      '--revocation',
      'never',
      ...KEY,
    ]);
    const shown = await runCli(world.sandbox, ['show', NAME], {
      env: { REVOCATION_POLICY: 'after-grace' },
    });
    expect(shown.stdout).toMatch(/^revocation\s+never \(the record\)$/m);
  });

  it('follows the previous token from its grace period to awaiting pickup, overdue, and due', async () => {
    const { current } = await rotated();
    expect((await runCli(world.sandbox, ['show', NAME])).stdout).toMatch(
      /^previous state\s+in its grace period until \d{4}-\d\d-\d\d \d\d:\d\d UTC$/m,
    );
    world.sandbox.clock.advance(73 * HOUR);
    expect((await runCli(world.sandbox, ['show', NAME])).stdout).toMatch(
      /^previous state\s+awaiting the current token's pickup$/m,
    );
    world.sandbox.clock.advance(100 * HOUR);
    expect((await runCli(world.sandbox, ['show', NAME])).stdout).toMatch(
      /^previous state\s+awaiting the current token's pickup: OVERDUE \(PICKUP_OVERDUE_HOURS\)$/m,
    );
    const at = world.sandbox.clock.now();
    await pickedUp(current, at);
    const run = await runCli(world.sandbox, ['show', NAME]);
    expect(run.stdout).toMatch(/^previous state\s+due for deletion \(current token picked up\)$/m);
    expect(run.stdout).toMatch(
      new RegExp(
        `^last pickup\\s+${current} at ${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)} UTC \\(the current token\\)$`,
        'm',
      ),
    );
    expect(await showJson()).toMatchObject({
      previousStanding: { kind: 'due', reason: 'picked-up' },
      lastPickup: { tokenId: current, at: at.toISOString() },
    });
  });

  it('says when the last pickup was of an older token', async () => {
    const { previous } = await rotated();
    await pickedUp(previous, world.sandbox.clock.now());
    expect((await runCli(world.sandbox, ['show', NAME])).stdout).toMatch(
      new RegExp(`^last pickup\\s+${previous} at .* UTC \\(an older token\\)$`, 'm'),
    );
  });

  it('shows a previous token kept under the policy never', async () => {
    await rotated();
    const run = await runCli(world.sandbox, ['show', NAME], {
      env: { REVOCATION_POLICY: 'never' },
    });
    expect(run.stdout).toMatch(/^previous state\s+retained until it expires \(policy never\)$/m);
  });
});
