import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/observability/redact.js';
import type { MessageQueue, QueueMessage } from '../../../src/rotation/ports.js';
import {
  DeadLetterAttribute,
  type JobMessage,
  processMessage,
} from '../../../src/rotation/process-message.js';
import { serialiseRecord } from '../../../src/rotation/record.js';
import { aJob, aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';
import { fakeJwt } from '../../helpers/secrets.js';

const NAME = `${TOKEN_PATH}acme/prod`;
const options = { ...ROTATE_OPTIONS, tokenPath: TOKEN_PATH, trustedSenders: undefined };

/** A dead-letter queue that keeps what it was sent. */
const recordingQueue = (sent: QueueMessage[]): MessageQueue => ({
  sendBatch: async () => [],
  send: async (message) => {
    sent.push(message);
  },
});

const aMessage = (body: string): JobMessage => ({ messageId: 'msg-1', body, groupId: NAME });

describe('processMessage: dead letters', () => {
  it('redacts a token that reaches a failure attribute through an error message', async () => {
    // A hand-edited record with a token pasted in as a key: the record error names the key.
    const jwt = fakeJwt();
    const description = JSON.stringify({ [jwt]: 1, ...JSON.parse(serialiseRecord(aRecord())) });
    const store = new MemoryStore();
    store.set(NAME, 3, description);
    const sent: QueueMessage[] = [];
    const deps = {
      store,
      tokens: new MemoryTokens(),
      clock: () => NOW,
      deadLetters: recordingQueue(sent),
      pickups: new MemoryStore(),
    };

    const outcome = await processMessage(
      aMessage(JSON.stringify(aJob({ parameterName: NAME, observedVersion: 3 }))),
      deps,
      options,
    );

    // The error really carried the token, so only the attribute's own redaction can keep it out.
    // Checked as booleans first: a failing assertion must not print the token either.
    expect(outcome).toMatchObject({ kind: 'dead-lettered', reason: 'UnmanagedParameter' });
    expect('message' in outcome && outcome.message.includes(jwt)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent).includes(jwt), 'the dead letter holds the token').toBe(false);
    expect(sent[0]?.attributes?.[DeadLetterAttribute.Message]).toBe(
      `Rotation failed (UnmanagedParameter): ${NAME} record ${REDACTED}: is not a record field`,
    );
  });

  it('dead-letters a malformed job with its reason, in its own group, or a shared one', async () => {
    const sent: QueueMessage[] = [];
    const deps = {
      store: new MemoryStore(),
      tokens: new MemoryTokens(),
      clock: () => NOW,
      deadLetters: recordingQueue(sent),
      pickups: new MemoryStore(),
    };
    const outcome = await processMessage(
      { messageId: '', body: 'not json', groupId: undefined },
      deps,
      options,
    );
    expect(outcome).toEqual({
      kind: 'dead-lettered',
      invalid: true,
      reason: 'NotJson',
      message: 'body is not JSON',
    });
    // The attributes as they are: the SQS adapter makes them fit SQS (an empty one is sent as "-").
    expect(sent).toEqual([
      {
        body: 'not json',
        groupId: 'dead-letters',
        deduplicationId: '',
        attributes: {
          [DeadLetterAttribute.Kind]: 'InvalidJob',
          [DeadLetterAttribute.Reason]: 'NotJson',
          [DeadLetterAttribute.Message]: 'body is not JSON',
          [DeadLetterAttribute.SourceMessageId]: '',
        },
      },
    ]);
  });
});
