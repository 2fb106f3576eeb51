import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobReason, messageGroupId, newJob, serialiseJob } from '../../src/rotation/job.js';
import { parseRecord } from '../../src/rotation/record.js';
import { HOUR_MS } from '../../src/time.js';
import { SANDBOX_CREDENTIALS } from '../../tools/local/clients.js';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { TEST_REGION } from '../helpers/sandbox.js';

const NAME = 'senders/acme';
const FULL = `${TOKEN_PATH}${NAME}`;

/**
 * Over HTTP, with the sandbox reporting each sender's access key as SenderId, as SQS reports an
 * IAM principal: the scanner signs with the trusted key, an operator with another.
 */
describe('jobs from a sender the rotator does not trust', () => {
  let h: Harness;
  let operator: SQSClient;
  let sends = 0;

  beforeEach(async () => {
    h = await startHarness({ env: { TRUSTED_SENDER_IDS: SANDBOX_CREDENTIALS.accessKeyId } });
    operator = new SQSClient({
      endpoint: h.sandbox.endpoint,
      region: TEST_REGION,
      credentials: { accessKeyId: 'AKIAOPERATOR', secretAccessKey: 'operator-secret' },
    });
    // One rotation, then past the grace period: a previous token that is still live.
    await h.seed(NAME, { ageDays: 300 });
    await h.scan();
    await h.drain();
    h.sandbox.clock.advance(73 * HOUR_MS);
  });
  afterEach(async () => {
    operator.destroy();
    await h.close();
  });

  const previousToken = (): string =>
    parseRecord(h.sandbox.ssm.parameter(FULL)?.description, h.sandbox.clock.now())
      .previousTokenId ?? '';
  const sendAsOperator = async (reason: JobReason): Promise<void> => {
    const version = h.sandbox.ssm.parameter(FULL)?.version ?? 0;
    const job = newJob(FULL, version, reason, h.sandbox.clock.now());
    await operator.send(
      new SendMessageCommand({
        QueueUrl: h.queues.jobQueueUrl,
        MessageBody: serialiseJob(job),
        MessageGroupId: messageGroupId(FULL),
        // Each send its own: SQS would drop a repeat inside its five-minute deduplication window.
        MessageDeduplicationId: `operator-${reason}-${++sends}`,
      }),
    );
  };

  it("dead-letters its revocation as UntrustedSender; the scanner's own revocation goes through", async () => {
    const previous = previousToken();
    await sendAsOperator(JobReason.RevokePrevious);
    await h.drain();
    const dead = h.sandbox.sqs.queue('it-dlq.fifo')?.messages ?? [];
    expect(dead.map((m) => m.attributes.FailureReason?.StringValue)).toEqual(['UntrustedSender']);
    expect(h.sandbox.licenseManager.token(previous)?.status).toBe('AVAILABLE');

    await h.scan();
    await h.drain();
    expect(h.sandbox.licenseManager.token(previous)?.status).toBe('DELETED');
  });

  it('runs its forced rotation only once the previous token is no longer live', async () => {
    const version = h.sandbox.ssm.parameter(FULL)?.version;
    await sendAsOperator(JobReason.Forced);
    await h.drain();
    expect(h.sandbox.ssm.parameter(FULL)?.version).toBe(version);
    expect(h.sandbox.licenseManager.token(previousToken())?.status).toBe('AVAILABLE');

    await h.scan();
    await h.drain();
    await sendAsOperator(JobReason.Forced);
    await h.drain();
    expect(h.sandbox.ssm.parameter(FULL)?.version).toBe((version ?? 0) + 1);
  });
});
