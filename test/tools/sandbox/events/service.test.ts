import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../../tools/sandbox/clock.js';
import { SANDBOX_CREDENTIALS } from '../../../../tools/sandbox/credentials.js';
import { MAX_REQUEST_BYTES } from '../../../../tools/sandbox/events/put-events.js';
import { EventsService } from '../../../../tools/sandbox/events/service.js';
import type { JsonObject } from '../../../../tools/sandbox/input.js';
import { SeededRandom } from '../../../../tools/sandbox/random.js';
import type { Sandbox } from '../../../../tools/sandbox/sandbox.js';
import { invoke, REQUEST, refusal, startTestSandbox } from '../../../helpers/sandbox.js';
import { thrown } from '../../../helpers/thrown.js';

const START = new Date('2026-11-27T12:00:00.000Z');
const BUS_ARN = `arn:aws:events:${REQUEST.region}:${REQUEST.accountId}:event-bus/rotations`;

const entry = (extra: JsonObject = {}): JsonObject => ({
  Source: 'license-token-rotator',
  DetailType: 'Token rotated',
  Detail: JSON.stringify({ tokenId: 'abc', path: '/license-tokens/a' }),
  ...extra,
});

describe('the sandbox EventBridge', () => {
  let clock: SandboxClock;
  let events: EventsService;
  const put = (...entries: JsonObject[]) => invoke(events, 'PutEvents', { Entries: entries });

  beforeEach(() => {
    clock = new SandboxClock({ start: START, frozen: true });
    events = new EventsService(clock, new SeededRandom(1), ['rotations']);
  });

  it('keeps each event put, with its id, time, region, bus, source, type and parsed detail', async () => {
    const answer = await put(entry(), entry({ EventBusName: 'rotations', Resources: ['arn:r'] }));
    expect(answer.FailedEntryCount).toBe(0);
    const ids = (answer.Entries as { EventId: string }[]).map((e) => e.EventId);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events.put()).toEqual([
      {
        id: ids[0],
        time: START,
        region: 'us-east-1',
        account: '123456789012',
        bus: 'default',
        source: 'license-token-rotator',
        detailType: 'Token rotated',
        detail: { tokenId: 'abc', path: '/license-tokens/a' },
        resources: [],
      },
      expect.objectContaining({ id: ids[1], bus: 'rotations', resources: ['arn:r'] }),
    ]);
    expect(events.put('rotations').map((e) => e.id)).toEqual([ids[1]]);
  });

  it('takes the event time from the entry when it has one', async () => {
    await put(entry({ Time: Date.parse('2026-01-02T03:04:05Z') / 1000 }));
    expect(events.put()[0]?.time.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('reads a bus ARN of its own account and region as the bus, and fails a bus it does not know', async () => {
    const answer = await put(
      entry({ EventBusName: BUS_ARN }),
      entry({ EventBusName: 'nowhere' }),
      entry({ EventBusName: BUS_ARN.replace('us-east-1', 'eu-west-1') }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nowhere does not exist.' },
      expect.objectContaining({ ErrorCode: 'ResourceNotFoundException' }),
    ]);
    expect(events.put().map((e) => e.bus)).toEqual(['rotations']);
  });

  it('fails an entry without Source, DetailType or Detail, or with a Detail that is not a JSON object', async () => {
    const answer = await put(
      entry({ Source: undefined }),
      entry({ DetailType: '' }),
      entry({ Detail: undefined }),
      entry({ Detail: '{not json' }),
      entry({ Detail: '[1, 2]' }),
      entry({ Source: 'aws.ssm' }),
      entry(),
    );
    expect(answer.FailedEntryCount).toBe(6);
    expect((answer.Entries as JsonObject[]).map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ok',
    ]);
    expect((answer.Entries as JsonObject[])[0]?.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    expect(events.put()).toHaveLength(1);
  });

  it('refuses the whole call for no entries, more than 10, a malformed bus name or over 256 KB', async () => {
    expect(await refusal(events, 'PutEvents', {})).toMatchObject({
      code: 'ValidationException',
      status: 400,
    });
    expect((await refusal(events, 'PutEvents', { Entries: [] })).message).toContain(
      'Member must have length greater than or equal to 1',
    );
    const eleven = Array.from({ length: 11 }, () => entry());
    expect((await refusal(events, 'PutEvents', { Entries: eleven })).message).toContain(
      'Member must have length less than or equal to 10',
    );
    expect(
      (await refusal(events, 'PutEvents', { Entries: [entry({ EventBusName: 'bad name!' })] }))
        .message,
    ).toContain("at 'entries.1.member.eventBusName'");
    // Source and DetailType count too: a Detail that fits alone is over the limit with them.
    const detail = JSON.stringify({ pad: 'x'.repeat(MAX_REQUEST_BYTES - 12) });
    expect(Buffer.byteLength(detail)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(
      await refusal(events, 'PutEvents', { Entries: [entry({ Detail: detail })] }),
    ).toMatchObject({ code: 'ValidationException' });
    const fits = JSON.stringify({ pad: 'x'.repeat(MAX_REQUEST_BYTES - 12 - 40) });
    expect((await put(entry({ Detail: fits }))).FailedEntryCount).toBe(0);
    expect(events.put()).toHaveLength(1);
  });

  it('adds buses, and refuses a name EventBridge would', () => {
    events.addBus('team/audit');
    expect(events.buses()).toEqual(['default', 'rotations', 'team/audit']);
    expect(() => events.addBus('no spaces')).toThrow(RangeError);
  });

  it('answers faults as EventBridge: ThrottlingException (400), InternalException (500)', () => {
    expect(events.faultError({ kind: 'throttle' })).toMatchObject({
      code: 'ThrottlingException',
      status: 400,
    });
    expect(events.faultError({ kind: 'error', code: 'InternalException' })).toMatchObject({
      status: 500,
    });
  });
});

describe('the sandbox EventBridge, through the SDK', () => {
  let sandbox: Sandbox;
  const client = (region = 'us-east-1') =>
    new EventBridgeClient({
      endpoint: sandbox.endpoint,
      region,
      credentials: SANDBOX_CREDENTIALS,
      maxAttempts: 1,
    });

  beforeEach(async () => {
    sandbox = await startTestSandbox({ buses: ['rotations'] });
  });
  afterEach(() => sandbox.close());

  it('answers PutEvents with per-entry results, signed for the region the client names', async () => {
    const answer = await client('eu-west-1').send(
      new PutEventsCommand({
        Entries: [
          { Source: 'license-token-rotator', DetailType: 'Token rotated', Detail: '{"n":1}' },
          { Source: 'license-token-rotator', DetailType: 'Token rotated', Detail: 'nope' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[1]).toEqual({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: 'Detail is malformed.',
    });
    expect(sandbox.events.put()).toEqual([
      expect.objectContaining({ id: answer.Entries?.[0]?.EventId, region: 'eu-west-1' }),
    ]);
    expect(sandbox.calls('PutEvents')).toMatchObject([{ service: 'events', status: 200 }]);
  });

  it('reaches the sandbox through AWS_ENDPOINT_URL_EVENTBRIDGE alone', async () => {
    const before = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = sandbox.endpoint;
    try {
      const fromEnvironment = new EventBridgeClient({
        region: 'us-east-1',
        credentials: SANDBOX_CREDENTIALS,
        maxAttempts: 1,
      });
      await fromEnvironment.send(
        new PutEventsCommand({
          Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'rotations' }],
        }),
      );
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = before;
    }
    expect(sandbox.events.put('rotations')).toHaveLength(1);
  });

  it('turns injected faults into the errors the SDK reports', async () => {
    sandbox.faults.failNext('events:PutEvents', 1, 'InternalException');
    const failed = await thrown(
      client().send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
      ),
    );
    expect(failed).toMatchObject({ name: 'InternalException' });
    expect(failed.$metadata?.httpStatusCode).toBe(500);
    sandbox.faults.throttle('events:*', 1);
    const throttled = await thrown(
      client().send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
      ),
    );
    expect(throttled.name).toBe('ThrottlingException');
    expect(sandbox.events.put()).toEqual([]);
  });

  it('refuses more than ten entries as a ValidationException of the whole call', async () => {
    const error = await thrown(
      client().send(
        new PutEventsCommand({
          Entries: Array.from({ length: 11 }, () => ({
            Source: 's',
            DetailType: 'd',
            Detail: '{}',
          })),
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});
