import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { capturedLogs, clearCapturedOutput } from '../../helpers/output.js';
import { fakeJwt } from '../../helpers/secrets.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const logLine = (): Record<string, unknown> | undefined => {
  clearCapturedOutput();
  createLogger().info('hello');
  return capturedLogs()[0];
};

describe('createLogger', () => {
  it('names the service license-token-rotator by default', () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', undefined);
    expect(logLine()).toMatchObject({ message: 'hello', service: 'license-token-rotator' });
  });

  it('takes the service name POWERTOOLS_SERVICE_NAME gives', () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'rotator-staging');
    expect(logLine()).toMatchObject({ service: 'rotator-staging' });
  });

  it('redacts tokens in what it writes', () => {
    const jwt = fakeJwt();
    clearCapturedOutput();
    createLogger().info('rotated', { detail: `token ${jwt}` });
    expect(capturedLogs()[0]).toMatchObject({ detail: 'token [REDACTED]' });
  });
});
