import { describe, expect, it } from 'vitest';
import { type Json, packaged } from './template.js';

const { template, evaluator, env } = packaged();
const output = (name: string): string =>
  evaluator.string((template.Outputs?.[name] as Record<string, Json> | undefined)?.Value);

describe('the stack outputs the operator CLI reads', () => {
  it('name the jobs queue the scanner sends to', () => {
    expect(output('JobQueueUrl')).toBe(
      evaluator.string(env('ScannerLambdaFunction').JOB_QUEUE_URL),
    );
  });

  it('name the KMS key the rotator writes with', () => {
    expect(output('KmsKeyId')).toBe(env('RotatorLambdaFunction').KMS_KEY_ID);
    expect(output('KmsKeyId')).toBe('alias/aws/ssm');
  });
});

describe('the stack outputs a consumer needs', () => {
  const exchangeArn = evaluator.string({ 'Fn::GetAtt': ['ExchangeLambdaFunction', 'Arn'] });
  const statement = (name: string): Record<string, Json> =>
    JSON.parse(output(name)) as Record<string, Json>;

  it('give the exchange URL the agent calls, and the function behind it', () => {
    expect(output('ExchangeUrl')).toBe(
      evaluator.string({ 'Fn::GetAtt': ['ExchangeLambdaFunctionUrl', 'FunctionUrl'] }),
    );
    expect(output('ExchangeFunctionArn')).toBe(exchangeArn);
    expect(exchangeArn).toMatch(/:function:license-token-rotator-[a-z0-9-]+-exchange$/);
  });

  it('give the one statement that lets a role call the URL: both actions AWS checks, this function only', () => {
    expect(statement('ConsumerPolicyStatement')).toEqual({
      Effect: 'Allow',
      Action: ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'],
      Resource: exchangeArn,
    });
    expect(template.Outputs).not.toHaveProperty('ConsumerInvokeStatement');
  });
});
