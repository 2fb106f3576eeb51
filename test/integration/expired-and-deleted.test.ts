import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/rotation/record.js';
import { DAY_MS } from '../../src/time.js';
import { TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

describe('an expired token and a deleted parameter', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('rotates an expired token, counted apart as an incident', async () => {
    await h.seed('old/expired', { ageDays: 400 });
    expect(h.check('old/expired')).toEqual({ ok: false, reason: 'expired' });

    expect(await h.scan()).toMatchObject({ expired: 1, due: 0, critical: 1, enqueued: 1 });
    await h.drain();

    expect(h.check('old/expired').ok).toBe(true);
    const record = parseRecord(
      h.sandbox.ssm.parameter(`${TOKEN_PATH}old/expired`)?.description,
      h.sandbox.clock.now(),
    );
    const left = (Date.parse(record.expiresAt) - h.sandbox.clock.nowMs()) / DAY_MS;
    expect(left).toBeGreaterThan(364);
    expect(left).toBeLessThanOrEqual(365);
  });

  it('acknowledges the job of a parameter deleted after the scan, and mints nothing', async () => {
    await h.seed('old/deleted', { ageDays: 300 });
    expect(await h.scan()).toMatchObject({ enqueued: 1 });
    await h.clients.ssm.send(new DeleteParameterCommand({ Name: `${TOKEN_PATH}old/deleted` }));
    const creates = h.sandbox.calls('CreateToken').length;
    const writes = h.sandbox.ssm.writes().length;

    expect(await h.drain()).toMatchObject({ received: 1, deleted: 1, failed: 0 });
    expect(h.sandbox.calls('CreateToken')).toHaveLength(creates);
    expect(h.sandbox.ssm.writes()).toHaveLength(writes);
    expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}old/deleted`)).toBeUndefined();
    expect(h.sandbox.sqs.queue('it-dlq.fifo')?.messages).toEqual([]);
  });
});
