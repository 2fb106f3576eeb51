import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../errors.js';
import type { EventPublisher, RotationEvent } from '../rotation/ports.js';
import { call } from './sdk-errors.js';

/** PutEvents' limit on entries per call. */
const MAX_ENTRIES = 10;

/** An EventBridge bus: rotation events go there, for whatever rules subscribe. */
export class EventBridgeBus implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;
  readonly #source: string;

  constructor(client: EventBridgeClient, busName: string, source: string) {
    this.#client = client;
    this.#busName = busName;
    this.#source = source;
  }

  /** PutEvents, ten at a time; throws when an entry was refused (the caller counts it). */
  async publish(events: readonly RotationEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ENTRIES) {
      const batch = events.slice(start, start + MAX_ENTRIES);
      const output = await call('PutEvents', () =>
        this.#client.send(
          new PutEventsCommand({
            Entries: batch.map((item) => ({
              EventBusName: this.#busName,
              Source: this.#source,
              DetailType: item.type,
              Detail: JSON.stringify(item.detail),
            })),
          }),
        ),
      );
      const failed = output.FailedEntryCount ?? 0;
      if (failed > 0) {
        const codes = (output.Entries ?? []).flatMap((entry) => entry.ErrorCode ?? []);
        throw new TransientError(
          'PutEvents',
          codes[0] ?? 'FailedEntries',
          `${failed} event(s) refused`,
        );
      }
    }
  }
}
