import { AwsError, constraintError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import {
  checkName,
  DEFAULT_KEY_ID,
  MAX_ADVANCED_VALUE,
  MAX_DESCRIPTION_LENGTH,
  MAX_STANDARD_VALUE,
  MAX_VERSIONS,
  normaliseName,
  PARAMETER_TYPES,
  type ParameterType,
  type ParameterVersion,
  TIERS,
} from './parameter.js';
import type { SsmState } from './state.js';
import { addTags, checkTagCount } from './tags.js';

const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'] as const;

/** The members of a PutParameter request that need no stored version to check. */
interface PutRequest {
  readonly name: string;
  readonly value: string;
  readonly overwrite: boolean;
  readonly tags: readonly Input[];
  readonly description: string | undefined;
  readonly typeName: string | undefined;
  readonly dataType: string | undefined;
}

/** Reads PutParameter's members and checks each on its own, in the order AWS reports them. */
function readPut(input: Input): PutRequest {
  const given = input.string('Name');
  checkName(given);
  const value = input.string('Value');
  if (value.length === 0)
    throw constraintError('Value', value, 'Member must have length greater than or equal to 1');
  const overwrite = input.optBoolean('Overwrite') ?? false;
  const tags = input.optObjects('Tags') ?? [];
  checkTagCount(tags.length);
  if (overwrite && tags.length > 0) {
    throw new AwsError(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  const description = input.optString('Description');
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
    throw constraintError(
      'Description',
      description,
      `Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`,
    );
  }
  const typeName = input.optString('Type');
  if (typeName !== undefined && !(PARAMETER_TYPES as readonly string[]).includes(typeName)) {
    throw constraintError(
      'Type',
      typeName,
      `Member must satisfy enum value set: [${PARAMETER_TYPES.join(', ')}]`,
    );
  }
  const dataType = input.optString('DataType');
  if (dataType !== undefined && !(DATA_TYPES as readonly string[]).includes(dataType)) {
    throw new AwsError(
      'ValidationException',
      `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
    );
  }
  return { name: normaliseName(given), value, overwrite, tags, description, typeName, dataType };
}

/** The type of the new version: the one asked for, or the previous version's. */
function typeOf(request: PutRequest, previous: ParameterVersion | undefined): ParameterType {
  if (previous !== undefined && !request.overwrite) {
    throw new AwsError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const type = (request.typeName ?? previous?.type) as ParameterType | undefined;
  if (type === undefined) {
    throw new AwsError(
      'ValidationException',
      'A parameter type is required when you create a parameter.',
    );
  }
  return type;
}

/** The tier of the new version; a value over the tier's limit is refused. */
function tierOf(
  requested: string | undefined,
  value: string,
  previous: ParameterVersion | undefined,
): ParameterVersion['tier'] {
  if (requested !== undefined && !(TIERS as readonly string[]).includes(requested)) {
    throw constraintError(
      'Tier',
      requested,
      `Member must satisfy enum value set: [${TIERS.join(', ')}]`,
    );
  }
  if (requested === 'Standard' && previous?.tier === 'Advanced') {
    throw new AwsError(
      'ValidationException',
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  const advanced =
    requested === 'Advanced' ||
    previous?.tier === 'Advanced' ||
    (requested === 'Intelligent-Tiering' && value.length > MAX_STANDARD_VALUE);
  const limit = advanced ? MAX_ADVANCED_VALUE : MAX_STANDARD_VALUE;
  if (value.length > limit) {
    throw new AwsError(
      'ValidationException',
      advanced
        ? `Advanced tier parameters support a maximum parameter value of ${MAX_ADVANCED_VALUE} characters.`
        : `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`,
    );
  }
  return advanced ? 'Advanced' : 'Standard';
}

/** The AllowedPattern in force (given, or the previous version's); the value must match it. */
function patternOf(given: string | undefined, value: string, previous?: ParameterVersion) {
  const allowedPattern = given ?? previous?.allowedPattern;
  if (allowedPattern === undefined) return undefined;
  let pattern: RegExp;
  try {
    pattern = new RegExp(allowedPattern);
  } catch {
    throw new AwsError(
      'InvalidAllowedPatternException',
      "The request doesn't contain a valid allowed pattern.",
    );
  }
  if (!pattern.test(value)) {
    throw new AwsError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
    );
  }
  return allowedPattern;
}

/** Drops the oldest version when 100 are kept, unless a label holds it. */
function makeRoom(name: string, versions: ParameterVersion[]): void {
  if (versions.length < MAX_VERSIONS) return;
  const oldest = versions[0];
  if (oldest !== undefined && oldest.labels.length > 0) {
    throw new AwsError(
      'ParameterMaxVersionLimitExceeded',
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    );
  }
  versions.shift();
}

/** PutParameter: a new parameter, or a new version of one with Overwrite. */
export function putParameter(state: SsmState, input: Input, context: RequestContext): JsonObject {
  const request = readPut(input);
  const { name, value } = request;
  const versions = state.versionsOf(name) ?? [];
  const previous = versions.at(-1);
  const type = typeOf(request, previous);
  const tier = tierOf(input.optString('Tier'), value, previous);
  const allowedPattern = patternOf(input.optString('AllowedPattern'), value, previous);
  makeRoom(name, versions);
  const keyId =
    type === 'SecureString'
      ? (input.optString('KeyId') ?? previous?.keyId ?? DEFAULT_KEY_ID)
      : undefined;
  const version = (previous?.version ?? 0) + 1;
  versions.push({
    name,
    version,
    type,
    value,
    ciphertext: keyId === undefined ? undefined : state.kms.encrypt(keyId, value),
    keyId,
    // A new version without a Description has none: AWS does not carry the old one over.
    description: request.description,
    allowedPattern,
    tier,
    dataType: request.dataType ?? previous?.dataType ?? 'text',
    lastModified: state.clock.now(),
    lastModifiedUser: `arn:aws:iam::${context.accountId}:user/${context.accessKeyId}`,
    region: context.region,
    labels: [],
  });
  state.store(name, versions);
  state.record('PutParameter', name, version);
  if (request.tags.length > 0) addTags(state, name, request.tags);
  return { Version: version, Tier: tier };
}
