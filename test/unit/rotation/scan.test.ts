import { describe, expect, it } from 'vitest';
import type {
  MessageQueue,
  ParameterStore,
  ParameterSummary,
  QueueMessage,
} from '../../../src/rotation/ports.js';
import { scan } from '../../../src/rotation/scan.js';
import { aParameter, aRecord, NOW, TOKEN_PATH } from '../../helpers/factories.js';

const silent = { info: () => undefined, warn: () => undefined };
const options = { tokenPath: TOKEN_PATH, now: NOW, renewBeforeDays: undefined, criticalDays: 7 };

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
      { store: pagedStore(pages, events), queue: recordingQueue(events), log: silent },
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
      { store: pagedStore(pages, events), queue: recordingQueue(events), log: silent },
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
      { store: pagedStore(pages, []), queue: recordingQueue([]), log },
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

  it('treats a parameter whose name breaks the contract as unmanaged', async () => {
    const pages = [[aParameter(`${TOKEN_PATH}has space`)]];
    const summary = await scan(
      { store: pagedStore(pages, []), queue: recordingQueue([]), log: silent },
      options,
    );
    expect(summary).toMatchObject({ scanned: 1, unmanaged: 1 });
  });
});
