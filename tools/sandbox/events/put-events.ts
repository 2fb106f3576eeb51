import { isObject } from '../../../src/validate.js';
import { AwsError, constraintError, constraintMessage } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import type { EventsState } from './state.js';

/** PutEvents takes 1 to 10 entries. */
const MAX_ENTRIES = 10;
/** The entries of one PutEvents call may add up to 256 KB, counted as AWS counts them. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** The model's constraint on EventBusName: a name or a bus ARN, at most 1600 characters. */
const BUS_PATTERN =
  '(arn:aws[\\w-]*:events:[a-z]{2}-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+';
const BUS_NAME_OR_ARN = new RegExp(`^${BUS_PATTERN}$`);
const MAX_BUS_NAME_OR_ARN = 1600;

/** Why one entry failed: an error code and message of PutEventsResultEntry. */
class EntryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EntryError';
  }
}

const required = (member: string): EntryError =>
  new EntryError(
    'InvalidArgument',
    `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
  );

/** An entry's size as AWS documents the sum: Time (14 bytes), Source, DetailType, Detail, Resources. */
function entrySize(entry: Input): number {
  const bytes = (value: string | undefined): number =>
    value === undefined ? 0 : Buffer.byteLength(value);
  return (
    (entry.has('Time') ? 14 : 0) +
    bytes(entry.optString('Source')) +
    bytes(entry.optString('DetailType')) +
    bytes(entry.optString('Detail')) +
    (entry.optStrings('Resources') ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

/** Reads the entries: 1 to 10, well-formed bus names, 256 KB in all. Any breach fails the call. */
function readEntries(input: Input): Input[] {
  const entries = input.optObjects('Entries');
  if (entries === undefined) throw constraintError('Entries', null, 'Member must not be null');
  if (entries.length === 0 || entries.length > MAX_ENTRIES) {
    throw constraintError(
      'Entries',
      `[${entries.map(() => 'PutEventsRequestEntry').join(', ')}]`,
      entries.length === 0
        ? 'Member must have length greater than or equal to 1'
        : `Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  entries.forEach((entry, index) => {
    const bus = entry.optString('EventBusName');
    if (bus === undefined) return;
    const member = `entries.${index + 1}.member.eventBusName`;
    if (bus.length > MAX_BUS_NAME_OR_ARN || !BUS_NAME_OR_ARN.test(bus)) {
      const constraint =
        bus.length > MAX_BUS_NAME_OR_ARN
          ? `Member must have length less than or equal to ${MAX_BUS_NAME_OR_ARN}`
          : `Member must satisfy regular expression pattern: ${BUS_PATTERN}`;
      throw new AwsError('ValidationException', constraintMessage(member, bus, constraint));
    }
  });
  if (entries.reduce((sum, entry) => sum + entrySize(entry), 0) > MAX_REQUEST_BYTES) {
    throw new AwsError(
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
  }
  return entries;
}

/** The bus an EventBusName names, if the sandbox knows it: a name, or an ARN of this account and region. */
function busOf(state: EventsState, given: string | undefined, context: RequestContext): string {
  const name = given ?? 'default';
  const arn = /^arn:aws[\w-]*:events:([^:]+):(\d{12}):event-bus\/(.+)$/.exec(name);
  const bus = arn === null ? name : arn[3];
  const here = arn === null || (arn[1] === context.region && arn[2] === context.accountId);
  if (bus === undefined || !here || !state.hasBus(bus)) {
    throw new EntryError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
  }
  return bus;
}

/** The Detail, which must be a JSON object. */
function detailOf(detail: string): Readonly<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(detail);
    if (isObject(parsed)) return parsed;
  } catch {
    // Falls through: not JSON at all.
  }
  throw new EntryError('MalformedDetail', 'Detail is malformed.');
}

/** Checks one entry and keeps its event; throws EntryError for what AWS reports per entry. */
function putOne(state: EventsState, entry: Input, context: RequestContext): string {
  const source = entry.optString('Source') ?? '';
  const detailType = entry.optString('DetailType') ?? '';
  const detailText = entry.optString('Detail') ?? '';
  if (source === '') throw required('Source');
  if (detailType === '') throw required('DetailType');
  if (detailText === '') throw required('Detail');
  const detail = detailOf(detailText);
  // Sources under aws. belong to AWS services; an application may not put them.
  if (source.startsWith('aws.')) {
    throw new EntryError('NotAuthorizedForSourceException', 'Not authorized for the source.');
  }
  const bus = busOf(state, entry.optString('EventBusName'), context);
  const time = entry.optNumber('Time');
  const id = state.random.uuid();
  state.keep({
    id,
    time: time === undefined ? state.clock.now() : new Date(time * 1000),
    region: context.region,
    account: context.accountId,
    bus,
    source,
    detailType,
    detail,
    resources: entry.optStrings('Resources') ?? [],
  });
  return id;
}

/** PutEvents: each entry succeeds with an EventId or fails on its own with an error code. */
export function putEvents(state: EventsState, input: Input, context: RequestContext): JsonObject {
  const entries = readEntries(input);
  const results = entries.map((entry): JsonObject => {
    try {
      return { EventId: putOne(state, entry, context) };
    } catch (error) {
      if (!(error instanceof EntryError)) throw error;
      return { ErrorCode: error.code, ErrorMessage: error.message };
    }
  });
  return {
    FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
    Entries: results,
  };
}
