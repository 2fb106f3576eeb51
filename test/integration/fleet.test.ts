import { GetAccessTokenCommand, ListTokensCommand } from '@aws-sdk/client-license-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/rotation/record.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import type { DrainSummary } from '../../tools/local/event-source.js';
import { LICENSE_ARN, TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';

const OTHER_LICENSE =
  'arn:aws:license-manager::294406891311:license:l-99999999999999999999999999999999';

// Ages in days of 365-day tokens: a third of the lifetime (about 121.7 days) before expiry they
// are due, so an age above 243.3 is due and an age of 365 or more has expired.
const FRESH = [0, 15, 40, 90, 120, 160, 200, 230, 240];
const DUE = [250, 280, 300, 330, 350, 364];
const EXPIRED = [366, 400];

// One world for the whole file, built and rotated once in beforeAll: every test below only reads
// it (a scan that finds nothing due changes nothing), so none depends on another's order.
describe('a fleet rotated end to end by the real scanner and rotator over HTTP', () => {
  let h: Harness;
  let writesBefore = 0;
  let mintedBefore = 0;
  let summary: ScanSummary;
  let drain: DrainSummary;
  const seeded = new Map<string, { tokenId: string; license: string }>();
  const due: string[] = [];
  const fresh: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    h.sandbox.licenseManager.addLicense({ licenseArn: OTHER_LICENSE, homeRegion: 'us-east-1' });
    const groups = [
      { ages: FRESH, into: fresh },
      { ages: [...DUE, ...EXPIRED], into: due },
    ];
    for (const { ages, into } of groups) {
      for (const [index, age] of ages.entries()) {
        for (const [label, license] of [
          ['acme', LICENSE_ARN],
          ['globex', OTHER_LICENSE],
        ] as const) {
          const name = `${label}/age-${age}-${index}`;
          const token = await h.seed(name, { ageDays: age, licenseArn: license });
          seeded.set(name, { tokenId: token.tokenId, license });
          into.push(name);
        }
      }
    }
    // A 90-day token two thirds through its life is due; one just issued is not.
    for (const [name, age, into] of [
      ['short/due', 61, due],
      ['short/fresh', 1, fresh],
    ] as const) {
      const token = await h.seed(name, { ageDays: age, expirationInDays: 90 });
      seeded.set(name, { tokenId: token.tokenId, license: LICENSE_ARN });
      into.push(name);
    }
    writesBefore = h.sandbox.ssm.writes().length;
    mintedBefore = h.sandbox.licenseManager.tokens().length;
    summary = await h.scan();
    drain = await h.drain();
  });
  afterAll(() => h.close());

  it('rotates every due and expired token once and leaves the others alone', () => {
    expect(summary).toMatchObject({
      scanned: due.length + fresh.length,
      due: due.length - EXPIRED.length * 2,
      expired: EXPIRED.length * 2,
      enqueued: due.length,
      enqueueFailures: 0,
    });
    expect(drain).toMatchObject({ stoppedBy: 'empty', deleted: due.length, failed: 0 });

    for (const name of due) {
      const parameter = h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`);
      const record = parseRecord(parameter?.description, h.sandbox.clock.now());
      const check = h.check(name);
      expect(parameter?.version, name).toBe(2);
      expect(check.ok, name).toBe(true);
      if (!check.ok) continue;
      expect(record.tokenId).toBe(check.token.tokenId);
      expect(record.previousTokenId).toBe(seeded.get(name)?.tokenId);
      expect(check.token.licenseArn).toBe(seeded.get(name)?.license);
      // The record never promises more than the token has.
      expect(Date.parse(record.expiresAt)).toBeLessThanOrEqual(check.token.expiresAt.getTime());
      expect(Date.parse(record.issuedAt)).toBeLessThanOrEqual(check.token.mintedAt.getTime());
      expect(h.sandbox.licenseManager.mintCount(check.token.clientToken)).toBe(1);
    }
    for (const name of fresh) {
      expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version, name).toBe(1);
    }
    const writes = h.sandbox.ssm.writes().slice(writesBefore);
    expect(writes.map((w) => w.name).sort()).toEqual(due.map((n) => `${TOKEN_PATH}${n}`).sort());
    expect(writes.every((w) => w.operation === 'PutParameter')).toBe(true);
    expect(h.sandbox.licenseManager.tokens().length - mintedBefore).toBe(due.length);
  });

  it('lists through ListTokens every token minted for a license, all still AVAILABLE', async () => {
    const listed = [];
    let nextToken: string | undefined;
    do {
      const page = await h.clients.licenseManager.send(
        new ListTokensCommand({
          Filters: [{ Name: 'LicenseArns', Values: [OTHER_LICENSE] }],
          MaxResults: 7,
          NextToken: nextToken,
        }),
      );
      listed.push(...(page.Tokens ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    const seededForLicense = FRESH.length + DUE.length + EXPIRED.length;
    const rotationsForLicense = DUE.length + EXPIRED.length;
    expect(listed).toHaveLength(seededForLicense + rotationsForLicense);
    expect(new Set(listed.map((t) => t.TokenId)).size).toBe(listed.length);
    expect(listed.every((t) => t.LicenseArn === OTHER_LICENSE && t.Status === 'AVAILABLE')).toBe(
      true,
    );
  });

  it('leaves every stored token working for a consumer: GetParameter, then GetAccessToken', async () => {
    for (const name of [...due, ...fresh]) {
      const { Parameter } = await h.clients.ssm.send(
        new GetParameterCommand({ Name: `${TOKEN_PATH}${name}`, WithDecryption: true }),
      );
      const answer = await h.clients.licenseManager.send(
        new GetAccessTokenCommand({ Token: Parameter?.Value, TokenProperties: ['customer:acme'] }),
      );
      expect(answer.AccessToken, name).toBeDefined();
    }
  });

  it('finds nothing due on the next scan', async () => {
    expect(await h.scan()).toMatchObject({ due: 0, expired: 0, enqueued: 0 });
  });
});
