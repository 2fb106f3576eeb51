import { describe, expect, it } from 'vitest';
import { InvalidRecordError, PermanentError } from '../../../src/errors.js';
import { serialiseRecord } from '../../../src/rotation/record.js';
import { rotatableRecord } from '../../../src/rotation/rotatable-record.js';
import { thrownBy } from '../../helpers/errors.js';
import { aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH } from '../../helpers/factories.js';

const NAME = `${TOKEN_PATH}acme/prod`;

describe('rotatableRecord', () => {
  it('reads a valid record', () => {
    const record = aRecord();
    expect(rotatableRecord(NAME, serialiseRecord(record), NOW, ROTATE_OPTIONS)).toEqual(record);
  });

  it('fails for good on an invalid record, naming the parameter and keeping the record error', () => {
    const error = thrownBy(PermanentError, () =>
      rotatableRecord(NAME, 'hand-made', NOW, ROTATE_OPTIONS),
    );
    expect(error).toMatchObject({
      operation: 'Rotation',
      code: 'UnmanagedParameter',
      message: `Rotation failed (UnmanagedParameter): ${NAME} record description: is not JSON`,
    });
    expect(error.cause).toBeInstanceOf(InvalidRecordError);
    expect(error.cause).toMatchObject({ field: 'description' });
  });
});
