import type { RotationRecord } from './record.js';

/**
 * The deploy's allow-lists, enforced in code as well as in IAM: whatever a record under the path
 * asks for, the rotator mints only for these licenses and only tokens that name these roles.
 * Patterns use `*` for any run of characters, as IAM resource ARNs do.
 */
export interface AllowLists {
  /** License ARN patterns. */
  readonly licenseArns: readonly string[];
  /** Role ARN patterns; empty means a token may name no role. */
  readonly roleArns: readonly string[];
}

const LICENSE_ARN_PATTERN =
  /^arn:aws(-[a-z]+)*:license-manager:[a-z0-9*-]*:[\d*]{0,12}:license[:/][A-Za-z0-9._/*-]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)*:iam::([\d*]{1,12}):role\/[\w+=,.@/*-]+$/;

/** True when the text is a license ARN, or one with `*` wildcards. */
export const isLicenseArnPattern = (value: string): boolean => LICENSE_ARN_PATTERN.test(value);

/** True when the text is an IAM role ARN, or one with `*` wildcards. */
export const isRoleArnPattern = (value: string): boolean => ROLE_ARN_PATTERN.test(value);

const toRegExp = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/** True when some pattern matches the ARN as a whole. */
export const matchesAny = (patterns: readonly string[], arn: string): boolean =>
  patterns.some((pattern) => toRegExp(pattern).test(arn));

/** Why a record asks for more than the allow-lists permit, or undefined when it does not. */
export function allowListProblem(
  record: Pick<RotationRecord, 'licenseArn' | 'roleArns'>,
  lists: AllowLists,
): string | undefined {
  if (!matchesAny(lists.licenseArns, record.licenseArn)) {
    return `license ${record.licenseArn} is not in the allowed licenses (LICENSE_ARNS)`;
  }
  const refused = record.roleArns.filter((role) => !matchesAny(lists.roleArns, role));
  return refused.length === 0
    ? undefined
    : `role(s) ${refused.join(', ')} not in the allowed roles (ROLE_ARNS)`;
}
