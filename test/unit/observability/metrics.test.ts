import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.js';
import { capturedJson, clearCapturedOutput } from '../../helpers/output.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Publishes one metric and returns the EMF line written. */
const emfLine = (): Record<string, unknown> | undefined => {
  clearCapturedOutput();
  const metrics = createMetrics();
  metrics.addMetric('TokensRotated', 'Count', 1);
  metrics.publishStoredMetrics();
  return capturedJson().find((line) => '_aws' in line);
};

describe('createMetrics', () => {
  it('publishes in the LicenseTokenRotator namespace, for the service license-token-rotator', () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', undefined);
    const line = emfLine();
    expect(line).toMatchObject({ service: 'license-token-rotator', TokensRotated: 1 });
    // The alarms and the dashboard in serverless.yml read this namespace.
    expect(JSON.stringify(line)).toContain('"Namespace":"LicenseTokenRotator"');
  });

  it('takes the service name POWERTOOLS_SERVICE_NAME gives', () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'rotator-staging');
    expect(emfLine()).toMatchObject({ service: 'rotator-staging' });
  });
});
