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
import { aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH, tokenIdFor } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';
import { capturedJson, clearCapturedOutput } from '../../helpers/output.js';
import { thrown } from '../../helpers/thrown.js';

const config: ScannerConfig = {
  ...ROTATE_OPTIONS,
  tokenPath: TOKEN_PATH,
  criticalDays: 7,
  eventBusName: 'default',
  jobQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo',
};
const event = (): ScheduledEvent => structuredClone(scheduledEvent) as ScheduledEvent;

/** A store with one rotated token whose previous token is past its grace period. */
function storeWithPreviousToken(): MemoryStore {
  const store = new MemoryStore();
  const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
  store.set(
    `${TOKEN_PATH}a`,
    2,
    aRecord({ tokenId: tokenIdFor('a'), previousTokenId: 'previous', rotatedAt }),
  );
  return store;
}

const scanner = (
  store: MemoryStore,
  queue: MessageQueue,
  tokens: Pick<LicenseTokens, 'licenseTokens'>,
  metrics = new Metrics({ namespace: NAMESPACE, serviceName: 'license-token-rotator' }),
) =>
  createScanner(
    wireScanner(config, {
      store,
      queue,
      tokens,
      pickups: new MemoryStore(),
      events: { publish: async () => undefined },
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
const unreachable = Object.assign(new MemoryTokens(), { listError: new Error('ListTokens down') });

describe('createScanner', () => {
  it("fails the invocation when a license's tokens could not be listed, though all else went well", async () => {
    const error = await thrown(
      scanner(storeWithPreviousToken(), acceptingQueue, unreachable)(event()),
    );
    expect(error).toBeInstanceOf(ScanIncompleteError);
    expect(error.message).toBe(
      'Scan incomplete: the tokens of 1 license(s) could not be listed; the next scan tries again',
    );
  });

  it('names every kind of work it left undone', async () => {
    const store = storeWithPreviousToken();
    store.set(`${TOKEN_PATH}due`, 1, aRecord({ daysLeft: 5, tokenId: tokenIdFor('due') }));
    const refusing: MessageQueue = {
      sendBatch: async (messages) =>
        messages.map((_, index) => ({ index, code: 'InvalidParameterValue', senderFault: true })),
      send: async () => undefined,
    };
    const error = await thrown(scanner(store, refusing, unreachable)(event()));
    expect(error.message).toBe(
      'Scan incomplete: 1 job(s) could not be enqueued; the tokens of 1 license(s) could not be listed; the next scan tries again',
    );
  });

  it('returns the summary when nothing was left undone', async () => {
    const available = new MemoryTokens();
    await expect(
      scanner(storeWithPreviousToken(), acceptingQueue, available)(event()),
    ).resolves.toMatchObject({ scanned: 1, licenseCheckFailures: 0, enqueueFailures: 0 });
  });

  it('publishes one metric for each count of the scan', async () => {
    const store = storeWithPreviousToken();
    store.set(`${TOKEN_PATH}ok`, 1, aRecord({ daysLeft: 200, tokenId: tokenIdFor('ok') }));
    store.set(`${TOKEN_PATH}due`, 1, aRecord({ daysLeft: 20, tokenId: tokenIdFor('due') }));
    store.set(
      `${TOKEN_PATH}critical`,
      1,
      aRecord({ daysLeft: 3, tokenId: tokenIdFor('critical') }),
    );
    store.set(`${TOKEN_PATH}expired`, 1, aRecord({ daysLeft: -1, tokenId: tokenIdFor('expired') }));
    store.set(`${TOKEN_PATH}notes`, 1, 'hand-made');
    const tokens = new MemoryTokens();
    tokens.seed('previous');
    // Every current token listed but the due one's (lost), and one token no record names.
    for (const name of ['a', 'ok', 'critical']) tokens.seed(tokenIdFor(name));
    tokens.seed('stray');
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
        OrphanRevocationsEnqueued: 0,
        DamagedRecords: 1,
        ConflictingRecords: 0,
        LostTokens: 1,
        ParametersOptedOut: 0,
        RecordsNotAllowed: 0,
        UnrecordedTokens: 1,
        RevocationsDeferred: 0,
        PickupOverdue: 0,
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
