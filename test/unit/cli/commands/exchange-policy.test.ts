import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';
import { cliWorld } from '../../../helpers/cli-world.js';

const world = cliWorld();
const FUNCTION_ARN =
  'arn:aws:lambda:us-east-1:123456789012:function:license-token-rotator-prod-exchange';
const STATEMENT = {
  Effect: 'Allow',
  Action: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
  Resource: FUNCTION_ARN,
};

describe('license-token-rotator exchange-policy', () => {
  it('prints the statement as pretty JSON, and where it goes on stderr', async () => {
    const run = await runCli(world.sandbox, ['exchange-policy', '--function-arn', FUNCTION_ARN]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${JSON.stringify(STATEMENT, null, 2)}\n`);
    expect(run.stderr).toBe(
      'Add this statement to the permissions policy of each role the tokens name (register --role-arn).\n',
    );
  });

  it('--json prints the statement alone, the function taken from EXCHANGE_FUNCTION_ARN', async () => {
    const run = await runCli(world.sandbox, ['exchange-policy', '--json'], {
      env: { EXCHANGE_FUNCTION_ARN: `${FUNCTION_ARN}:live` },
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ ...STATEMENT, Resource: `${FUNCTION_ARN}:live` });
  });

  it('needs the function ARN, and refuses anything else', async () => {
    const missing = await runCli(world.sandbox, ['exchange-policy']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "exchange-policy needs the exchange function's ARN: pass --function-arn ARN or set EXCHANGE_FUNCTION_ARN",
    );
    const wrong = await runCli(world.sandbox, [
      'exchange-policy',
      '--function-arn',
      'arn:aws:iam::123456789012:role/LicenseConsumer',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('the exchange function must be a Lambda function ARN');
    expect(wrong.stdout).toBe('');
  });
});
