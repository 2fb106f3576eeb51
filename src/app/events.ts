import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ClientOptions, eventBridgeClient } from '../aws/clients.js';
import { EventBridgeBus } from '../aws/event-bus.js';
import { MetricName } from '../observability/metrics.js';
import { EVENT_SOURCE } from '../rotation/events.js';
import type { EventPublisher, RotationEvent } from '../rotation/ports.js';

/** The production event bus: EventBridge, the configured bus, the project's source. */
export const eventBus = (busName: string, clients?: ClientOptions): EventPublisher =>
  new EventBridgeBus(eventBridgeClient(clients), busName, EVENT_SOURCE);

/**
 * Publishes events, never failing the work they report: a rotation that happened is not undone
 * or repeated because its announcement was lost. A failure is logged and counted (an alarm
 * watches EventPublishFailures).
 */
export async function publishSafely(
  deps: { readonly events: EventPublisher; readonly logger: Logger; readonly metrics: Metrics },
  events: readonly RotationEvent[],
): Promise<void> {
  if (events.length === 0) return;
  try {
    await deps.events.publish(events);
  } catch (error) {
    deps.metrics.addMetric(MetricName.EventPublishFailures, MetricUnit.Count, events.length);
    deps.logger.error('Could not publish events', {
      types: events.map((item) => item.type),
      error,
    });
  }
}
