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
