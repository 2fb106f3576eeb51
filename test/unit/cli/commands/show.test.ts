import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { TOKEN_PATH } from '../../../helpers/factories.js';

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
