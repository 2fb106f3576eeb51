import { InvalidRecordError, PermanentError } from '../errors.js';
import { assertRoomToRotate, parseRecord, type RotationRecord } from './record.js';

/**
 * The record of a parameter a job names. A record that is invalid, or would not fit once rotated,
 * makes the job fail permanently, and is found before anything is minted or deleted.
 */
export function rotatableRecord(name: string, description: string | undefined): RotationRecord {
  try {
    const record = parseRecord(description);
    assertRoomToRotate(record);
    return record;
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    throw new PermanentError('Rotation', 'UnmanagedParameter', `${name} record ${error.message}`, {
      cause: error,
    });
  }
}
