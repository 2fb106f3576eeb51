import { AwsError, constraintError } from '../aws-error.js';
import type { Input } from '../input.js';

/** ParameterNotFound, worded with the name as the caller gave it. */
export const notFound = (name: string): AwsError =>
  new AwsError('ParameterNotFound', `Parameter ${name} not found.`);

/** ParameterVersionNotFound for a version (or label) a parameter does not have. */
export const versionNotFound = (name: string, version: string | number): AwsError =>
  new AwsError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
  );

/** InvalidNextToken, for a paging token SSM did not issue. */
export const invalidNextToken = (): AwsError =>
  new AwsError('InvalidNextToken', "The specified token isn't valid.");

/** A listing's MaxResults: `fallback` when absent, refused outside 1 to `limit`. */
export function maxResults(input: Input, limit: number, fallback: number): number {
  const value = input.optInteger('MaxResults') ?? fallback;
  if (value > limit)
    throw constraintError(
      'MaxResults',
      value,
      `Member must have value less than or equal to ${limit}`,
    );
  if (value < 1)
    throw constraintError('MaxResults', value, 'Member must have value greater than or equal to 1');
  return value;
}
