import { describe, expect, it } from 'vitest';
import { licenseManagerClientFor } from '../../../src/aws/clients.js';

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
