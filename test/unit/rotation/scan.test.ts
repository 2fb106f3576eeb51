import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.js';
import type {
  MessageQueue,
  ParameterStore,
  ParameterSummary,
  QueueMessage,
} from '../../../src/rotation/ports.js';
import { scan } from '../../../src/rotation/scan.js';
import {
  aParameter,
  aRecord,
  LICENSE_ARN,
  NOW,
  ROTATE_OPTIONS,
  TOKEN_PATH,
  tokenIdFor,
} from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';

const silent = { info: () => undefined, warn: () => undefined };
const options = {
  ...ROTATE_OPTIONS,
  tokenPath: TOKEN_PATH,
  now: NOW,
  criticalDays: 7,
};
const tokens = new MemoryTokens();
/** No pickup recorded anywhere. */
const NO_PICKUPS = new MemoryStore();

/** A store that records, in order, when each page is read. */
function pagedStore(pages: ParameterSummary[][], events: string[]): ParameterStore {
  return {
    async *pages() {
      for (const [index, page] of pages.entries()) {
        events.push(`read page ${index}`);
        yield page;
      }
    },
    describe: async () => undefined,
    putToken: async () => 0,
  };
}

const recordingQueue = (events: string[], sent: QueueMessage[][] = []): MessageQueue => ({
  sendBatch: async (messages) => {
    events.push(`send ${messages.length}`);
    sent.push([...messages]);
    return [];
  },
  send: async () => undefined,
});

describe('scan', () => {
  it('reads every page before it sends a job, then sends them in batches of ten', async () => {
    // A record that names another's token shows only once both are read: no job may go first.
    const due = (i: number) =>
      aParameter(`${TOKEN_PATH}t${i}`, {
        record: aRecord({ daysLeft: 5, tokenId: tokenIdFor(`t${i}`) }),
      });
    const pages = [
      Array.from({ length: 12 }, (_, i) => due(i)),
      Array.from({ length: 12 }, (_, i) => due(12 + i)),
    ];
    const events: string[] = [];
    await scan(
      {
        store: pagedStore(pages, events),
        queue: recordingQueue(events),
        tokens,
        pickups: NO_PICKUPS,
        log: silent,
      },
      options,
    );
    expect(events).toEqual(['read page 0', 'read page 1', 'send 10', 'send 10', 'send 4']);
  });

  it('sends nothing when nothing is due, and reports the fewest days left', async () => {
    const events: string[] = [];
    const pages = [
      [
        aParameter(`${TOKEN_PATH}a`, { record: aRecord({ daysLeft: 150 }) }),
        aParameter(`${TOKEN_PATH}b`, { record: aRecord({ daysLeft: 290 }) }),
      ],
    ];
    const summary = await scan(
      {
        store: pagedStore(pages, events),
        queue: recordingQueue(events),
        tokens,
        pickups: NO_PICKUPS,
        log: silent,
      },
      options,
    );
    expect(events).toEqual(['read page 0']);
    expect(summary).toMatchObject({ scanned: 2, ok: 2, due: 0, minDaysToExpiry: 150 });
  });

  it('counts tokens under CRITICAL_DAYS and logs each by name', async () => {
    const warnings: unknown[] = [];
    const log = {
      info: () => undefined,
      warn: (message: string, extra?: object) => warnings.push({ message, ...extra }),
    };
    const pages = [[aParameter(`${TOKEN_PATH}soon`, { record: aRecord({ daysLeft: 3 }) })]];
    const summary = await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens, pickups: NO_PICKUPS, log },
      options,
    );
    expect(summary.critical).toBe(1);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        message: 'Token is close to expiry',
        parameterName: `${TOKEN_PATH}soon`,
      }),
    );
  });

  it('counts as critical a token with less than CRITICAL_DAYS left, not one with exactly that', async () => {
    const pages = [
      [
        aParameter(`${TOKEN_PATH}seven`, { record: aRecord({ daysLeft: 7 }) }),
        aParameter(`${TOKEN_PATH}almost-seven`, { record: aRecord({ daysLeft: 6.99 }) }),
        aParameter(`${TOKEN_PATH}fresh`, { record: aRecord({ daysLeft: 200 }) }),
      ],
    ];
    const summary = await scan(
      {
        store: pagedStore(pages, []),
        queue: recordingQueue([]),
        tokens,
        pickups: NO_PICKUPS,
        log: silent,
      },
      options,
    );
    expect(summary).toMatchObject({ scanned: 3, critical: 1 });
  });

  it('sends a batch again when the queue failed for now, and counts it enqueued', async () => {
    const pages = [[aParameter(`${TOKEN_PATH}due`, { record: aRecord({ daysLeft: 5 }) })]];
    const attempts: number[] = [];
    const queue: MessageQueue = {
      sendBatch: async (messages) => {
        attempts.push(messages.length);
        if (attempts.length === 1) {
          throw new TransientError('SendMessageBatch', 'RequestThrottled', 'slow down');
        }
        return [];
      },
      send: async () => undefined,
    };
    const summary = await scan(
      { store: pagedStore(pages, []), queue, tokens, pickups: NO_PICKUPS, log: silent },
      options,
    );
    expect(attempts).toEqual([1, 1]);
    expect(summary).toMatchObject({ enqueued: 1, enqueueFailures: 0 });
  });

  it('stops the scan when the queue fails for good', async () => {
    const pages = [[aParameter(`${TOKEN_PATH}due`, { record: aRecord({ daysLeft: 5 }) })]];
    const denied = new PermanentError('SendMessageBatch', 'AccessDenied', 'no');
    const queue: MessageQueue = {
      sendBatch: async () => Promise.reject(denied),
      send: async () => undefined,
    };
    await expect(
      scan(
        { store: pagedStore(pages, []), queue, tokens, pickups: NO_PICKUPS, log: silent },
        options,
      ),
    ).rejects.toBe(denied);
  });

  it('ignores a failure the queue reports for an entry it was not sent', async () => {
    const pages = [[aParameter(`${TOKEN_PATH}due`, { record: aRecord({ daysLeft: 5 }) })]];
    const queue: MessageQueue = {
      sendBatch: async () => [{ index: 7, code: 'InternalError', senderFault: false }],
      send: async () => undefined,
    };
    const summary = await scan(
      { store: pagedStore(pages, []), queue, tokens, pickups: NO_PICKUPS, log: silent },
      options,
    );
    expect(summary).toMatchObject({ due: 1, enqueueFailures: 0 });
  });

  it('enqueues no job for a record whose renewal window leaves too little time between rotations', async () => {
    // 28 of 30 days leave 2 days between rotations; the grace period alone is 3: due, yet refused.
    const record = aRecord({
      expirationInDays: 30,
      renewBeforeDays: 28,
      issuedAt: new Date(NOW.getTime() - 5 * 86_400_000).toISOString(),
      expiresAt: new Date(NOW.getTime() + 25 * 86_400_000).toISOString(),
    });
    const sent: QueueMessage[][] = [];
    const summary = await scan(
      {
        store: pagedStore([[aParameter(`${TOKEN_PATH}short`, { record })]], []),
        queue: recordingQueue([], sent),
        tokens,
        pickups: NO_PICKUPS,
        log: silent,
      },
      options,
    );
    expect(summary).toMatchObject({ unmanaged: 1, damaged: 1, due: 0 });
    expect(sent).toEqual([]);
  });

  it('says what is wrong with an unmanaged parameter: its name or its record', async () => {
    const warnings: Record<string, unknown>[] = [];
    const log = {
      info: () => undefined,
      warn: (message: string, extra?: object) => warnings.push({ message, ...extra }),
    };
    const pages = [
      [
        aParameter(`${TOKEN_PATH}has space`),
        aParameter(`${TOKEN_PATH}notes`, { description: 'hand-made' }),
      ],
    ];
    await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens, pickups: NO_PICKUPS, log },
      options,
    );
    expect(warnings).toEqual([
      {
        message: 'Skipping unmanaged parameter',
        parameterName: `${TOKEN_PATH}has space`,
        problem: 'name has an empty segment or a character outside [A-Za-z0-9_.-]',
      },
      {
        message: 'Skipping unmanaged parameter',
        parameterName: `${TOKEN_PATH}notes`,
        problem: 'record description: is not JSON',
      },
    ]);
  });

  it('treats a parameter whose name breaks the contract as unmanaged, and enqueues nothing for it', async () => {
    const pages = [[aParameter(`${TOKEN_PATH}has space`, { record: aRecord({ daysLeft: 1 }) })]];
    const sent: QueueMessage[][] = [];
    const summary = await scan(
      {
        store: pagedStore(pages, []),
        queue: recordingQueue([], sent),
        tokens,
        pickups: NO_PICKUPS,
        log: silent,
      },
      options,
    );
    expect(summary).toMatchObject({ scanned: 1, unmanaged: 1, damaged: 1, due: 0 });
    expect(sent).toEqual([]);
  });

  it('tells a damaged record, whose expiry nobody watches, from one unmanaged on purpose', async () => {
    const pages = [
      [
        aParameter(`${TOKEN_PATH}damaged`, { description: '{"v":1,' }),
        aParameter(`${TOKEN_PATH}by-hand`, { description: 'Unmanaged: rotated by hand' }),
        aParameter(`${TOKEN_PATH}future`, {
          record: aRecord({
            issuedAt: '2030-01-01T00:00:00.000Z',
            expiresAt: '2030-06-01T00:00:00.000Z',
          }),
        }),
      ],
    ];
    const warnings: unknown[] = [];
    const log = {
      info: () => undefined,
      warn: (message: string, extra?: object) => warnings.push({ message, ...extra }),
    };
    const summary = await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens, pickups: NO_PICKUPS, log },
      options,
    );
    expect(summary).toMatchObject({ unmanaged: 3, damaged: 2, optedOut: 1 });
    expect(warnings).toEqual([
      expect.objectContaining({ parameterName: `${TOKEN_PATH}damaged` }),
      expect.objectContaining({ parameterName: `${TOKEN_PATH}future` }),
    ]);
  });

  it('counts records outside the allow-lists, and still rotates them when due (their job fails loudly)', async () => {
    const other = 'arn:aws:license-manager::111122223333:license:l-other';
    const pages = [
      [aParameter(`${TOKEN_PATH}x`, { record: aRecord({ licenseArn: other, daysLeft: 3 }) })],
    ];
    const summary = await scan(
      {
        store: pagedStore(pages, []),
        queue: recordingQueue([]),
        tokens,
        pickups: NO_PICKUPS,
        log: silent,
      },
      options,
    );
    expect(summary).toMatchObject({ notAllowed: 1, due: 1, enqueued: 1 });
  });
});

describe("scan: the audit of each license's tokens", () => {
  const HOUR = 3_600_000;
  const rotated = (name: string, previous: string, hoursAgo: number, homeRegion?: string) =>
    aParameter(`${TOKEN_PATH}${name}`, {
      version: 2,
      record: aRecord({
        tokenId: `current-${name}`,
        previousTokenId: previous,
        rotatedAt: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
        ...(homeRegion === undefined ? {} : { homeRegion }),
      }),
    });
  const run = async (
    pages: ParameterSummary[][],
    license: Pick<MemoryTokens, 'licenseTokens'>,
    overrides: Partial<typeof options> = {},
    pickups: MemoryStore = NO_PICKUPS,
  ) => {
    const sent: QueueMessage[][] = [];
    const summary = await scan(
      {
        store: pagedStore(pages, []),
        queue: recordingQueue([], sent),
        tokens: license,
        pickups,
        log: silent,
      },
      { ...options, ...overrides },
    );
    return { summary, jobs: sent.flat().map((message) => JSON.parse(message.body)) };
  };

  it('enqueues a revoke job only for previous tokens past the grace period that are still AVAILABLE', async () => {
    const license = new MemoryTokens();
    license.seed('p-available');
    license.seed('p-deleted', { status: 'DELETED' });
    license.seed('p-recent');
    const { summary, jobs } = await run(
      [
        [
          rotated('a', 'p-available', 100),
          rotated('b', 'p-deleted', 100),
          rotated('c', 'p-recent', 10),
        ],
      ],
      license,
    );
    expect(jobs).toEqual([
      expect.objectContaining({
        parameterName: `${TOKEN_PATH}a`,
        observedVersion: 2,
        reason: 'revoke-previous',
      }),
    ]);
    expect(summary).toMatchObject({ revocationsEnqueued: 1, due: 0, enqueued: 1 });
  });

  it('lists each managed license once, in the home region its records name', async () => {
    const license = new MemoryTokens();
    const eu = 'arn:aws:license-manager::294406891311:license:l-eu';
    const pages = [
      Array.from({ length: 150 }, (_, i) => rotated(`d${i}`, `p${i}`, 100)),
      [
        aParameter(`${TOKEN_PATH}e0`, { record: aRecord({ licenseArn: eu }) }),
        aParameter(`${TOKEN_PATH}e1`, {
          record: aRecord({ licenseArn: eu, homeRegion: 'eu-west-1' }),
        }),
      ],
    ];
    await run(pages, license, { licenseArns: ['*'] });
    expect(
      license.callsOf('list-license').map((call) => [call.licenseArn, call.homeRegion]),
    ).toEqual([
      [LICENSE_ARN, undefined],
      [eu, 'eu-west-1'],
    ]);
  });

  it('counts the AVAILABLE tokens no record names, and deletes none of them', async () => {
    const license = new MemoryTokens();
    license.seed('current-a');
    license.seed('stray-1');
    license.seed('stray-2');
    license.seed('stray-deleted', { status: 'DELETED' });
    const { summary, jobs } = await run(
      [[aParameter(`${TOKEN_PATH}a`, { record: aRecord({ tokenId: 'current-a' }) })]],
      license,
    );
    expect(summary.unrecordedTokens).toBe(2);
    expect(jobs).toEqual([]);
  });

  it('names the stray mints of a rotation, once the window has settled', async () => {
    const MINUTE = 60_000;
    const late = (minutesAgo: number) =>
      aRecord({
        tokenId: 'stored',
        previousTokenId: 'previous',
        rotatedAt: new Date(NOW.getTime() - minutesAgo * MINUTE).toISOString(),
        mintsFrom: new Date(NOW.getTime() - (minutesAgo + 15) * MINUTE).toISOString(),
      });
    const mintedMinutesAgo = (minutes: number) =>
      new Date(NOW.getTime() - minutes * MINUTE + 365 * 24 * HOUR);
    const license = new MemoryTokens();
    license.seed('stored');
    license.seed('previous');
    license.seed('early', { expiresAt: mintedMinutesAgo(40) });
    license.seed('stranger', { expiresAt: mintedMinutesAgo(40), tokenProperties: ['other'] });
    const settled = await run([[aParameter(`${TOKEN_PATH}a`, { record: late(30) })]], license);
    expect(settled.jobs).toEqual([
      expect.objectContaining({ reason: 'revoke-orphans', tokenIds: ['early'] }),
    ]);
    expect(settled.summary).toMatchObject({ orphanRevocationsEnqueued: 1, unrecordedTokens: 2 });
    // Minutes after the rotation, a retry could still store a stray mint: wait.
    const fresh = await run([[aParameter(`${TOKEN_PATH}a`, { record: late(5) })]], license);
    expect(fresh.jobs).toEqual([]);
  });

  it('looks for the stray mints of a rotation for 30 days after it, not longer', async () => {
    const DAY = 24 * HOUR;
    const rotatedDaysAgo = (days: number) =>
      aRecord({
        tokenId: 'stored',
        rotatedAt: new Date(NOW.getTime() - days * DAY).toISOString(),
        mintsFrom: new Date(NOW.getTime() - (days + 1) * DAY).toISOString(),
      });
    const license = new MemoryTokens();
    license.seed('stored');
    for (const days of [29.5, 30.5]) {
      // Minted half a day before the rotation stored its token, and stored by nothing.
      license.seed(`stray-${days}`, {
        expiresAt: new Date(NOW.getTime() - (days + 0.5) * DAY + 365 * DAY),
      });
    }
    const recent = await run(
      [[aParameter(`${TOKEN_PATH}a`, { record: rotatedDaysAgo(29) })]],
      license,
    );
    expect(recent.jobs).toEqual([
      expect.objectContaining({ reason: 'revoke-orphans', tokenIds: ['stray-29.5'] }),
    ]);
    const old = await run(
      [[aParameter(`${TOKEN_PATH}a`, { record: rotatedDaysAgo(30.2) })]],
      license,
    );
    expect(old.jobs).toEqual([]);
    expect(old.summary.unrecordedTokens).toBe(2);
  });

  it("gives a record that names another record's token as its previous no job, and counts it damaged", async () => {
    const license = new MemoryTokens();
    license.seed('current-victim');
    license.seed('current-thief');
    const victim = aParameter(`${TOKEN_PATH}victim`, {
      record: aRecord({ tokenId: 'current-victim', daysLeft: 2 }),
    });
    // Due, and its "previous" token past the grace period: both would be jobs if it were believed.
    const thief = aParameter(`${TOKEN_PATH}thief`, {
      record: aRecord({
        tokenId: 'current-thief',
        daysLeft: 2,
        previousTokenId: 'current-victim',
        rotatedAt: new Date(NOW.getTime() - 100 * HOUR).toISOString(),
      }),
    });
    const warnings: unknown[] = [];
    const log = { info: () => undefined, warn: (...args: unknown[]) => warnings.push(args) };
    const sent: QueueMessage[][] = [];
    const summary = await scan(
      {
        store: pagedStore([[thief], [victim]], []),
        queue: recordingQueue([], sent),
        tokens: license,
        pickups: NO_PICKUPS,
        log,
      },
      options,
    );
    const jobs = sent.flat().map((message) => JSON.parse(message.body));
    expect(jobs).toEqual([
      expect.objectContaining({ parameterName: `${TOKEN_PATH}victim`, reason: 'expiring' }),
    ]);
    expect(summary).toMatchObject({ conflicting: 1, damaged: 1, due: 2, revocationsEnqueued: 0 });
    expect(warnings).toContainEqual([
      expect.stringContaining('names another record'),
      {
        parameterName: `${TOKEN_PATH}thief`,
        problem: `its previous token current-victim is the token of ${TOKEN_PATH}victim`,
      },
    ]);
  });

  it('counts a record whose token License Manager no longer lists as lost; an expired one is not', async () => {
    const license = new MemoryTokens();
    license.seed('current-here');
    license.seed('current-deleted', { status: 'DELETED' });
    const { summary } = await run(
      [
        [
          aParameter(`${TOKEN_PATH}here`, { record: aRecord({ tokenId: 'current-here' }) }),
          aParameter(`${TOKEN_PATH}deleted`, { record: aRecord({ tokenId: 'current-deleted' }) }),
          aParameter(`${TOKEN_PATH}expired`, {
            record: aRecord({ tokenId: 'current-expired', daysLeft: -3 }),
          }),
        ],
      ],
      license,
    );
    expect(summary).toMatchObject({ lostTokens: 1, expired: 1 });
  });

  it('counts a failed listing and carries on with rotation', async () => {
    const license = new MemoryTokens();
    license.listError = new Error('ListTokens is down');
    const { summary } = await run(
      [
        [
          rotated('a', 'p1', 100),
          aParameter(`${TOKEN_PATH}due`, { record: aRecord({ daysLeft: 2 }) }),
        ],
      ],
      license,
    );
    expect(summary).toMatchObject({ licenseCheckFailures: 1, due: 1, enqueued: 1 });
  });

  it('warns with the license whose listing failed, and the error', async () => {
    const license = new MemoryTokens();
    const failure = new Error('ListTokens is down');
    license.listError = failure;
    const warnings: Record<string, unknown>[] = [];
    const log = {
      info: () => undefined,
      warn: (message: string, extra?: object) => warnings.push({ message, ...extra }),
    };
    await scan(
      {
        store: pagedStore([[rotated('a', 'p1', 100)]], []),
        queue: recordingQueue([]),
        tokens: license,
        pickups: NO_PICKUPS,
        log,
      },
      options,
    );
    expect(warnings).toEqual([
      {
        message: 'Could not list the tokens of a license',
        licenseArn: LICENSE_ARN,
        error: failure,
      },
    ]);
  });

  it('enqueues no revocation when revocation is off', async () => {
    const license = new MemoryTokens();
    license.seed('p1');
    const { jobs } = await run([[rotated('a', 'p1', 1000)]], license, {
      revokePreviousAfterHours: 0,
    });
    expect(jobs).toEqual([]);
  });

  it('under after-pickup, revokes only once the current token was picked up, and counts the rest', async () => {
    const license = new MemoryTokens();
    for (const id of ['p-picked', 'p-waiting', 'p-overdue']) license.seed(id);
    const pickups = new MemoryStore();
    pickups.pickups.set(`${TOKEN_PATH}picked`, { tokenId: 'current-picked', at: NOW });
    // Picked up, but an older token: the current one was not.
    pickups.pickups.set(`${TOKEN_PATH}waiting`, { tokenId: 'older', at: NOW });
    const { summary, jobs } = await run(
      [
        [
          rotated('picked', 'p-picked', 100),
          rotated('waiting', 'p-waiting', 100),
          rotated('overdue', 'p-overdue', 200),
        ],
      ],
      license,
      { revocationPolicy: 'after-pickup', pickupOverdueHours: 168 },
      pickups,
    );
    expect(jobs).toEqual([
      expect.objectContaining({ parameterName: `${TOKEN_PATH}picked`, reason: 'revoke-previous' }),
    ]);
    expect(summary).toMatchObject({
      revocationsEnqueued: 1,
      revocationsDeferred: 2,
      pickupsOverdue: 1,
    });
  });

  it('under never, revokes nothing and counts the superseded tokens as retained, not unrecorded', async () => {
    const license = new MemoryTokens();
    license.seed('current-a');
    license.seed('p1');
    // A token two generations back, pushed out of the record and kept on purpose.
    license.seed('older');
    const { summary, jobs } = await run([[rotated('a', 'p1', 1000)]], license, {
      revocationPolicy: 'never',
    });
    expect(jobs).toEqual([]);
    expect(summary.unrecordedTokens).toBe(0);
  });
});
