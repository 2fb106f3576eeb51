import { AwsError, constraintError } from '../aws-error.js';

const ARN =
  /^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$/;
const ARN_CONSTRAINT = `Member must satisfy regular expression pattern: ${ARN.source}`;

/** The HTTP status of each License Manager error (from the SDK's model). */
export const STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  AccessDeniedException: 401,
  AuthorizationException: 403,
  RateLimitExceededException: 429,
  RedirectException: 308,
  ResourceNotFoundException: 400,
  ResourceLimitExceededException: 400,
  ConflictException: 409,
  ServerInternalException: 500,
};

/** A License Manager error with the model's status. */
export const lmError = (code: string, message: string, fields?: Record<string, string>): AwsError =>
  new AwsError(code, message, {
    status: STATUS[code] ?? 400,
    ...(fields === undefined ? {} : { fields }),
  });

/** Checks an ARN member against the model's length and pattern. */
export function checkArn(member: string, value: string): void {
  if (value.length > 2048)
    throw constraintError(member, value, 'Member must have length less than or equal to 2048');
  if (!ARN.test(value)) throw constraintError(member, value, ARN_CONSTRAINT);
}

/** TokenProperties holds at most 3 entries. */
export function checkProperties(properties: readonly string[] | undefined): void {
  if (properties !== undefined && properties.length > 3) {
    throw constraintError(
      'TokenProperties',
      `[${properties.join(', ')}]`,
      'Member must have length less than or equal to 3',
    );
  }
}
