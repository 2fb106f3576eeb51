import { InvalidRecordError, PermanentError } from '../errors.js';
import { checkRotationPeriod, dueRuleOf, type RotationSettings } from './due.js';
import { assertRoomToRotate, parseRecord, type RotationRecord } from './record.js';

/** The configuration a stored record is checked against before anything acts on it. */
export type RecordRules = RotationSettings;

/**
 * The record of a parameter a job names. A record that is invalid (as of `now`), leaves too
 * little time between rotations, or would not fit once rotated makes the job fail permanently,
 * and is found before anything is minted or deleted.
 */
export function rotatableRecord(
  name: string,
  description: string | undefined,
  now: Date,
  rules: RecordRules,
): RotationRecord {
  try {
    const record = parseRecord(description, now);
    checkRotationPeriod(record, dueRuleOf(rules));
    assertRoomToRotate(record);
    return record;
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    throw new PermanentError('Rotation', 'UnmanagedParameter', `${name} record ${error.message}`, {
      cause: error,
    });
  }
}
