import { AwsError, constraintError } from '../aws-error.js';
import type { SandboxClock } from '../clock.js';
import type { FaultOutcome } from '../faults.js';
import { coralProblem, type Input, type JsonObject } from '../input.js';
import { pageOf } from '../paging.js';
import type { SeededRandom } from '../random.js';
import type { AwsService, RequestContext } from '../service.js';
import { matchesAll, matchesLegacy, readFilters } from './filters.js';
import { SandboxKms } from './kms.js';
import {
  checkName,
  DEFAULT_KEY_ID,
  MAX_ADVANCED_VALUE,
  MAX_DESCRIPTION_LENGTH,
  MAX_STANDARD_VALUE,
  MAX_VERSIONS,
  nameFromArn,
  normaliseName,
  PARAMETER_TYPES,
  type ParameterType,
  type ParameterVersion,
  parameterArn,
} from './parameter.js';

/** One write the sandbox's SSM accepted, for tests that check where the code under test wrote. */
export interface SsmWrite {
  readonly operation: string;
  readonly name: string;
  /** The version written or labelled, when there is one. */
  readonly version?: number;
  readonly at: Date;
}

const OPERATIONS = [
  'PutParameter',
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'DescribeParameters',
  'DeleteParameter',
  'DeleteParameters',
  'GetParameterHistory',
  'LabelParameterVersion',
  'UnlabelParameterVersion',
  'AddTagsToResource',
  'RemoveTagsFromResource',
  'ListTagsForResource',
] as const;

const seconds = (date: Date): number => date.getTime() / 1000;

const notFound = (name: string): AwsError =>
  new AwsError('ParameterNotFound', `Parameter ${name} not found.`);

const versionNotFound = (name: string, version: string | number): AwsError =>
  new AwsError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
  );

function maxResults(input: Input, limit: number, fallback: number): number {
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

/** An AllowedPattern as a RegExp; one that does not compile is the caller's mistake. */
function patternOf(allowedPattern: string): RegExp {
  try {
    return new RegExp(allowedPattern);
  } catch {
    throw new AwsError(
      'InvalidAllowedPatternException',
      "The request doesn't contain a valid allowed pattern.",
    );
  }
}

/** The 1 to 10 names GetParameters and DeleteParameters take. */
function tenNames(input: Input): string[] {
  const names = input.optStrings('Names') ?? [];
  if (names.length === 0) throw constraintError('Names', null, 'Member must not be null');
  if (names.length > 10) {
    throw constraintError(
      'Names',
      `[${names.join(', ')}]`,
      'Member must have length less than or equal to 10',
    );
  }
  return names;
}

/**
 * SSM Parameter Store, as far as this project and its tests use it, with AWS's rules: versions
 * (100 kept), SecureString, Description, labels, tags, hierarchy and paging limits.
 */
export class SsmService implements AwsService {
  readonly name = 'ssm' as const;
  readonly targetPrefix = 'AmazonSSM';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly inputProblem = coralProblem;
  readonly operations: ReadonlySet<string> = new Set(OPERATIONS);
  readonly #clock: SandboxClock;
  readonly #random: SeededRandom;
  readonly #kms = new SandboxKms();
  readonly #shortPages: number;
  readonly #versions = new Map<string, ParameterVersion[]>();
  readonly #tags = new Map<string, Map<string, string>>();
  readonly #writes: SsmWrite[] = [];

  /**
   * @param options.shortPages probability that a filtered listing page comes back short (even
   *   empty) with a NextToken, as AWS may answer; 0 by default
   */
  constructor(clock: SandboxClock, random: SeededRandom, options: { shortPages?: number } = {}) {
    this.#clock = clock;
    this.#random = random;
    this.#shortPages = options.shortPages ?? 0;
  }

  /** Every write accepted so far, oldest first. */
  writes(): readonly SsmWrite[] {
    return [...this.#writes];
  }

  /** The latest version of every parameter, sorted by name (values in plaintext: in-process only). */
  parameters(): ParameterVersion[] {
    return [...this.#versions.keys()].sort().flatMap((name) => this.#latest(name) ?? []);
  }

  /** The latest version of one parameter, or undefined. */
  parameter(name: string): ParameterVersion | undefined {
    return this.#latest(normaliseName(name));
  }

  /** Every kept version of one parameter, oldest first. */
  history(name: string): readonly ParameterVersion[] {
    return [...(this.#versions.get(normaliseName(name)) ?? [])];
  }

  /** A parameter's tags. */
  tags(name: string): ReadonlyMap<string, string> {
    return new Map(this.#tags.get(normaliseName(name)));
  }

  #latest(name: string): ParameterVersion | undefined {
    return this.#versions.get(name)?.at(-1);
  }

  #record(operation: string, name: string, version?: number): void {
    this.#writes.push({
      operation,
      name,
      at: this.#clock.now(),
      ...(version === undefined ? {} : { version }),
    });
  }

  #shorten = (length: number): number =>
    this.#shortPages > 0 && this.#random.next() < this.#shortPages
      ? this.#random.int(length)
      : length;

  faultError(fault: Exclude<FaultOutcome, { kind: 'reset' }>): AwsError {
    if (fault.kind === 'throttle') return new AwsError('ThrottlingException', 'Rate exceeded');
    const status = fault.status ?? (/Internal|Unavailable/.test(fault.code) ? 500 : 400);
    return new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, { status });
  }

  errorResponse(error: AwsError): { headers: Record<string, string>; body: JsonObject } {
    return {
      headers: { 'x-amzn-ErrorType': error.code },
      body: { __type: error.code, message: error.message, ...error.fields },
    };
  }

  handle(operation: string, input: Input, context: RequestContext): JsonObject {
    switch (operation) {
      case 'PutParameter':
        return this.#put(input, context);
      case 'GetParameter':
        return { Parameter: this.#read(this.#select(input.string('Name')), input, context) };
      case 'GetParameters':
        return this.#getMany(input, context);
      case 'GetParametersByPath':
        return this.#byPath(input, context);
      case 'DescribeParameters':
        return this.#describe(input, context);
      case 'DeleteParameter':
        this.#delete(input.string('Name'));
        return {};
      case 'DeleteParameters':
        return this.#deleteMany(input);
      case 'GetParameterHistory':
        return this.#history(input, context);
      case 'LabelParameterVersion':
        return this.#label(input);
      case 'UnlabelParameterVersion':
        return this.#unlabel(input);
      case 'AddTagsToResource':
      case 'RemoveTagsFromResource':
      case 'ListTagsForResource':
        return this.#tagging(operation, input);
      default:
        throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  #put(input: Input, context: RequestContext): JsonObject {
    const given = input.string('Name');
    checkName(given);
    const name = normaliseName(given);
    const value = input.string('Value');
    if (value.length === 0)
      throw constraintError('Value', value, 'Member must have length greater than or equal to 1');
    const overwrite = input.optBoolean('Overwrite') ?? false;
    const tags = input.optObjects('Tags') ?? [];
    if (tags.length > 50) {
      throw new AwsError(
        'TooManyTagsError',
        'The Tags parameter has too many tags. A resource can have at most 50 tags.',
      );
    }
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
    if (
      dataType !== undefined &&
      !['text', 'aws:ec2:image', 'aws:ssm:integration'].includes(dataType)
    ) {
      throw new AwsError(
        'ValidationException',
        `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
      );
    }
    const versions = this.#versions.get(name) ?? [];
    const previous = versions.at(-1);
    if (previous !== undefined && !overwrite) {
      throw new AwsError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const type = (typeName ?? previous?.type) as ParameterType | undefined;
    if (type === undefined) {
      throw new AwsError(
        'ValidationException',
        'A parameter type is required when you create a parameter.',
      );
    }
    const tier = this.#tier(input.optString('Tier'), value, previous);
    const allowedPattern = input.optString('AllowedPattern') ?? previous?.allowedPattern;
    if (allowedPattern !== undefined && !patternOf(allowedPattern).test(value)) {
      throw new AwsError(
        'ParameterPatternMismatchException',
        `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
      );
    }
    if (versions.length >= MAX_VERSIONS) {
      const oldest = versions[0];
      if (oldest !== undefined && oldest.labels.length > 0) {
        throw new AwsError(
          'ParameterMaxVersionLimitExceeded',
          `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
        );
      }
      versions.shift();
    }
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
      ciphertext: keyId === undefined ? undefined : this.#kms.encrypt(keyId, value),
      keyId,
      // A new version without a Description has none: AWS does not carry the old one over.
      description,
      allowedPattern,
      tier,
      dataType: dataType ?? previous?.dataType ?? 'text',
      lastModified: this.#clock.now(),
      lastModifiedUser: `arn:aws:iam::${context.accountId}:user/${context.accessKeyId}`,
      region: context.region,
      labels: [],
    });
    this.#versions.set(name, versions);
    this.#listing = undefined;
    this.#record('PutParameter', name, version);
    if (tags.length > 0) this.#addTags(name, tags);
    return { Version: version, Tier: tier };
  }

  #tier(requested: string | undefined, value: string, previous: ParameterVersion | undefined) {
    if (
      requested !== undefined &&
      !['Standard', 'Advanced', 'Intelligent-Tiering'].includes(requested)
    ) {
      throw constraintError(
        'Tier',
        requested,
        'Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]',
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
    return advanced ? ('Advanced' as const) : ('Standard' as const);
  }

  /** Resolves `name`, `name:version` or `name:label` (or an ARN) to a stored version. */
  #select(selector: string): { version: ParameterVersion; selector?: string } {
    const bare = nameFromArn(selector);
    const colon = bare.indexOf(':');
    const name = normaliseName(colon === -1 ? bare : bare.slice(0, colon));
    const versions = this.#versions.get(name);
    const latest = versions?.at(-1);
    if (versions === undefined || latest === undefined) throw notFound(selector);
    if (colon === -1) return { version: latest };
    const which = bare.slice(colon + 1);
    const found = /^\d+$/.test(which)
      ? versions.find((v) => v.version === Number(which))
      : versions.find((v) => v.labels.includes(which));
    if (found === undefined) {
      if (/^\d+$/.test(which)) throw versionNotFound(name, which);
      throw notFound(selector);
    }
    return { version: found, selector: `:${which}` };
  }

  #read(
    selected: { version: ParameterVersion; selector?: string },
    input: Input,
    context: RequestContext,
  ): JsonObject {
    const { version: p, selector } = selected;
    const decrypt = input.optBoolean('WithDecryption') ?? false;
    return {
      Name: p.name,
      Type: p.type,
      Value: p.type === 'SecureString' && !decrypt ? p.ciphertext : p.value,
      Version: p.version,
      LastModifiedDate: seconds(p.lastModified),
      ARN: parameterArn(p.name, context.region, context.accountId),
      DataType: p.dataType,
      ...(selector === undefined ? {} : { Selector: selector }),
    };
  }

  #getMany(input: Input, context: RequestContext): JsonObject {
    const names = tenNames(input);
    const parameters: JsonObject[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) {
      try {
        parameters.push(this.#read(this.#select(name), input, context));
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        invalid.push(name);
      }
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  // Sorted once per write rather than once per page: a listing of 100,000 parameters is 2,000
  // DescribeParameters pages, and sorting on each made the sandbox, not the caller, the cost.
  #listing: ParameterVersion[] | undefined;

  #sortedLatest(): readonly ParameterVersion[] {
    this.#listing ??= [...this.#versions.keys()].sort().flatMap((name) => this.#latest(name) ?? []);
    return this.#listing;
  }

  #byPath(input: Input, context: RequestContext): JsonObject {
    const path = input.string('Path');
    if (!path.startsWith('/') || !/^[a-zA-Z0-9_.\-/]*$/.test(path) || path.includes('//')) {
      throw new AwsError(
        'ValidationException',
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      );
    }
    const recursive = input.optBoolean('Recursive') ?? false;
    const filters = readFilters(input.optObjects('ParameterFilters'), 'by-path');
    const limit = maxResults(input, 10, 10);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const matches = (p: ParameterVersion): boolean => {
      const name = p.name.startsWith('/') ? p.name : `/${p.name}`;
      if (prefix !== '/' && !name.startsWith(prefix)) return false;
      if (!recursive && name.slice(prefix.length).includes('/')) return false;
      return matchesAll(filters, p, this.#tags.get(p.name) ?? new Map());
    };
    const page = pageOf(this.#sortedLatest(), {
      keyOf: (p) => p.name,
      matches,
      maxResults: limit,
      nextToken: input.optString('NextToken'),
      invalidToken: () => new AwsError('InvalidNextToken', "The specified token isn't valid."),
      shorten: this.#shorten,
    });
    return {
      Parameters: page.items.map((p) => this.#read({ version: p }, input, context)),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  #metadata(p: ParameterVersion, context: RequestContext): JsonObject {
    return {
      Name: p.name,
      ARN: parameterArn(p.name, context.region, context.accountId),
      Type: p.type,
      ...(p.keyId === undefined ? {} : { KeyId: p.keyId }),
      LastModifiedDate: seconds(p.lastModified),
      LastModifiedUser: p.lastModifiedUser,
      ...(p.description === undefined ? {} : { Description: p.description }),
      ...(p.allowedPattern === undefined ? {} : { AllowedPattern: p.allowedPattern }),
      Version: p.version,
      Tier: p.tier,
      Policies: [],
      DataType: p.dataType,
    };
  }

  #describe(input: Input, context: RequestContext): JsonObject {
    const legacy = (input.optObjects('Filters') ?? []).map((f) => ({
      key: f.string('Key'),
      values: f.optStrings('Values') ?? [],
    }));
    const filterList = input.optObjects('ParameterFilters');
    if (legacy.length > 0 && filterList !== undefined && filterList.length > 0) {
      throw new AwsError(
        'ValidationException',
        'You can use either Filters or ParameterFilters in a single request.',
      );
    }
    const filters = readFilters(filterList, 'describe');
    const limit = maxResults(input, 50, 10);
    const page = pageOf(this.#sortedLatest(), {
      keyOf: (p) => p.name,
      matches: (p) =>
        matchesLegacy(legacy, p) && matchesAll(filters, p, this.#tags.get(p.name) ?? new Map()),
      maxResults: limit,
      nextToken: input.optString('NextToken'),
      invalidToken: () => new AwsError('InvalidNextToken', "The specified token isn't valid."),
      shorten: filters.length + legacy.length > 0 ? this.#shorten : undefined,
    });
    return {
      Parameters: page.items.map((p) => this.#metadata(p, context)),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  #delete(given: string): void {
    const name = normaliseName(given);
    if (!this.#versions.has(name)) throw notFound(given);
    this.#versions.delete(name);
    this.#listing = undefined;
    this.#tags.delete(name);
    this.#record('DeleteParameter', name);
  }

  #deleteMany(input: Input): JsonObject {
    const names = tenNames(input);
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) {
      if (this.#versions.has(normaliseName(name))) {
        this.#delete(name);
        deleted.push(name);
      } else invalid.push(name);
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  #history(input: Input, context: RequestContext): JsonObject {
    const given = input.string('Name');
    const versions = this.#versions.get(normaliseName(given));
    if (versions === undefined) throw notFound(given);
    const decrypt = input.optBoolean('WithDecryption') ?? false;
    const page = pageOf(versions, {
      keyOf: (p) => String(p.version).padStart(12, '0'),
      maxResults: maxResults(input, 50, 50),
      nextToken: input.optString('NextToken'),
      invalidToken: () => new AwsError('InvalidNextToken', "The specified token isn't valid."),
    });
    return {
      Parameters: page.items.map((p) => ({
        ...this.#metadata(p, context),
        Value: p.type === 'SecureString' && !decrypt ? p.ciphertext : p.value,
        Labels: [...p.labels],
      })),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  #label(input: Input): JsonObject {
    const given = input.string('Name');
    const name = normaliseName(given);
    const versions = this.#versions.get(name);
    const latest = versions?.at(-1);
    if (versions === undefined || latest === undefined) throw notFound(given);
    const number = input.optInteger('ParameterVersion') ?? latest.version;
    const target = versions.find((v) => v.version === number);
    if (target === undefined) throw versionNotFound(name, number);
    const labels = input.optStrings('Labels') ?? [];
    const invalid = labels.filter(
      (label) =>
        label.length > 100 ||
        /^(aws|ssm)/i.test(label) ||
        /^\d/.test(label) ||
        !/^[a-zA-Z0-9_.-]+$/.test(label),
    );
    const valid = labels.filter((label) => !invalid.includes(label));
    const added = valid.filter((label) => !target.labels.includes(label));
    if (target.labels.length + added.length > 10) {
      throw new AwsError(
        'ParameterVersionLabelLimitExceeded',
        'A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.',
      );
    }
    // A label names one version at a time: attaching it here moves it from wherever it was.
    for (const other of versions) {
      if (other !== target) other.labels = other.labels.filter((label) => !valid.includes(label));
    }
    target.labels.push(...added);
    if (added.length > 0) this.#record('LabelParameterVersion', name, number);
    return { InvalidLabels: invalid, ParameterVersion: number };
  }

  #unlabel(input: Input): JsonObject {
    const given = input.string('Name');
    const name = normaliseName(given);
    const versions = this.#versions.get(name);
    if (versions === undefined) throw notFound(given);
    const number = input.integer('ParameterVersion');
    const target = versions.find((v) => v.version === number);
    if (target === undefined) throw versionNotFound(name, number);
    const labels = input.optStrings('Labels') ?? [];
    const removed = labels.filter((label) => target.labels.includes(label));
    target.labels = target.labels.filter((label) => !removed.includes(label));
    if (removed.length > 0) this.#record('UnlabelParameterVersion', name, number);
    return {
      RemovedLabels: removed,
      InvalidLabels: labels.filter((label) => !removed.includes(label)),
    };
  }

  #resource(input: Input): string {
    const type = input.string('ResourceType');
    const id = input.string('ResourceId');
    if (type !== 'Parameter') {
      const known = [
        'Document',
        'ManagedInstance',
        'MaintenanceWindow',
        'PatchBaseline',
        'OpsItem',
        'OpsMetadata',
        'Automation',
        'Association',
      ];
      throw known.includes(type)
        ? new AwsError('InvalidResourceId', 'Invalid Resource Id')
        : new AwsError('InvalidResourceType', 'Invalid Resource Type');
    }
    const name = normaliseName(nameFromArn(id));
    if (!this.#versions.has(name)) throw new AwsError('InvalidResourceId', 'Invalid Resource Id');
    return name;
  }

  #addTags(name: string, tags: readonly Input[]): void {
    const current = this.#tags.get(name) ?? new Map<string, string>();
    const next = new Map(current);
    for (const tag of tags) next.set(tag.string('Key'), tag.string('Value'));
    if (next.size > 50) {
      throw new AwsError(
        'TooManyTagsError',
        'The Tags parameter has too many tags. A resource can have at most 50 tags.',
      );
    }
    this.#tags.set(name, next);
    this.#record('AddTagsToResource', name);
  }

  #tagging(operation: string, input: Input): JsonObject {
    const name = this.#resource(input);
    if (operation === 'AddTagsToResource') {
      this.#addTags(name, input.optObjects('Tags') ?? []);
      return {};
    }
    if (operation === 'RemoveTagsFromResource') {
      const tags = this.#tags.get(name);
      for (const key of input.optStrings('TagKeys') ?? []) tags?.delete(key);
      this.#record('RemoveTagsFromResource', name);
      return {};
    }
    return {
      TagList: [...(this.#tags.get(name) ?? new Map<string, string>())].map(([Key, Value]) => ({
        Key,
        Value,
      })),
    };
  }
}
