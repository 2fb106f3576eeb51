/** The slice of the SDK's RetryStrategyV2 the clients call. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/**
 * The SDK's retry behaviour (retry throttling, 5xx and network errors; give up on client errors
 * or after `maxAttempts`) without its back-off delays, so a test of a throttling storm takes
 * milliseconds rather than minutes. Production keeps the SDK's own strategy.
 */
export function fastRetryStrategy(maxAttempts: number) {
  const token = (count: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => 1,
  });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async (_scope: string): Promise<RetryToken> => token(0),
    refreshRetryTokenForRetry: async (
      previous: RetryToken,
      error: { errorType: string },
    ): Promise<RetryToken> => {
      const count = previous.getRetryCount() + 1;
      if (error.errorType === 'CLIENT_ERROR' || count >= maxAttempts) {
        throw new Error('no more retries');
      }
      return token(count);
    },
    recordSuccess: (_token: RetryToken): void => undefined,
  };
}
