import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { licenseManagerClientFor, sqsClient, ssmClient } from '../../../src/aws/clients.js';

describe('licenseManagerClientFor', () => {
  const options = { region: 'us-east-1', maxAttempts: 7 };

  it('builds the default region’s client for no region', async () => {
    const client = licenseManagerClientFor(options)(undefined);
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.maxAttempts()).toBe(7);
  });

  it('builds a client in the region asked for, with the other options kept', async () => {
    const client = licenseManagerClientFor(options)('eu-west-1');
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.maxAttempts()).toBe(7);
  });
});

describe('the SDK clients', () => {
  it('leave an option given as undefined to the SDK, so the region comes from the environment', async () => {
    const client = sqsClient({ region: undefined, maxAttempts: 2 });
    expect(client).toBeInstanceOf(SQSClient);
    expect(await client.config.region()).toBe(process.env.AWS_REGION);
    expect(await client.config.maxAttempts()).toBe(2);
  });

  it('give SSM adaptive retries, to pace DescribeParameters under its shared rate limit', async () => {
    expect(await ssmClient().config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await sqsClient().config.retryStrategy()).toMatchObject({ mode: 'standard' });
  });
});
