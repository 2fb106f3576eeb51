import { createHash } from 'node:crypto';
import { AwsError } from '../aws-error.js';
import type { Input } from '../input.js';

/** A message attribute as the JSON protocol carries it (binary values base64-encoded). */
export interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** A message in a queue, with the bookkeeping SQS keeps for it. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Readonly<Record<string, MessageAttribute>>;
  readonly md5OfAttributes: string | undefined;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  readonly sequenceNumber: string | undefined;
  readonly senderId: string;
  readonly sentAt: number;
  readonly traceHeader: string | undefined;
  /** Set once the message has been moved to a dead-letter queue. */
  deadLetterSourceArn: string | undefined;
  /** When retention starts counting (a FIFO DLQ restarts it). */
  enqueuedAt: number;
  /** Delayed until, or invisible until; epoch ms of the sandbox clock. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  /** The receipt handle of the latest receive; older ones no longer delete the message. */
  receipt: string | undefined;
  inFlight: boolean;
}

/** SQS's limit on message attributes per message. */
export const MAX_ATTRIBUTES = 10;

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** MD5 of the body, as SQS returns it (the SDK checks it). */
export const bodyMd5 = (body: string): string => md5(Buffer.from(body, 'utf8'));

const lengthPrefixed = (bytes: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/** MD5 of the message attributes by SQS's algorithm: sorted names, length-prefixed fields. */
export function attributesMd5(attributes: Readonly<Record<string, MessageAttribute>>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name];
    if (attribute === undefined) continue;
    parts.push(lengthPrefixed(Buffer.from(name)), lengthPrefixed(Buffer.from(attribute.DataType)));
    if (attribute.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64')));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(attribute.StringValue ?? '')));
    }
  }
  return md5(Buffer.concat(parts));
}

const ALLOWED = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** Checks the body's characters against the XML set SQS accepts. */
export function checkBody(body: string): void {
  if (ALLOWED.test(body)) return;
  const bad = [...body].find((char) => !ALLOWED.test(char)) ?? '';
  const code = bad.codePointAt(0)?.toString(16).toUpperCase() ?? '?';
  throw new AwsError(
    'InvalidMessageContents',
    `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
  );
}

const invalid = (message: string): AwsError => new AwsError('InvalidParameterValue', message);

/** Reads and checks MessageAttributes; throws InvalidParameterValue as SQS words it. */
export function readAttributes(
  map: ReadonlyMap<string, Input> | undefined,
): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  if (map === undefined) return attributes;
  if (map.size > MAX_ATTRIBUTES) {
    throw invalid(
      `Number of message attributes [${map.size}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  for (const [name, value] of map) {
    if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      /^(aws\.|amazon\.)/i.test(name) ||
      name.includes('..') ||
      name.startsWith('.') ||
      name.endsWith('.')
    ) {
      throw invalid(
        `The message attribute name '${name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.`,
      );
    }
    const dataType = value.optString('DataType') ?? '';
    if (dataType === '') {
      throw invalid(
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    }
    if (!/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw invalid(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const binary = dataType.startsWith('Binary');
    const content = binary ? value.optString('BinaryValue') : value.optString('StringValue');
    if (content === undefined || content === '') {
      throw invalid(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
      );
    }
    if (dataType.startsWith('Number') && !Number.isFinite(Number(content))) {
      throw invalid(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    attributes[name] = binary
      ? { DataType: dataType, BinaryValue: content }
      : { DataType: dataType, StringValue: content };
  }
  return attributes;
}

/** The size SQS counts against MaximumMessageSize: the body and every attribute's parts. */
export function messageSize(
  body: string,
  attributes: Readonly<Record<string, MessageAttribute>>,
): number {
  let size = Buffer.byteLength(body);
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    size +=
      attribute.BinaryValue === undefined
        ? Buffer.byteLength(attribute.StringValue ?? '')
        : Buffer.from(attribute.BinaryValue, 'base64').length;
  }
  return size;
}
