import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PICKUP_TAG } from '../../src/aws/parameter-store.js';
import { JobReason, messageGroupId, newJob, serialiseJob } from '../../src/rotation/job.js';
import { HOUR_MS } from '../../src/time.js';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const NAME = 'acme/prod';
const FULL = `${TOKEN_PATH}${NAME}`;
const REFUSED = { status: 403, body: { message: 'refused' } };

describe('the token exchange, and revocation that waits for pickup, over HTTP', () => {
  let h: Harness;
  const held = () => h.sandbox.ssm.parameter(FULL)?.value ?? '';
  const types = () => h.sandbox.events.put().map((event) => event.detailType);

  /** Seeds a due token and rotates it: returns the superseded token and the new one. */
  const rotateOnce = async (): Promise<{ old: string; fresh: string }> => {
    await h.seed(NAME, { ageDays: 300 });
    const old = held();
    await h.scan();
    await h.drain();
    return { old, fresh: held() };
  };

  beforeEach(async () => {
    h = await startHarness({ env: { REVOCATION_POLICY: 'after-pickup' } });
  });
  afterEach(() => h.close());

  it('hands a host that holds the superseded token the new one, and revokes the old one only after pickup', async () => {
    const { old, fresh } = await rotateOnce();
    expect(fresh).not.toBe('');
    expect(fresh === old).toBe(false);

    const delivered = await h.exchange(NAME, old);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ v: 1, parameterName: FULL, version: 2 });
    expect(delivered.body.token === fresh).toBe(true);

    // Past the grace period, nothing picked up yet: the old token is kept, however long.
    h.sandbox.clock.advance(73 * HOUR_MS);
    expect(await h.scan()).toMatchObject({ revocationsDeferred: 1, revocationsEnqueued: 0 });
    await h.drain();
    expect(h.sandbox.licenseManager.check(old).ok).toBe(true);

    // The host confirms with the new token: the pickup is recorded, and the old token goes.
    expect((await h.exchange(NAME, fresh)).status).toBe(200);
    expect(h.sandbox.ssm.tags(FULL).get(PICKUP_TAG)).toMatch(/^\S+ \d{4}-\d\d-\d\dT/);
    expect(await h.scan()).toMatchObject({ revocationsEnqueued: 1, revocationsDeferred: 0 });
    await h.drain();
    expect(h.sandbox.licenseManager.check(old)).toMatchObject({ ok: false, reason: 'deleted' });
    expect(await h.exchange(NAME, old)).toEqual(REFUSED);
    expect(types()).toEqual(['Token Rotated', 'Token Picked Up', 'Token Revoked']);
    const revoked = h.sandbox.events.put().at(-1)?.detail;
    expect(revoked).toMatchObject({ parameterName: FULL, reason: 'picked-up' });
  });

  it('gives every hostile presenter the one refusal, and records nothing for them', async () => {
    const { old, fresh } = await rotateOnce();
    await h.seed('globex/prod', { ageDays: 10, tokenProperties: ['customer:globex'] });
    const other = h.sandbox.ssm.parameter(`${TOKEN_PATH}globex/prod`)?.value ?? '';
    for (const token of [other, fresh.slice(0, -5), `${old}x`, 'garbage']) {
      expect(await h.exchange(NAME, token)).toEqual(REFUSED);
    }
    // A parameter that does not exist, and one outside the token path, get the same answer.
    expect(await h.exchange('acme/nothing', fresh)).toEqual(REFUSED);
    expect(await h.exchange('../../elsewhere', fresh)).toEqual(REFUSED);
    expect(h.sandbox.ssm.tags(FULL).get(PICKUP_TAG)).toBeUndefined();
    expect(types()).toEqual(['Token Rotated']);
  });

  it('counts a pickup as overdue once the configured time has passed', async () => {
    await rotateOnce();
    h.sandbox.clock.advance(169 * HOUR_MS);
    expect(await h.scan()).toMatchObject({ revocationsDeferred: 1, pickupsOverdue: 1 });
  });

  it('cuts a leaked token off at once, whatever the grace period and the policy', async () => {
    const { old: first, fresh: leaked } = await rotateOnce();
    const version = h.sandbox.ssm.parameter(FULL)?.version ?? 0;
    const job = newJob(FULL, version, JobReason.Leaked, h.sandbox.clock.now());
    await h.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: h.queues.jobQueueUrl,
        MessageBody: serialiseJob(job),
        MessageGroupId: messageGroupId(FULL),
        MessageDeduplicationId: 'leak-1',
      }),
    );
    await h.drain();
    const replacement = held();
    expect(replacement === leaked).toBe(false);
    expect(h.sandbox.licenseManager.check(leaked)).toMatchObject({ ok: false, reason: 'deleted' });
    // The token before it, still in its grace period, was pushed out and deleted too.
    expect(h.sandbox.licenseManager.check(first)).toMatchObject({ ok: false, reason: 'deleted' });
    expect(await h.exchange(NAME, leaked)).toEqual(REFUSED);
    expect((await h.exchange(NAME, replacement)).status).toBe(200);
    const reasons = h.sandbox.events
      .put()
      .filter((event) => event.detailType === 'Token Revoked')
      .map((event) => event.detail.reason);
    expect(reasons.sort()).toEqual(['leaked', 'pushed-out']);
  });
});
