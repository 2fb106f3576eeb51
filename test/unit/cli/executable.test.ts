import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../tools/sandbox/sandbox.js';
import { spawnCli } from '../../helpers/cli.js';
import { LICENSE_ARN } from '../../helpers/factories.js';
import { startTestSandbox } from '../../helpers/sandbox.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('the license-token-rotator executable', () => {
  it('registers, reports status as JSON, and exits with the documented codes', async () => {
    const registered = await spawnCli(sandbox, [
      'register',
      'acme/prod',
      '--license-arn',
      LICENSE_ARN,
      '--kms-key-id',
      'alias/license-token-rotator',
      '--json',
    ]);
    expect(registered).toMatchObject({ code: 0, stderr: '' });
    const status = await spawnCli(sandbox, ['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).tokens).toEqual([
      expect.objectContaining({ name: '/license-tokens/acme/prod', state: 'ok' }),
    ]);
    const again = await spawnCli(sandbox, ['register', 'acme/prod', '--license-arn', LICENSE_ARN], {
      KMS_KEY_ID: 'alias/license-token-rotator',
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  }, 30_000);

  it('prints one error line, no stack, when AWS cannot be reached', async () => {
    const run = await spawnCli(sandbox, ['status', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^license-token-rotator: DescribeParameters failed \(ECONNREFUSED\)[^\n]*\n$/,
    );
  }, 30_000);
});
