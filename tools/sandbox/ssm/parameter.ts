import { AwsError, constraintError } from '../aws-error.js';

/** SSM's parameter types. */
export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;

/** One of SSM's parameter types. */
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** SSM's parameter tiers, as a request may name them. */
export const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;

/** One stored version of a parameter. */
export interface ParameterVersion {
  readonly name: string;
  readonly version: number;
  readonly type: ParameterType;
  /** The plaintext (in-process only; the wire gets it only WithDecryption). */
  readonly value: string;
  /** What a read without decryption returns for a SecureString. */
  readonly ciphertext: string | undefined;
  readonly keyId: string | undefined;
  readonly description: string | undefined;
  readonly allowedPattern: string | undefined;
  readonly tier: 'Standard' | 'Advanced';
  readonly dataType: string;
  readonly lastModified: Date;
  readonly lastModifiedUser: string;
  /** The region the version was written from (ARNs carry it). */
  readonly region: string;
  labels: string[];
}

/** SSM keeps this many versions of a parameter. */
export const MAX_VERSIONS = 100;
/** SSM's limit on a name (without the ARN prefix). */
export const MAX_NAME_LENGTH = 1011;
/** SSM's limit on a name's hierarchy depth. */
export const MAX_LEVELS = 15;
/** SSM's limit on a Description. */
export const MAX_DESCRIPTION_LENGTH = 1024;
/** The Standard tier's limit on a value; Advanced allows 8 KB. */
export const MAX_STANDARD_VALUE = 4096;
/** The Advanced tier's limit on a value. */
export const MAX_ADVANCED_VALUE = 8192;
/** The KMS key SSM uses when a SecureString names none. */
export const DEFAULT_KEY_ID = 'alias/aws/ssm';

/** The message AWS gives for a name that breaks the naming rules. */
export const INVALID_NAME =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

/**
 * SSM treats `/name` and `name` as one parameter when the name has a single level; it stores
 * such a name without the slash.
 */
export function normaliseName(name: string): string {
  const stripped = name.startsWith('/') ? name.slice(1) : name;
  return stripped.includes('/') ? name : stripped;
}

/** The name part of a parameter ARN, or the name unchanged. */
export function nameFromArn(name: string): string {
  const match = /^arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d{12}:parameter(\/.*)$/.exec(name);
  return match?.[1] === undefined ? name : normaliseName(match[1]);
}

/** Checks a name for PutParameter; throws the error AWS answers for each broken rule. */
export function checkName(name: string): void {
  if (name.length === 0)
    throw constraintError('Name', name, 'Member must have length greater than or equal to 1');
  if (name.length > MAX_NAME_LENGTH) {
    throw new AwsError(
      'ValidationException',
      `Parameter name can't be longer than ${MAX_NAME_LENGTH} characters.`,
    );
  }
  const bare = name.replace(/^\//, '').toLowerCase();
  if (bare.startsWith('aws') || bare.startsWith('ssm')) {
    if (name.toLowerCase().startsWith('/aws/')) {
      throw new AwsError('AccessDeniedException', `No access to reserved parameter name: ${name}.`);
    }
    throw new AwsError('ValidationException', INVALID_NAME);
  }
  if (name.includes('/') && !name.startsWith('/')) {
    throw new AwsError('ValidationException', 'Parameter name must be a fully qualified name.');
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || name.includes('//') || name.endsWith('/')) {
    throw new AwsError('ValidationException', INVALID_NAME);
  }
  if (name.split('/').length - 1 > MAX_LEVELS) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_LEVELS} levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.`,
    );
  }
}

/** The parameter's ARN, as AWS builds it (no doubled slash for hierarchical names). */
export const parameterArn = (name: string, region: string, accountId: string): string =>
  `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

/** How many levels deep a name is: `/a/b` is 2, `a` is 1. */
export const levels = (name: string): number =>
  normaliseName(name).replace(/^\//, '').split('/').length;
