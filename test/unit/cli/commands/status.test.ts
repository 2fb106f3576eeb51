import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../src/time.js';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';
import { TOKEN_PATH } from '../../../helpers/factories.js';
import { mintedTokens } from '../../../helpers/secrets.js';

const world = cliWorld();

/** A fleet: fresh, due, expired, and one unmanaged parameter. */
async function fleet(): Promise<void> {
  await world.seed('fresh', { ageDays: 10 });
  await world.seed('due', { ageDays: 300 });
  await world.seed('expired', { ageDays: 40, expirationInDays: 30 });
  await world.unmanaged('notes', 'hand-made');
}

const lines = (text: string) => text.trimEnd().split('\n');

describe('license-token-rotator status', () => {
  it('lists every parameter, soonest expiry first, unmanaged last, and exits 3 when one has expired', async () => {
    await fleet();
    const run = await runCli(world.sandbox, ['status']);
    expect(run.code).toBe(3);
    const [header, ...rest] = lines(run.stdout);
    expect(header).toMatch(
      /^NAME\s+LICENSE\s+TOKEN\s+EXPIRES \(UTC\)\s+DAYS LEFT\s+LAST ROTATED\s+STATE$/,
    );
    const rows = rest.slice(0, 4);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      `${TOKEN_PATH}expired`,
      `${TOKEN_PATH}due`,
      `${TOKEN_PATH}fresh`,
      `${TOKEN_PATH}notes`,
    ]);
    expect(rows[0]).toMatch(/░{10} -10\s+-\s+EXPIRED$/);
    expect(rows[1]).toMatch(/█{2}░{8} 64\s+-\s+due$/);
    expect(rows[2]).toMatch(
      /l-01234567…\s+\S{8}…\s+2027-\d\d-\d\d \d\d:\d\d\s+█{10} 354\s+-\s+ok$/,
    );
    expect(rows[3]).toMatch(/\?\s+-\s+unmanaged: record description: is not JSON$/);
    expect(rest.at(-1)).toBe('4 parameters: 1 ok, 1 due, 1 expired, 1 unmanaged');
  });

  it('exits 0 when nothing has expired', async () => {
    await world.seed('fresh');
    expect((await runCli(world.sandbox, ['status'])).code).toBe(0);
  });

  it('exits 0 when tokens are due but none has expired: exit 3 means an expired token', async () => {
    await world.seed('fresh', { ageDays: 10 });
    await world.seed('due', { ageDays: 300 });
    await world.seed('due-soon', { ageDays: 360 });
    const json = await runCli(world.sandbox, ['status', '--json']);
    expect(JSON.parse(json.stdout).summary).toEqual({
      total: 3,
      ok: 1,
      due: 2,
      expired: 0,
      unmanaged: 0,
    });
    expect(json.code).toBe(0);
    expect((await runCli(world.sandbox, ['status'])).code).toBe(0);
  });

  it('answers --json with one document', async () => {
    await fleet();
    const run = await runCli(world.sandbox, ['status', '--json']);
    expect(run.code).toBe(3);
    const document = JSON.parse(run.stdout);
    expect(Object.keys(document)).toEqual(['generatedAt', 'tokenPath', 'summary', 'tokens']);
    expect(document.summary).toEqual({ total: 4, ok: 1, due: 1, expired: 1, unmanaged: 1 });
    expect(document.tokens[1]).toEqual({
      name: `${TOKEN_PATH}due`,
      state: 'due',
      version: 1,
      licenseArn: expect.stringMatching(/^arn:aws:license-manager/),
      tokenId: expect.any(String),
      issuedAt: expect.any(String),
      expiresAt: expect.any(String),
      renewAt: expect.any(String),
      daysLeft: 64.99,
      lastRotatedAt: null,
    });
    expect(document.tokens[3]).toEqual({
      name: `${TOKEN_PATH}notes`,
      state: 'unmanaged',
      version: 1,
      problem: 'record description: is not JSON',
    });
  });

  it('colours only on a TTY, and never with NO_COLOR', async () => {
    await world.seed('fresh');
    expect((await runCli(world.sandbox, ['status'])).stdout).not.toContain('\u001b[');
    expect((await runCli(world.sandbox, ['status'], { tty: true })).stdout).toContain('\u001b[32m');
    expect(
      (await runCli(world.sandbox, ['status'], { tty: true, env: { NO_COLOR: '1' } })).stdout,
    ).not.toContain('\u001b[');
  });

  it('follows the clock: the same fleet a year on has expired', async () => {
    await world.seed('fresh');
    world.sandbox.clock.advance(400 * DAY_MS);
    const run = await runCli(world.sandbox, ['status', '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ expired: 1 });
  });

  it('honours --token-path', async () => {
    await world.seed('fresh');
    const run = await runCli(world.sandbox, ['status', '--token-path', '/other']);
    expect(run).toMatchObject({ code: 0, stdout: 'No parameters under /other/\n' });
  });

  it('never prints a token value', async () => {
    await fleet();
    const values = world.sandbox.ssm
      .parameters()
      .filter((parameter) => parameter.name !== `${TOKEN_PATH}notes`)
      .map((parameter) => parameter.value);
    // The three managed parameters hold tokens License Manager (the sandbox) really minted.
    expect(values.map((value) => mintedTokens.has(value))).toEqual([true, true, true]);
    for (const args of [['status'], ['status', '--json']]) {
      const run = await runCli(world.sandbox, args, { tty: true });
      const printed = `${run.stdout}${run.stderr}`;
      expect(printed).toContain(`${TOKEN_PATH}due`);
      // Counted, not compared: a failure must not print the token either.
      expect(values.filter((value) => printed.includes(value)).length, args.join(' ')).toBe(0);
    }
  });
});
