import { AwsError, constraintMessage } from '../aws-error.js';
import type { Input } from '../input.js';
import { PARAMETER_TYPES, type ParameterVersion, TIERS } from './parameter.js';

/** One ParameterStringFilter of DescribeParameters or GetParametersByPath. */
export interface ParameterFilter {
  readonly key: string;
  readonly option: string;
  readonly values: readonly string[];
}

const KEY_PATTERN = 'tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType';
const NEEDS_VALUES = new Set(['Name', 'Type', 'Path', 'Tier', 'KeyId', 'DataType']);
const INVALID_PATH =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

const invalidOption = (option: string, valid: string): AwsError =>
  new AwsError(
    'InvalidFilterOption',
    `The following filter option is not valid: ${option}. Valid options include: [${valid}].`,
  );

function checkPathValue(value: string): void {
  if (/^\/(aws|ssm)/i.test(value)) {
    throw new AwsError(
      'ValidationException',
      'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). When using global parameters, please specify within a global namespace.',
    );
  }
  if (value.includes('//') || !value.startsWith('/') || !/^[a-zA-Z0-9_.\-/]*$/.test(value)) {
    throw new AwsError('ValidationException', INVALID_PATH);
  }
}

function checkOne(filter: ParameterFilter, index: number, mode: 'describe' | 'by-path'): void {
  const { key, option, values } = filter;
  if (!new RegExp(`^(${KEY_PATTERN})$`).test(key)) {
    throw new AwsError(
      'ValidationException',
      constraintMessage(
        `parameterFilters.${index + 1}.member.key`,
        key,
        `Member must satisfy regular expression pattern: ${KEY_PATTERN}`,
      ),
    );
  }
  if (mode === 'describe' && key === 'Label') {
    throw new AwsError(
      'InvalidFilterKey',
      'The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier].',
    );
  }
  if (mode === 'by-path' && ['Name', 'Path', 'Tier'].includes(key)) {
    throw new AwsError(
      'InvalidFilterKey',
      `The following filter key is not valid: ${key}. Valid filter keys include: [Type, KeyId].`,
    );
  }
  if (NEEDS_VALUES.has(key) && values.length === 0) {
    throw new AwsError(
      'InvalidFilterValue',
      `The following filter values are missing : null for filter key ${key}.`,
    );
  }
  if (key === 'Path') {
    if (option !== 'Recursive' && option !== 'OneLevel')
      throw invalidOption(option, 'Recursive, OneLevel');
    for (const value of values) checkPathValue(value);
    return;
  }
  if (key === 'Type') {
    const bad = values.find((value) => !(PARAMETER_TYPES as readonly string[]).includes(value));
    if (bad !== undefined) {
      throw new AwsError(
        'InvalidFilterOption',
        `The following filter value is not valid: ${bad}. Valid values include: [${PARAMETER_TYPES.join(', ')}].`,
      );
    }
  }
  if (key === 'Tier') {
    const bad = values.find((value) => !(TIERS as readonly string[]).includes(value));
    if (bad !== undefined) {
      throw new AwsError(
        'InvalidFilterOption',
        `The following filter value is not valid: ${bad}. Valid values include: [${TIERS.join(', ')}].`,
      );
    }
  }
  const allowed = key === 'Name' ? ['Equals', 'BeginsWith', 'Contains'] : ['Equals', 'BeginsWith'];
  if (!allowed.includes(option)) throw invalidOption(option, 'BeginsWith, Equals');
}

/** Reads and checks ParameterFilters; throws the error SSM answers for the first bad one. */
export function readFilters(
  list: Input[] | undefined,
  mode: 'describe' | 'by-path',
): ParameterFilter[] {
  const filters = (list ?? []).map((item) => {
    const key = item.string('Key');
    return {
      key,
      option: item.optString('Option') ?? (key === 'Path' ? 'OneLevel' : 'Equals'),
      values: item.optStrings('Values') ?? [],
    };
  });
  const seen = new Set<string>();
  filters.forEach((filter, index) => {
    checkOne(filter, index, mode);
    if (seen.has(filter.key)) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter is duplicated in the request: ${filter.key}. A request can contain only one occurrence of a specific filter.`,
      );
    }
    seen.add(filter.key);
  });
  return filters;
}

const slashed = (name: string): string => `/${name.replace(/^\/+/, '')}`;

function matchOne(
  filter: ParameterFilter,
  parameter: ParameterVersion,
  tags: ReadonlyMap<string, string>,
): boolean {
  const { key, option, values } = filter;
  if (key === 'Path') {
    const name = slashed(parameter.name);
    return values.some((raw) => {
      const path = slashed(raw.replace(/\/+$/, ''));
      if (option === 'Recursive') return path === '/' || name.startsWith(`${path}/`);
      const depth = path === '/' ? 0 : path.split('/').length - 1;
      return (
        (path === '/' || name.startsWith(`${path}/`)) && name.split('/').length - 1 === depth + 1
      );
    });
  }
  if (key === 'Label') return values.some((value) => parameter.labels.includes(value));
  let subject: string | undefined;
  if (key.startsWith('tag:')) {
    subject = tags.get(key.slice(4));
    if (subject !== undefined && values.length === 0) return true;
  } else if (key === 'Name') subject = slashed(parameter.name);
  else if (key === 'Type') subject = parameter.type;
  else if (key === 'KeyId') subject = parameter.keyId;
  else if (key === 'Tier') subject = parameter.tier;
  else if (key === 'DataType') subject = parameter.dataType;
  if (subject === undefined) return false;
  const text = subject;
  const wanted = key === 'Name' && option !== 'Contains' ? values.map(slashed) : values;
  if (option === 'BeginsWith') return wanted.some((value) => text.startsWith(value));
  if (option === 'Contains') return wanted.some((value) => text.includes(value));
  return wanted.some((value) => text === value);
}

/** True when the parameter passes every filter. */
export const matchesAll = (
  filters: readonly ParameterFilter[],
  parameter: ParameterVersion,
  tags: ReadonlyMap<string, string>,
): boolean => filters.every((filter) => matchOne(filter, parameter, tags));

/** The older `Filters` of DescribeParameters: Name (begins with), Type and KeyId (equal). */
export function matchesLegacy(
  filters: readonly { key: string; values: readonly string[] }[],
  parameter: ParameterVersion,
): boolean {
  return filters.every(({ key, values }) => {
    if (key === 'Name') return values.some((value) => parameter.name.startsWith(value));
    if (key === 'Type') return values.includes(parameter.type);
    if (key === 'KeyId') return parameter.keyId !== undefined && values.includes(parameter.keyId);
    return false;
  });
}
