import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ScheduledEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import scheduledEvent from '../../../events/scheduled-event.json' with { type: 'json' };
import { createScanner, wireScanner } from '../../../src/app/scanner.js';
import type { ScannerConfig } from '../../../src/config.js';
import { ScanIncompleteError } from '../../../src/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { NAMESPACE } from '../../../src/observability/metrics.js';
import type { LicenseTokens, MessageQueue } from '../../../src/rotation/ports.js';
import { aRecord, NOW, TOKEN_PATH } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';
import { capturedJson, clearCapturedOutput } from '../../helpers/output.js';
import { thrown } from '../../helpers/thrown.js';

const config: ScannerConfig = {
  tokenPath: TOKEN_PATH,
  renewBeforeDays: undefined,
  criticalDays: 7,
  revokePreviousAfterHours: 72,
  jobQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo',
};
const event = (): ScheduledEvent => structuredClone(scheduledEvent) as ScheduledEvent;

/** A store with one rotated token whose previous token is past its grace period. */
function storeWithPreviousToken(): MemoryStore {
  const store = new MemoryStore();
  const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
  store.set(`${TOKEN_PATH}a`, 2, aRecord({ previousTokenId: 'previous', rotatedAt }));
  return store;
}

const scanner = (
  store: MemoryStore,
  queue: MessageQueue,
  tokens: Pick<LicenseTokens, 'availableTokenIds'>,
  metrics = new Metrics({ namespace: NAMESPACE, serviceName: 'license-token-rotator' }),
) =>
  createScanner(
    wireScanner(config, {
      store,
      queue,
      tokens,
      logger: createLogger(),
      metrics,
      clock: () => NOW,
    }),
  );

/** The metric values of the EMF lines printed since the last clear. */
const published = (): Record<string, unknown>[] =>
  capturedJson()
    .filter((line) => '_aws' in line)
    .map(({ _aws, service, ...values }) => values);

const acceptingQueue: MessageQueue = { sendBatch: async () => [], send: async () => undefined };
const unreachable = { availableTokenIds: async () => Promise.reject(new Error('ListTokens down')) };

describe('createScanner', () => {
  it('fails the invocation when previous tokens could not be checked, though all else went well', async () => {
    const error = await thrown(
      scanner(storeWithPreviousToken(), acceptingQueue, unreachable)(event()),
    );
    expect(error).toBeInstanceOf(ScanIncompleteError);
    expect(error.message).toBe(
      'Scan incomplete: 1 previous token(s) could not be checked for revocation; the next scan tries again',
    );
  });

  it('names every kind of work it left undone', async () => {
    const store = storeWithPreviousToken();
    store.set(`${TOKEN_PATH}due`, 1, aRecord({ daysLeft: 5 }));
    const refusing: MessageQueue = {
      sendBatch: async (messages) =>
        messages.map((_, index) => ({ index, code: 'InvalidParameterValue', senderFault: true })),
      send: async () => undefined,
    };
    const error = await thrown(scanner(store, refusing, unreachable)(event()));
    expect(error.message).toBe(
      'Scan incomplete: 1 job(s) could not be enqueued; 1 previous token(s) could not be checked for revocation; the next scan tries again',
    );
  });

  it('returns the summary when nothing was left undone', async () => {
    const available = { availableTokenIds: async () => new Set<string>() };
    await expect(
      scanner(storeWithPreviousToken(), acceptingQueue, available)(event()),
    ).resolves.toMatchObject({ scanned: 1, revocationCheckFailures: 0, enqueueFailures: 0 });
  });

  it('publishes one metric for each count of the scan', async () => {
    const store = storeWithPreviousToken();
    store.set(`${TOKEN_PATH}ok`, 1, aRecord({ daysLeft: 200 }));
    store.set(`${TOKEN_PATH}due`, 1, aRecord({ daysLeft: 20 }));
    store.set(`${TOKEN_PATH}critical`, 1, aRecord({ daysLeft: 3 }));
    store.set(`${TOKEN_PATH}expired`, 1, aRecord({ daysLeft: -1 }));
    store.set(`${TOKEN_PATH}notes`, 1, 'hand-made');
    const tokens = new MemoryTokens();
    tokens.status.set('previous', 'AVAILABLE');
    const metrics = new Metrics({ namespace: NAMESPACE, serviceName: 'license-token-rotator' });
    clearCapturedOutput();
    await scanner(store, acceptingQueue, tokens, metrics)(event());
    metrics.publishStoredMetrics();
    expect(published()).toEqual([
      {
        ParametersScanned: 6,
        TokensDue: 2,
        TokensExpired: 1,
        TokensCritical: 2,
        UnmanagedParameters: 1,
        JobsEnqueued: 4,
        EnqueueFailures: 0,
        RevocationsEnqueued: 1,
        MinDaysToExpiry: -1,
      },
    ]);
  });

  it('publishes no MinDaysToExpiry when there is no managed token', async () => {
    const store = new MemoryStore();
    store.set(`${TOKEN_PATH}notes`, 1, 'hand-made');
    const metrics = new Metrics({ namespace: NAMESPACE, serviceName: 'license-token-rotator' });
    clearCapturedOutput();
    await scanner(store, acceptingQueue, new MemoryTokens(), metrics)(event());
    metrics.publishStoredMetrics();
    const [line] = published();
    expect(line).toMatchObject({ ParametersScanned: 1, UnmanagedParameters: 1 });
    expect(line && 'MinDaysToExpiry' in line).toBe(false);
  });
});
