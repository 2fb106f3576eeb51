import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRotator, wireRotator } from '../../../src/app/rotator.js';
import type { RotatorConfig } from '../../../src/config.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { NAMESPACE } from '../../../src/observability/metrics.js';
import { messageGroupId } from '../../../src/rotation/job.js';
import type { MessageQueue, QueueMessage } from '../../../src/rotation/ports.js';
import {
  aJob,
  anSqsEvent,
  anSqsRecord,
  aRecord,
  NOW,
  ROTATE_OPTIONS,
  TOKEN_PATH,
} from '../../helpers/factories.js';
import { aContext } from '../../helpers/lambda.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens, rejected } from '../../helpers/memory-tokens.js';
import { capturedJson, capturedLogs, clearCapturedOutput } from '../../helpers/output.js';

const NAME = `${TOKEN_PATH}acme/prod`;
const config: RotatorConfig = {
  ...ROTATE_OPTIONS,
  tokenPath: TOKEN_PATH,
  criticalDays: 7,
  eventBusName: 'default',
  trustedSenders: undefined,
  deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq.fifo',
};

let store: MemoryStore;
let tokens: MemoryTokens;
let metrics: Metrics;
const sent: QueueMessage[] = [];
const deadLetters: MessageQueue = {
  sendBatch: async () => [],
  send: async (message) => {
    sent.push(message);
  },
};

/** Runs one batch through a rotator wired to the in-memory ports, then publishes its metrics. */
async function invoke(...bodies: string[]) {
  return invokeWithin(aContext('rotator'), ...bodies);
}

/** The same, with the Lambda context given (its remaining time, say). */
async function invokeWithin(context: Context, ...bodies: string[]) {
  const rotator = createRotator(
    wireRotator(config, {
      store,
      tokens,
      deadLetters,
      pickups: new MemoryStore(),
      events: { publish: async () => undefined },
      logger: createLogger(),
      metrics,
      clock: () => NOW,
    }),
  );
  const records = bodies.map((body, index) => anSqsRecord(body, index, messageGroupId(NAME)));
  const response = await rotator(anSqsEvent(...records), context);
  metrics.publishStoredMetrics();
  return { response, records };
}

/** The metric names and values of every EMF line printed. */
const published = (): Record<string, unknown>[] =>
  capturedJson()
    .filter((line) => '_aws' in line)
    .map(({ _aws, service, ...values }) => values);

const job = () => JSON.stringify(aJob({ parameterName: NAME, observedVersion: 3 }));

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
  metrics = new Metrics({ namespace: NAMESPACE, serviceName: 'license-token-rotator' });
  sent.length = 0;
  clearCapturedOutput();
});

describe('createRotator', () => {
  it('counts and logs a token that dropped out of the record but could not be deleted', async () => {
    store.set(
      NAME,
      3,
      aRecord({ daysLeft: 5, tokenId: 'current', previousTokenId: 'grandparent' }),
    );
    tokens.seed('grandparent');
    tokens.deleteError = new PermanentError('DeleteToken', 'AccessDeniedException', 'denied');
    const { response, records } = await invoke(job());

    expect(response.batchItemFailures).toEqual([]);
    expect(published()).toEqual([{ TokensRotated: 1, TokensVerified: 1, RevocationFailures: 1 }]);
    const errors = capturedLogs().filter((line) => line.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'Could not delete the token that dropped out of the record',
        messageId: records[0]?.messageId,
        tokenId: 'grandparent',
        result: 'failed',
        failure: 'DeleteToken failed (AccessDeniedException): denied',
      }),
    ]);
  });

  it('counts a rotation, and a grandparent token it deleted on the way', async () => {
    store.set(
      NAME,
      3,
      aRecord({ daysLeft: 5, tokenId: 'current', previousTokenId: 'grandparent' }),
    );
    tokens.seed('grandparent');
    await invoke(job());
    expect(published()).toEqual([
      { TokensRotated: 1, TokensVerified: 1, PreviousTokensRevoked: 1 },
    ]);
  });

  it('starts no job it has too little time left to finish: the job comes back, nothing minted', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 5 }));
    const short = { ...aContext('rotator'), getRemainingTimeInMillis: () => 2_000 };
    const { response, records } = await invokeWithin(short, job());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
    expect(tokens.calls).toEqual([]);
    expect(store.writes).toEqual([]);
    expect(published()).toEqual([{ JobsDeferred: 1 }]);
  });

  it('counts and logs a write that produced a version other than the next one', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 5 }));
    const putToken = store.putToken.bind(store);
    // Another writer got in between the fresh describe and the write.
    store.putToken = async (write) => (await putToken(write)) + 1;
    await invoke(job());
    expect(published()).toEqual([{ TokensRotated: 1, TokensVerified: 1, UnexpectedVersions: 1 }]);
    expect(capturedLogs()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'The write produced an unexpected version',
        version: 5,
        previousVersion: 3,
      }),
    );
  });

  it('counts a plain rotation as rotated and verified, and nothing else', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 5 }));
    await invoke(job());
    expect(published()).toEqual([{ TokensRotated: 1, TokensVerified: 1 }]);
    expect(capturedLogs().filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('counts a revocation only when it deleted the token, and logs the revoke job', async () => {
    const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
    store.set(NAME, 4, aRecord({ tokenId: 'current', previousTokenId: 'previous', rotatedAt }));
    tokens.seed('previous');
    const revoke = JSON.stringify(
      aJob({ parameterName: NAME, observedVersion: 4, reason: 'revoke-previous' }),
    );
    const first = await invoke(revoke);
    expect(published()).toEqual([{ PreviousTokensRevoked: 1 }]);
    expect(capturedLogs()).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Previous token revoked',
        messageId: first.records[0]?.messageId,
        tokenId: 'previous',
        result: 'revoked',
      }),
    );

    clearCapturedOutput();
    await invoke(revoke);
    expect(published()).toEqual([]);
    expect(capturedLogs()).toContainEqual(
      expect.objectContaining({ message: 'Previous token revoked', result: 'already-revoked' }),
    );
  });

  it('counts a leaked token deleted right after the write, and logs one it could not delete', async () => {
    const leaked = JSON.stringify(
      aJob({ parameterName: NAME, observedVersion: 3, reason: 'leaked' }),
    );
    store.set(NAME, 3, aRecord({ tokenId: 'current' }));
    tokens.seed('current');
    await invoke(leaked);
    expect(tokens.statusOf('current')).toBe('DELETED');
    expect(published()).toEqual([
      { TokensRotated: 1, TokensVerified: 1, PreviousTokensRevoked: 1 },
    ]);

    clearCapturedOutput();
    store = new MemoryStore();
    tokens = new MemoryTokens();
    store.set(NAME, 3, aRecord({ tokenId: 'current' }));
    tokens.seed('current');
    tokens.deleteError = new PermanentError('DeleteToken', 'AccessDeniedException', 'denied');
    const { records } = await invoke(leaked);
    expect(published()).toEqual([{ TokensRotated: 1, TokensVerified: 1, RevocationFailures: 1 }]);
    expect(capturedLogs().filter((line) => line.level === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'Could not delete the leaked token',
        messageId: records[0]?.messageId,
        tokenId: 'current',
        result: 'failed',
      }),
    ]);
  });

  it('counts a revocation job that failed for good as a revocation failure, not a rotation one', async () => {
    const rotatedAt = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
    store.set(NAME, 4, aRecord({ tokenId: 'current', previousTokenId: 'previous', rotatedAt }));
    tokens.seed('previous', { licenseArn: 'arn:aws:license-manager::111122223333:license:l-x' });
    await invoke(
      JSON.stringify(aJob({ parameterName: NAME, observedVersion: 4, reason: 'revoke-previous' })),
    );
    expect(published()).toContainEqual({ Reason: 'TokenNotOwned', RevocationFailures: 1 });
    expect(published().filter((line) => 'RotationFailures' in line)).toEqual([]);
  });

  it('counts a job acknowledged without action as skipped', async () => {
    // An expiring job for a token that is no longer due: a scan saw an older record.
    store.set(NAME, 3, aRecord({ daysLeft: 200 }));
    await invoke(job());
    expect(published()).toEqual([{ JobsSkipped: 1 }]);
    expect(capturedLogs()).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'Job acknowledged without action' }),
    );
  });

  it('counts a verification failure only for a job whose new token was rejected', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 5 }));
    tokens.verifyError = rejected();
    await invoke(job(), 'not a job');
    const counts = published();
    expect(counts).toContainEqual(
      expect.objectContaining({ RotationFailures: 1, VerificationFailures: 1, InvalidJobs: 1 }),
    );
    expect(counts).toContainEqual({ Reason: 'NotJson', InvalidJobs: 1 });
    expect(counts).toContainEqual({ Reason: 'VerificationFailed', RotationFailures: 1 });
  });

  it('counts no verification failure for a job that failed for another reason', async () => {
    await invoke('not a job');
    expect(published().filter((line) => 'VerificationFailures' in line)).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('warns, counts a retry and fails the item when a job fails for now', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 5 }));
    tokens.verifyError = new TransientError('GetAccessToken', 'ThrottlingException', 'slow down');
    const { response, records } = await invoke(job());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
    expect(published()).toEqual([expect.objectContaining({ RotationRetries: 1 })]);
    expect(
      capturedLogs().filter((line) => line.message === 'Job failed; it will be retried'),
    ).toEqual([expect.objectContaining({ level: 'WARN', messageId: records[0]?.messageId })]);
  });
});
