import { RequestThrottled } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { toProjectError } from '../../../src/aws/sdk-errors.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { fakeJwt } from '../../helpers/secrets.js';

const sdkError = (
  name: string,
  status: number | undefined,
  fault: 'client' | 'server' = 'client',
) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $fault: fault,
    $metadata: status === undefined ? {} : { httpStatusCode: status, requestId: 'req-1' },
  });

describe('toProjectError', () => {
  it.each([
    ['ThrottlingException', 400],
    ['RateLimitExceededException', 400],
    ['TooManyRequestsException', 429],
    ['InternalServerError', 500],
    ['ServiceUnavailable', 503],
  ])('treats %s (%i) as transient', (name, status) => {
    const error = toProjectError('CreateToken', sdkError(name, status));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe(name);
    expect(error.message).toBe(`CreateToken failed (${name}): ${name} happened (request req-1)`);
  });

  // Each code a service throttles with. Asked as a client fault with a 4xx that is neither 429 nor
  // 5xx, only the code can make the error transient: drop one from the set and its case fails.
  it.each([
    ['ThrottlingException', 400],
    ['Throttling', 400],
    ['ThrottledException', 400],
    ['TooManyRequestsException', 400],
    ['RequestThrottled', 403],
    ['RateLimitExceededException', 400],
    ['RequestLimitExceeded', 400],
  ])('treats the throttling code %s as transient by its code alone (%i)', (name, status) => {
    const error = toProjectError('SendMessageBatch', sdkError(name, status));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe(name);
  });

  it("treats SQS's RequestThrottled as transient, as the SDK raises it: a client fault, HTTP 403", () => {
    const throttled = new RequestThrottled({
      message: 'Request is throttled.',
      $metadata: { httpStatusCode: 403, requestId: 'req-sqs' },
    });
    expect(throttled).toMatchObject({ $fault: 'client', $retryable: undefined });
    const error = toProjectError('SendMessageBatch', throttled);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe(
      'SendMessageBatch failed (RequestThrottled): Request is throttled. (request req-sqs)',
    );
  });

  it('treats another 403 from SQS as permanent', () => {
    expect(toProjectError('SendMessage', sdkError('InvalidSecurity', 403))).toBeInstanceOf(
      PermanentError,
    );
  });

  it('treats an error the SDK marks retryable as transient, whatever its code', () => {
    const error = toProjectError(
      'CreateToken',
      Object.assign(sdkError('ConflictException', 409), { $retryable: {} }),
    );
    expect(error).toBeInstanceOf(TransientError);
  });

  it('treats any 429 as transient, whatever its code', () => {
    expect(toProjectError('CreateToken', sdkError('SlowDownPlease', 429))).toBeInstanceOf(
      TransientError,
    );
  });

  it('copes with null thrown', () => {
    const error = toProjectError('CreateToken', null);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe('CreateToken failed (UnknownError): null');
  });

  it('treats a server fault without a 5xx as transient', () => {
    expect(
      toProjectError('CreateToken', sdkError('ServerInternalException', 400, 'server')),
    ).toBeInstanceOf(TransientError);
  });

  it('treats a failure with no HTTP answer (network) as transient', () => {
    const error = toProjectError(
      'PutParameter',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('calls a failure with neither a name of its own nor a code UnknownError', () => {
    const error = toProjectError('PutParameter', new Error('socket hang up'));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('UnknownError');
    expect(toProjectError('PutParameter', 'a thrown string').message).toBe(
      'PutParameter failed (UnknownError): a thrown string',
    );
  });

  it.each([
    ['AccessDeniedException', 403],
    ['ValidationException', 400],
    ['ResourceNotFoundException', 400],
    ['ParameterMaxVersionLimitExceeded', 400],
  ])('treats %s as permanent', (name, status) => {
    expect(toProjectError('PutParameter', sdkError(name, status))).toBeInstanceOf(PermanentError);
  });

  it('redacts tokens the service echoed and does not keep the SDK error', () => {
    const jwt = fakeJwt();
    const error = toProjectError(
      'PutParameter',
      Object.assign(new Error(`Value '${jwt}' failed`), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    expect(error.message).not.toContain(jwt);
    expect(error.cause).toBeUndefined();
  });

  it('passes our own errors through unchanged', () => {
    const ours = new PermanentError('Rotation', 'UnmanagedParameter', 'bad record');
    expect(toProjectError('CreateToken', ours)).toBe(ours);
  });
});
