import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { expect, it } from 'vitest';
import { againstSandboxAndMoto } from '../helpers/conformance.js';
import { thrown } from '../helpers/thrown.js';

// Not here, where moto deviates from AWS (the unit tests pin the sandbox's answers): moto fails a
// whole call naming an unknown bus, where AWS fails that entry; it accepts an empty Entries list and
// a Detail that is JSON but not an object, and lets anyone put a source under aws.
againstSandboxAndMoto('EventBridge', (target) => {
  const entry = (extra: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    Source: 'license-token-rotator',
    DetailType: 'Token rotated',
    Detail: '{"tokenId":"abc"}',
    ...extra,
  });
  const put = (...Entries: PutEventsRequestEntry[]) =>
    target().events.send(new PutEventsCommand({ Entries }));

  it('answers each entry with an EventId, on the default bus by name or by default', async () => {
    const answer = await put(entry(), entry({ EventBusName: 'default' }));
    expect(answer.FailedEntryCount).toBe(0);
    const ids = answer.Entries?.map((e) => e.EventId) ?? [];
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(2);
  });

  it('fails an entry without Source, DetailType or Detail, or with a malformed Detail, and puts the rest', async () => {
    const answer = await put(
      entry({ Source: undefined }),
      entry(),
      entry({ DetailType: undefined }),
      entry({ Detail: undefined }),
      entry({ Detail: '{not json' }),
    );
    expect(answer.FailedEntryCount).toBe(4);
    expect(answer.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
    ]);
    expect(answer.Entries?.[0]?.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    expect(answer.Entries?.[3]?.ErrorMessage).toBe(
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    );
  });

  it('refuses more than ten entries as a ValidationException of the whole call', async () => {
    const error = await thrown(put(...Array.from({ length: 11 }, () => entry())));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});
