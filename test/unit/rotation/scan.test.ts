import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.js';
import type {
  MessageQueue,
  ParameterStore,
  ParameterSummary,
  QueueMessage,
} from '../../../src/rotation/ports.js';
import { scan } from '../../../src/rotation/scan.js';
import { aParameter, aRecord, NOW, TOKEN_PATH } from '../../helpers/factories.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';

const silent = { info: () => undefined, warn: () => undefined };
const options = {
  tokenPath: TOKEN_PATH,
  now: NOW,
  renewBeforeDays: undefined,
  criticalDays: 7,
  revokePreviousAfterHours: 72,
};
const tokens = new MemoryTokens();

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
  it('streams: sends each full batch before it reads the next page', async () => {
    const due = (i: number) =>
      aParameter(`${TOKEN_PATH}t${i}`, { record: aRecord({ daysLeft: 5 }) });
    const pages = [
      Array.from({ length: 12 }, (_, i) => due(i)),
      Array.from({ length: 12 }, (_, i) => due(12 + i)),
    ];
    const events: string[] = [];
    await scan(
      { store: pagedStore(pages, events), queue: recordingQueue(events), tokens, log: silent },
      options,
    );
    expect(events).toEqual(['read page 0', 'send 10', 'read page 1', 'send 10', 'send 4']);
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
      { store: pagedStore(pages, events), queue: recordingQueue(events), tokens, log: silent },
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
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens, log },
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
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens, log: silent },
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
      { store: pagedStore(pages, []), queue, tokens, log: silent },
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
      scan({ store: pagedStore(pages, []), queue, tokens, log: silent }, options),
    ).rejects.toBe(denied);
  });

  it('treats a parameter whose name breaks the contract as unmanaged, and enqueues nothing for it', async () => {
    // Its record is due: only the name keeps it from being rotated.
    const pages = [[aParameter(`${TOKEN_PATH}has space`, { record: aRecord({ daysLeft: 5 }) })]];
    const events: string[] = [];
    const sent: QueueMessage[][] = [];
    const summary = await scan(
      {
        store: pagedStore(pages, events),
        queue: recordingQueue(events, sent),
        tokens,
        log: silent,
      },
      options,
    );
    expect(summary).toMatchObject({ scanned: 1, unmanaged: 1, due: 0, enqueued: 0 });
    expect(events).toEqual(['read page 0']);
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
    await scan({ store: pagedStore(pages, []), queue: recordingQueue([]), tokens, log }, options);
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

  it('ignores a failure the queue reports for an entry it was not sent', async () => {
    const pages = [[aParameter(`${TOKEN_PATH}due`, { record: aRecord({ daysLeft: 5 }) })]];
    const queue: MessageQueue = {
      sendBatch: async () => [{ index: 7, code: 'InternalError', senderFault: false }],
      send: async () => undefined,
    };
    const summary = await scan(
      { store: pagedStore(pages, []), queue, tokens, log: silent },
      options,
    );
    expect(summary).toMatchObject({ due: 1, enqueueFailures: 0 });
  });
});

describe('scan: previous tokens', () => {
  const HOUR = 3_600_000;
  const rotated = (name: string, previous: string, hoursAgo: number, homeRegion?: string) =>
    aParameter(`${TOKEN_PATH}${name}`, {
      version: 2,
      record: aRecord({
        previousTokenId: previous,
        rotatedAt: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
        ...(homeRegion === undefined ? {} : { homeRegion }),
      }),
    });

  it('enqueues a revoke job only for previous tokens past the grace period that are still AVAILABLE', async () => {
    const license = new MemoryTokens();
    license.status.set('p-available', 'AVAILABLE');
    license.status.set('p-deleted', 'DELETED');
    license.status.set('p-recent', 'AVAILABLE');
    const sent: QueueMessage[][] = [];
    const pages = [
      [
        rotated('a', 'p-available', 100),
        rotated('b', 'p-deleted', 100),
        rotated('c', 'p-recent', 10),
      ],
    ];
    const summary = await scan(
      {
        store: pagedStore(pages, []),
        queue: recordingQueue([], sent),
        tokens: license,
        log: silent,
      },
      options,
    );
    expect(license.callsOf('list').map((call) => call.tokenIds)).toEqual([
      ['p-available', 'p-deleted'],
    ]);
    expect(sent.flat().map((message) => JSON.parse(message.body))).toEqual([
      expect.objectContaining({
        parameterName: `${TOKEN_PATH}a`,
        observedVersion: 2,
        reason: 'revoke-previous',
      }),
    ]);
    expect(summary).toMatchObject({ revocationsEnqueued: 1, due: 0, enqueued: 1 });
  });

  it('asks License Manager about at most 100 ids a call, per home region', async () => {
    const license = new MemoryTokens();
    const pages = [
      Array.from({ length: 150 }, (_, i) => rotated(`d${i}`, `p${i}`, 100)),
      Array.from({ length: 3 }, (_, i) => rotated(`e${i}`, `q${i}`, 100, 'eu-west-1')),
    ];
    await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens: license, log: silent },
      options,
    );
    expect(license.callsOf('list').map((call) => [call.tokenIds.length, call.homeRegion])).toEqual([
      [100, undefined],
      [50, undefined],
      [3, 'eu-west-1'],
    ]);
  });

  it('counts a failed check and carries on with rotation', async () => {
    const failing = {
      availableTokenIds: async () => Promise.reject(new Error('ListTokens is down')),
    };
    const pages = [
      [
        rotated('a', 'p1', 100),
        aParameter(`${TOKEN_PATH}due`, { record: aRecord({ daysLeft: 2 }) }),
      ],
    ];
    const sent: QueueMessage[][] = [];
    const summary = await scan(
      {
        store: pagedStore(pages, []),
        queue: recordingQueue([], sent),
        tokens: failing,
        log: silent,
      },
      options,
    );
    expect(summary).toMatchObject({ revocationCheckFailures: 1, due: 1, enqueued: 1 });
  });

  it('warns with the region of a check that failed, the default one named "default"', async () => {
    const failure = new Error('ListTokens is down');
    const failing = { availableTokenIds: async () => Promise.reject(failure) };
    const warnings: Record<string, unknown>[] = [];
    const log = {
      info: () => undefined,
      warn: (message: string, extra?: object) => warnings.push({ message, ...extra }),
    };
    const pages = [[rotated('a', 'p1', 100), rotated('b', 'p2', 100, 'eu-west-1')]];
    const summary = await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens: failing, log },
      options,
    );
    expect(summary.revocationCheckFailures).toBe(2);
    expect(warnings).toEqual([
      { message: 'Could not check previous tokens', region: 'default', error: failure },
      { message: 'Could not check previous tokens', region: 'eu-west-1', error: failure },
    ]);
  });

  it('checks nothing when revocation is off', async () => {
    const license = new MemoryTokens();
    const pages = [[rotated('a', 'p1', 1000)]];
    await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), tokens: license, log: silent },
      { ...options, revokePreviousAfterHours: 0 },
    );
    expect(license.calls).toEqual([]);
  });
});
