import { CreateTokenCommand } from '@aws-sdk/client-license-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/time.js';
import { aRecord, daysFromNow, LICENSE_ARN, ROLE_ARN, TOKEN_PATH } from '../helpers/factories.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { capturedLogs, clearCapturedOutput } from '../helpers/output.js';
import { thrown } from '../helpers/thrown.js';

/** A valid record, due now: any check the scan forgot would make it rotate the parameter. */
const RECORD = aRecord({ daysLeft: 30 });
const record = (changes: Record<string, unknown>): string =>
  JSON.stringify({ ...RECORD, ...changes });
const { tokenId: _omitted, ...withoutTokenId } = RECORD;

/** Parameters under the token path whose Description is not a rotation record. */
const HOSTILE: readonly { name: string; description: string | undefined }[] = [
  { name: 'bad-json/prose', description: 'acme prod token, rotate it yearly' },
  { name: 'bad-json/truncated', description: record({}).slice(0, 60) },
  { name: 'bad-json/none', description: undefined },
  { name: 'bad-json/array', description: '[]' },
  { name: 'bad-json/double-encoded', description: JSON.stringify(record({})) },
  { name: 'types/lifetime-as-string', description: record({ expirationInDays: '365' }) },
  { name: 'types/roles-as-string', description: record({ roleArns: ROLE_ARN }) },
  { name: 'types/v-as-string', description: record({ v: '1' }) },
  { name: 'types/issued-as-epoch', description: record({ issuedAt: 1_767_225_600_000 }) },
  { name: 'types/properties-numbers', description: record({ tokenProperties: [1, 2] }) },
  { name: 'fields/missing-token-id', description: JSON.stringify(withoutTokenId) },
  { name: 'fields/unknown', description: record({ token: 'hunter2' }) },
  {
    name: 'fields/proto',
    description: `{"__proto__":{"licenseArn":"${LICENSE_ARN}"},${record({}).slice(1)}`,
  },
  { name: 'fields/v2', description: record({ v: 2 }) },
  { name: 'over-long/token-id', description: record({ tokenId: 'x'.repeat(300) }) },
  { name: 'over-long/properties', description: record({ tokenProperties: ['a', 'b', 'c', 'd'] }) },
  { name: 'over-long/renew-window', description: record({ renewBeforeDays: 365 }) },
  { name: 'arn/a-role', description: record({ licenseArn: ROLE_ARN }) },
  { name: 'arn/with-space', description: record({ licenseArn: `${LICENSE_ARN} ` }) },
  { name: 'arn/role-wildcard', description: record({ roleArns: ['*'] }) },
  { name: 'arn/region-malformed', description: record({ homeRegion: 'mars' }) },
  { name: 'time/centuries-away', description: record({ expiresAt: '2999-12-31T00:00:00.000Z' }) },
  { name: 'time/before-issue', description: record({ expiresAt: '2025-06-01T00:00:00.000Z' }) },
  { name: 'time/at-issue', description: record({ expiresAt: RECORD.issuedAt }) },
  { name: 'time/local-offset', description: record({ issuedAt: '2026-01-01T00:00:00+02:00' }) },
  { name: 'time/impossible-date', description: record({ issuedAt: '2026-02-30T00:00:00.000Z' }) },
  { name: 'time/zero-lifetime', description: record({ expirationInDays: 0 }) },
  // Safety rules: records the rotator must never act on, though each field alone is well-formed.
  {
    name: 'safety/previous-is-current',
    description: record({ previousTokenId: RECORD.tokenId, rotatedAt: RECORD.issuedAt }),
  },
  {
    name: 'safety/issued-in-future',
    description: record({
      issuedAt: '2999-01-01T00:00:00.000Z',
      expiresAt: '2999-06-01T00:00:00.000Z',
    }),
  },
  {
    name: 'safety/rotated-in-future',
    description: record({ previousTokenId: 'f'.repeat(32), rotatedAt: '2999-01-01T00:00:00.000Z' }),
  },
  {
    // Rotations two days apart: each would push out a previous token still in its grace period.
    name: 'safety/window-too-short',
    description: record({
      expirationInDays: 30,
      renewBeforeDays: 28,
      issuedAt: daysFromNow(-5),
      expiresAt: daysFromNow(25),
    }),
  },
  { name: 'time/fractional-lifetime', description: record({ expirationInDays: 365.5 }) },
];

// Good parameters on either side of the hostile ones and across DescribeParameters' pages of 50.
const GOOD = Array.from({ length: 60 }, (_, i) => ({
  name: `${i % 2 === 0 ? 'a-good' : 'z-good'}/${String(i).padStart(2, '0')}`,
  ageDays: i % 3 === 0 ? 300 : 30,
}));
const DUE = GOOD.filter((g) => g.ageDays === 300).map((g) => g.name);

describe('hostile records: parameters under the token path whose Description is not a record', () => {
  let h: Harness;
  /** The real token each hostile parameter holds, by name, so we can tell nothing revoked it. */
  const held = new Map<string, string>();

  // A fresh world per test (about 0.1 s): no test reads what another left behind.
  beforeEach(async () => {
    held.clear();
    h = await startHarness();
    for (const good of GOOD) await h.seed(good.name, { ageDays: good.ageDays });
    for (const [index, { name, description }] of HOSTILE.entries()) {
      const token = await h.clients.licenseManager.send(
        new CreateTokenCommand({
          LicenseArn: LICENSE_ARN,
          ClientToken: `hostile-record-${index}`,
          TokenProperties: [`hostile:${index}`],
        }),
      );
      held.set(`${TOKEN_PATH}hostile/${name}`, token.TokenId ?? '');
      await h.clients.ssm.send(
        new PutParameterCommand({
          Name: `${TOKEN_PATH}hostile/${name}`,
          Type: 'SecureString',
          Value: token.Token,
          Description: description,
        }),
      );
    }
  });
  afterEach(() => h.close());

  const hostileNames = () => HOSTILE.map(({ name }) => `${TOKEN_PATH}hostile/${name}`);

  /** Nothing wrote to a hostile parameter, minted for it, or deleted the token it holds. */
  const untouched = () => {
    for (const name of hostileNames()) {
      expect(h.sandbox.ssm.parameter(name)?.version, name).toBe(1);
      const tokenId = held.get(name);
      const token = h.sandbox.licenseManager.tokens().find((t) => t.tokenId === tokenId);
      expect(token?.status, name).toBe('AVAILABLE');
    }
    const touched = h.sandbox.ssm.writes().filter((w) => w.name.includes('/hostile/'));
    expect(touched.map((w) => w.operation)).toEqual(HOSTILE.map(() => 'PutParameter'));
    const mintedForHostile = h.sandbox.licenseManager
      .tokens()
      .filter((t) => t.tokenProperties.some((p) => p.startsWith('hostile:')));
    expect(mintedForHostile).toHaveLength(HOSTILE.length);
  };

  const skipped = () =>
    capturedLogs().filter((line) => line.message === 'Skipping unmanaged parameter');

  it('are skipped, counted and logged by name; the scan carries on and the good ones rotate', async () => {
    clearCapturedOutput();
    const summary = await h.scan();

    expect(summary).toMatchObject({
      scanned: GOOD.length + HOSTILE.length,
      unmanaged: HOSTILE.length,
      due: DUE.length,
      expired: 0,
      enqueued: DUE.length,
      enqueueFailures: 0,
    });
    const logged = skipped();
    expect(logged.map((line) => line.parameterName).sort()).toEqual(hostileNames().sort());
    for (const line of logged) expect(line.problem, String(line.parameterName)).toMatch(/\S/);

    expect(await h.drain()).toMatchObject({ deleted: DUE.length, failed: 0 });
    for (const name of DUE)
      expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.version).toBe(2);
    untouched();
    expect(h.sandbox.sqs.queue('it-dlq.fifo')?.messages).toEqual([]);
  });

  it('name the safety rule each of the safety cases breaks', async () => {
    clearCapturedOutput();
    await h.scan();
    const problems = new Map(skipped().map((line) => [line.parameterName, String(line.problem)]));
    const problem = (name: string) => problems.get(`${TOKEN_PATH}hostile/safety/${name}`);

    expect(problem('previous-is-current')).toMatch(
      /previousTokenId: is the token the parameter holds/,
    );
    expect(problem('issued-in-future')).toMatch(/issuedAt: is in the future/);
    expect(problem('rotated-in-future')).toMatch(/rotatedAt: is in the future/);
    expect(problem('window-too-short')).toMatch(
      /renewBeforeDays: leaves 2\.00 days between rotations/,
    );
    await h.drain();
    untouched();
  });

  it('stay skipped and untouched when, a year on, every good token is due again', async () => {
    // Today's rotations first, so that a year on the rotated ones also have a previous token.
    await h.scan();
    expect(await h.drain()).toMatchObject({ deleted: DUE.length, failed: 0 });
    h.sandbox.clock.advance(400 * DAY_MS);
    clearCapturedOutput();
    const summary = await h.scan();

    // Every good token has expired; the ones rotated before also have a previous token to revoke.
    expect(summary).toMatchObject({
      unmanaged: HOSTILE.length,
      due: 0,
      expired: GOOD.length,
      revocationsEnqueued: DUE.length,
      enqueued: GOOD.length + DUE.length,
    });
    expect(skipped()).toHaveLength(HOSTILE.length);
    expect(await h.drain()).toMatchObject({ deleted: GOOD.length + DUE.length, failed: 0 });
    for (const { name } of GOOD) expect(h.check(name).ok, name).toBe(true);
    untouched();
  });

  it('cannot be longer than 1024 characters: SSM refuses such a Description', async () => {
    const failure = await thrown(
      h.clients.ssm.send(
        new PutParameterCommand({
          Name: `${TOKEN_PATH}hostile/over-long/description`,
          Type: 'SecureString',
          Value: 'opaque',
          Description: record({ tokenProperties: ['p'.repeat(1100)] }),
        }),
      ),
    );
    expect(failure.name).toBe('ValidationException');
    expect(h.sandbox.ssm.parameter(`${TOKEN_PATH}hostile/over-long/description`)).toBeUndefined();
  });

  it('are not even seen when they are plain String parameters: the scan lists SecureStrings only', async () => {
    const name = `${TOKEN_PATH}hostile/plain-string`;
    await h.clients.ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: 'String',
        Value: 'opaque',
        Description: record({}),
      }),
    );
    const summary = await h.scan();

    // Not counted as unmanaged either: a token stored in plain text under the path goes unreported.
    expect(summary).toMatchObject({
      scanned: GOOD.length + HOSTILE.length,
      unmanaged: HOSTILE.length,
    });
    await h.drain();
    expect(h.sandbox.ssm.parameter(name)?.version).toBe(1);
  });
});

describe('a valid record at the 1024-character limit, with no room left to rotate', () => {
  let h: Harness;
  const NAME = `${TOKEN_PATH}full/record`;

  beforeAll(async () => {
    h = await startHarness();
    const seeded = await h.seed('full/record', { ageDays: 300 });
    // Pad the record to exactly 1024 characters with a long token property: still valid JSON and
    // a valid record, but a rotation adding previousTokenId and rotatedAt could not store it.
    const current = JSON.parse(h.sandbox.ssm.parameter(NAME)?.description ?? '{}') as Record<
      string,
      unknown
    >;
    const padded = { ...current, tokenProperties: ['p'] };
    const room = 1024 - JSON.stringify(padded).length;
    const description = JSON.stringify({ ...padded, tokenProperties: ['p'.repeat(1 + room)] });
    expect(description).toHaveLength(1024);
    await h.clients.ssm.send(
      new PutParameterCommand({
        Name: NAME,
        Type: 'SecureString',
        Value: h.sandbox.ssm.parameter(NAME)?.value,
        Description: description,
        Overwrite: true,
      }),
    );
    expect(seeded.version).toBe(1);
  });
  afterAll(() => h.close());

  it('is still watched by the scan, and its job fails for good before anything is minted', async () => {
    // It holds a working token that must not expire silently: the scan enqueues it...
    expect(await h.scan()).toMatchObject({ unmanaged: 0, due: 1, enqueued: 1 });
    const creates = h.sandbox.calls('CreateToken').length;

    // ...and the rotator refuses it before minting: DLQ (and its alarm), old token in place.
    expect(await h.drain()).toMatchObject({ received: 1, deleted: 1, failed: 0 });
    expect(h.sandbox.calls('CreateToken')).toHaveLength(creates);
    expect(h.sandbox.ssm.parameter(NAME)?.version).toBe(2);
    expect(h.check('full/record').ok).toBe(true);
    const [letter] = h.sandbox.sqs.queue('it-dlq.fifo')?.messages ?? [];
    expect(letter?.attributes.FailureKind?.StringValue).toBe('PermanentFailure');
    expect(letter?.attributes.FailureReason?.StringValue).toBe('UnmanagedParameter');
  });
});
