import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { failure, sqsError, withModelStatus } from './errors.js';

/** A batch may hold 10 entries. */
export const MAX_BATCH = 10;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Checks a batch's entries: 1 to 10, each with a distinct, well-formed Id. */
export function checkBatch(entries: Input[] | undefined, kind: string): Input[] {
  if (entries === undefined || entries.length === 0) {
    throw sqsError(
      'EmptyBatchRequest',
      `There should be at least one ${kind}BatchRequestEntry in the request.`,
    );
  }
  if (entries.length > MAX_BATCH) {
    throw sqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.string('Id');
    if (!ID_PATTERN.test(id)) {
      throw sqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}

/** Applies `apply` to each entry; an entry that fails is reported in Failed, the rest succeed. */
export function runBatch(
  entries: readonly Input[],
  apply: (entry: Input) => JsonObject | undefined,
): JsonObject {
  const successful: JsonObject[] = [];
  const failed: JsonObject[] = [];
  for (const entry of entries) {
    const id = entry.string('Id');
    try {
      successful.push({ Id: id, ...apply(entry) });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      failed.push(failure(id, withModelStatus(error)));
    }
  }
  return { Successful: successful, Failed: failed };
}
