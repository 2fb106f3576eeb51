import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../../src/aws/event-bus.js';
import { TransientError } from '../../../src/errors.js';

const events = mockClient(EventBridgeClient);
const bus = new EventBridgeBus(
  new EventBridgeClient({}),
  'rotation-events',
  'license-token-rotator',
);
const event = (n: number) => ({
  type: 'Token Rotated',
  detail: { v: 1, parameterName: `/p/${n}` },
});

beforeEach(() => events.reset());

describe('EventBridgeBus', () => {
  it('puts events ten at a time, on its bus, with its source and the detail as JSON', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await bus.publish(Array.from({ length: 12 }, (_, i) => event(i)));
    const calls = events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries);
    expect(calls.map((entries) => entries?.length)).toEqual([10, 2]);
    expect(calls[0]?.[0]).toEqual({
      EventBusName: 'rotation-events',
      Source: 'license-token-rotator',
      DetailType: 'Token Rotated',
      Detail: '{"v":1,"parameterName":"/p/0"}',
    });
  });

  it('fails when EventBridge refused any entry, so the caller counts it', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, { EventId: 'e' }],
    });
    await expect(bus.publish([event(1), event(2)])).rejects.toBeInstanceOf(TransientError);
  });

  it('calls nothing for no events', async () => {
    await bus.publish([]);
    expect(events.commandCalls(PutEventsCommand)).toEqual([]);
  });
});
