import { AwsError } from '../aws-error.js';
import type { StoredMessage } from './message.js';
import {
  DEFAULT_ATTRIBUTES,
  FIFO_DEFAULTS,
  parseRedrivePolicy,
  type RedrivePolicy,
} from './queue-attributes.js';

/** SQS remembers a FIFO deduplication id for five minutes, even after the message is deleted. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
/** PurgeQueue may run once a minute per queue. */
export const PURGE_INTERVAL_MS = 60_000;
/** A message's visibility can be extended to at most 12 hours after its first receive. */
export const MAX_VISIBILITY_MS = 43_200_000;

/** The counts GetQueueAttributes reports. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** One queue: its attributes, its messages in send order, and what SQS remembers about them. */
export class Queue {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly createdAt: number;
  lastModifiedAt: number;
  readonly attributes: Map<string, string>;
  messages: StoredMessage[] = [];
  /** Deduplication ids (scoped by group when DeduplicationScope is messageGroup) → first send. */
  readonly deduplication = new Map<
    string,
    { messageId: string; sequenceNumber?: string; at: number }
  >();
  lastPurgeAt: number | undefined;
  #sequence = 0n;

  constructor(
    name: string,
    arn: string,
    attributes: Readonly<Record<string, string>>,
    now: number,
  ) {
    this.name = name;
    this.arn = arn;
    this.fifo = attributes.FifoQueue === 'true';
    this.createdAt = now;
    this.lastModifiedAt = now;
    this.attributes = new Map(
      Object.entries({ ...DEFAULT_ATTRIBUTES, ...(this.fifo ? FIFO_DEFAULTS : {}), ...attributes }),
    );
  }

  #number(name: string): number {
    return Number(this.attributes.get(name) ?? DEFAULT_ATTRIBUTES[name] ?? 0);
  }

  /** The queue's default visibility timeout, in seconds. */
  get visibilityTimeout(): number {
    return this.#number('VisibilityTimeout');
  }

  /** The queue's ReceiveMessageWaitTimeSeconds. */
  get receiveWaitSeconds(): number {
    return this.#number('ReceiveMessageWaitTimeSeconds');
  }

  /** The queue's DelaySeconds. */
  get delaySeconds(): number {
    return this.#number('DelaySeconds');
  }

  /** The queue's MaximumMessageSize, in bytes. */
  get maximumMessageSize(): number {
    return this.#number('MaximumMessageSize');
  }

  /** The parsed RedrivePolicy, if any. */
  get redrivePolicy(): RedrivePolicy | undefined {
    const policy = this.attributes.get('RedrivePolicy');
    return policy === undefined ? undefined : parseRedrivePolicy(policy);
  }

  /** Whether content-based deduplication is on. */
  get contentBasedDeduplication(): boolean {
    return this.attributes.get('ContentBasedDeduplication') === 'true';
  }

  /** The key a deduplication id is remembered under (per group with DeduplicationScope messageGroup). */
  deduplicationKey(id: string, groupId: string | undefined): string {
    return this.attributes.get('DeduplicationScope') === 'messageGroup' ? `${groupId}\n${id}` : id;
  }

  /** The next FIFO sequence number: 20 digits, increasing. */
  nextSequenceNumber(): string {
    this.#sequence += 1n;
    return (18_000_000_000_000_000_000n + this.#sequence * 1000n).toString();
  }

  /** Drops messages past the retention period and deduplication ids past their window. */
  expire(now: number): void {
    const retention = this.#number('MessageRetentionPeriod') * 1000;
    this.messages = this.messages.filter((message) => message.enqueuedAt + retention > now);
    for (const [key, entry] of this.deduplication) {
      if (entry.at + DEDUPLICATION_WINDOW_MS <= now) this.deduplication.delete(key);
    }
  }

  /** Makes in-flight messages whose visibility timeout ran out receivable again. */
  release(now: number): void {
    for (const message of this.messages) {
      if (message.inFlight && message.visibleAt <= now) message.inFlight = false;
    }
  }

  /** Visible, in-flight and delayed message counts at a moment. */
  counts(now: number): QueueCounts {
    this.expire(now);
    this.release(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages) {
      if (message.inFlight) inFlight++;
      else if (message.visibleAt > now) delayed++;
      else visible++;
    }
    return { visible, inFlight, delayed };
  }

  /**
   * How long the oldest message has waited, in ms (0 for an empty queue). AWS serves this only as
   * the CloudWatch metric ApproximateAgeOfOldestMessage, not as a queue attribute.
   */
  oldestMessageAgeMs(now: number): number {
    this.expire(now);
    const oldest = this.messages.reduce((min, m) => Math.min(min, m.sentAt), now);
    return now - oldest;
  }

  /**
   * Receives up to `max` messages: in order, and on a FIFO queue never from a group that has a
   * message in flight. A message already received maxReceiveCount times is handed to
   * `deadLetter` (which moves it) instead of being delivered.
   */
  take(
    now: number,
    options: {
      readonly max: number;
      readonly visibilityTimeout: number;
      readonly receipt: (message: StoredMessage) => string;
      readonly deadLetter: (message: StoredMessage) => boolean;
    },
  ): StoredMessage[] {
    this.expire(now);
    this.release(now);
    const blocked = new Set<string>();
    for (const message of this.messages) {
      if (
        this.fifo &&
        message.groupId !== undefined &&
        (message.inFlight || message.visibleAt > now)
      ) {
        blocked.add(message.groupId);
      }
    }
    const redrive = this.redrivePolicy;
    const taken: StoredMessage[] = [];
    const moved = new Set<StoredMessage>();
    for (const message of this.messages) {
      if (taken.length >= options.max) break;
      if (message.inFlight || message.visibleAt > now) continue;
      if (this.fifo && message.groupId !== undefined && blocked.has(message.groupId)) continue;
      if (
        redrive !== undefined &&
        message.receiveCount >= redrive.maxReceiveCount &&
        options.deadLetter(message)
      ) {
        moved.add(message);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveAt ??= now;
      message.inFlight = true;
      message.visibleAt = now + options.visibilityTimeout * 1000;
      message.receipt = options.receipt(message);
      taken.push(message);
    }
    if (moved.size > 0) this.messages = this.messages.filter((message) => !moved.has(message));
    return taken;
  }

  /** Deletes the message a receipt handle names, if it is still that message's latest handle. */
  delete(messageId: string, receipt: string): void {
    // An older handle (the message was received again since) succeeds without deleting, as in AWS.
    this.messages = this.messages.filter(
      (message) => !(message.messageId === messageId && message.receipt === receipt),
    );
  }

  /** Changes an in-flight message's visibility timeout. */
  changeVisibility(messageId: string, receipt: string, seconds: number, now: number): void {
    this.release(now);
    const message = this.messages.find((m) => m.messageId === messageId);
    const reason = (why: string) =>
      new AwsError(
        'InvalidParameterValue',
        `Value ${receipt} for parameter ReceiptHandle is invalid. Reason: ${why}`,
      );
    if (message === undefined) {
      throw reason('Message does not exist or is not available for visibility timeout change.');
    }
    if (message.receipt !== receipt) throw reason('The receipt handle has expired.');
    if (!message.inFlight) {
      throw new AwsError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    if (now + seconds * 1000 - (message.firstReceiveAt ?? now) > MAX_VISIBILITY_MS) {
      throw new AwsError(
        'InvalidParameterValue',
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`,
      );
    }
    message.visibleAt = now + seconds * 1000;
    message.inFlight = seconds > 0;
  }

  /** Deletes every message, at most once a minute. */
  purge(now: number): void {
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw new AwsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${this.name} is allowed every 60 seconds.`,
      );
    }
    this.messages = [];
    this.lastPurgeAt = now;
  }
}
