import { ListTokensCommand } from '@aws-sdk/client-license-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/rotation/record.js';
import { LICENSE_ARN, TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const NAME = 'crash/prod';
const FULL = `${TOKEN_PATH}${NAME}`;

describe('a crash between CreateToken and PutParameter', () => {
  let h: Harness;
  let seededId: string;

  beforeEach(async () => {
    // No SDK retries: a failed call fails the job, and SQS brings it back.
    h = await startHarness({ maxAttempts: 1 });
    seededId = (await h.seed(NAME, { ageDays: 300 })).tokenId;
    await h.scan();
  });
  afterEach(() => h.close());

  const listed = async () =>
    (
      await h.clients.licenseManager.send(
        new ListTokensCommand({ Filters: [{ Name: 'LicenseArns', Values: [LICENSE_ARN] }] }),
      )
    ).Tokens ?? [];

  it('stores, on the retry, the same token the first attempt minted', async () => {
    h.sandbox.faults.failNext('ssm:PutParameter', 1, 'InternalServerError');
    const drain = await h.drain();

    expect(drain).toMatchObject({ received: 2, failed: 1, deleted: 1, stoppedBy: 'empty' });
    const clientToken = h.clientToken(NAME, 1);
    expect(h.sandbox.licenseManager.mintCount(clientToken)).toBe(1);
    const [minted] = h.sandbox.licenseManager.tokens().filter((t) => t.clientToken === clientToken);
    const parameter = h.sandbox.ssm.parameter(FULL);
    expect(parameter?.version).toBe(2);
    expect(parameter?.value === minted?.token).toBe(true);
    expect(parseRecord(parameter?.description, h.sandbox.clock.now()).tokenId).toBe(
      minted?.tokenId,
    );
    // ListTokens: the seeded token and exactly one minted by the rotation.
    const tokens = await listed();
    expect(tokens.map((t) => t.TokenId).sort()).toEqual([seededId, minted?.tokenId].sort());
    expect(h.sandbox.faults.injected.get('error:InternalServerError')).toBe(1);
  });

  it('stands down on the retry when the write took effect but its answer was lost', async () => {
    h.sandbox.faults.failNext('ssm:PutParameter', 1, 'InternalServerError', 'after');
    const drain = await h.drain();

    expect(drain).toMatchObject({ received: 2, failed: 1, deleted: 1 });
    expect(h.sandbox.ssm.parameter(FULL)?.version).toBe(2);
    expect(h.sandbox.ssm.writes().filter((w) => w.operation === 'PutParameter')).toHaveLength(2);
    expect(h.sandbox.licenseManager.mintCount(h.clientToken(NAME, 1))).toBe(1);
    expect(await listed()).toHaveLength(2);
    expect(h.check(NAME).ok).toBe(true);
  });

  it('mints a second token when the retry comes after the 10-minute ClientToken window', async () => {
    h.sandbox.faults.failNext('ssm:PutParameter', 1, 'InternalServerError');
    const drain = await h.drain({
      onIdle: () => {
        h.sandbox.clock.advance(11 * 60_000);
      },
    });

    expect(drain).toMatchObject({ received: 2, deleted: 1 });
    const clientToken = h.clientToken(NAME, 1);
    expect(h.sandbox.licenseManager.mintCount(clientToken)).toBe(2);
    const minted = h.sandbox.licenseManager.tokens().filter((t) => t.clientToken === clientToken);
    // The second token is stored and works; the first is orphaned, still AVAILABLE, until it expires.
    expect(h.sandbox.ssm.parameter(FULL)?.value === minted[1]?.token).toBe(true);
    expect(h.check(NAME).ok).toBe(true);
    expect(minted[0]?.status).toBe('AVAILABLE');
  });
});
