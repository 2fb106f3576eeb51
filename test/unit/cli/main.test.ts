import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    clock: () => new Date(),
  });
  return { code, stdout, stderr };
}

const COMMANDS = ['register', 'status', 'scan', 'rotate', 'show', 'orphans', 'exchange-policy'];

describe('license-token-rotator (arguments and help)', () => {
  it('prints the command list with --help, and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(stdout).toContain('--endpoint-url URL');
  });

  it('prints the command list and exits 2 with no arguments', async () => {
    const { code, stdout } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toContain('Commands:');
  });

  it.each(COMMANDS)('has --help for %s', async (command) => {
    const viaFlag = await run([command, '--help']);
    const viaHelp = await run(['help', command]);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout).toMatch(new RegExp(`^Usage: license-token-rotator ${command}`));
    expect(viaFlag.stdout).toContain('Global options:');
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it('refuses an unknown command, an unknown option and a stray argument with exit 2', async () => {
    expect(await run(['renew'])).toMatchObject({
      code: 2,
      stderr:
        'license-token-rotator: unknown command "renew"\nRun "license-token-rotator --help" for usage.\n',
    });
    expect(await run(['status', '--colour'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--colour'"),
    });
    expect(await run(['status', 'extra'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unexpected argument "extra"'),
    });
  });

  it('finds the command after global options that take a value', async () => {
    const { code, stdout } = await run(['--region', 'eu-west-1', 'status', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: license-token-rotator status/);
  });

  it('refuses a bad token path as a usage error', async () => {
    const { code, stderr } = await run(['status', '--token-path', 'relative/path']);
    expect(code).toBe(2);
    expect(stderr).toContain('TOKEN_PATH must be an absolute path');
  });

  it('prints a stack trace only with --debug', async () => {
    const plain = await run([
      'status',
      '--endpoint-url',
      'http://127.0.0.1:9',
      '--region',
      'us-east-1',
    ]);
    const debug = await run([
      'status',
      '--endpoint-url',
      'http://127.0.0.1:9',
      '--region',
      'us-east-1',
      '--debug',
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(debug.stderr).toMatch(/\n {4}at /);
  }, 20_000);

  it('refuses a stray argument to the new commands', async () => {
    expect(await run(['orphans', 'all'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unexpected argument "all"'),
    });
    expect(await run(['rotate', 'a', '--revoke-previous', 'b'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unexpected argument "b"'),
    });
  });
});
