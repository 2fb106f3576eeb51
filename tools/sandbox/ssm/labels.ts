import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { notFound, versionNotFound } from './errors.js';
import { normaliseName, type ParameterVersion } from './parameter.js';
import type { SsmState } from './state.js';

/** SSM's limit on the labels of one version. */
const MAX_LABELS = 10;

/** A label SSM refuses: too long, reserved prefix, leading digit or a character outside its set. */
const invalidLabel = (label: string): boolean =>
  label.length > 100 ||
  /^(aws|ssm)/i.test(label) ||
  /^\d/.test(label) ||
  !/^[a-zA-Z0-9_.-]+$/.test(label);

/** The stored versions of the parameter a request names, and its normalised name. */
function versionsNamed(state: SsmState, input: Input) {
  const given = input.string('Name');
  const name = normaliseName(given);
  const versions = state.versionsOf(name);
  const latest = versions?.at(-1);
  if (versions === undefined || latest === undefined) throw notFound(given);
  return { name, versions, latest };
}

/** The version a request numbers, which must exist. */
function versionNumbered(name: string, versions: ParameterVersion[], number: number) {
  const target = versions.find((v) => v.version === number);
  if (target === undefined) throw versionNotFound(name, number);
  return target;
}

/** LabelParameterVersion: a label names one version at a time, so attaching it moves it. */
export function labelParameterVersion(state: SsmState, input: Input): JsonObject {
  const { name, versions, latest } = versionsNamed(state, input);
  const number = input.optInteger('ParameterVersion') ?? latest.version;
  const target = versionNumbered(name, versions, number);
  const labels = input.optStrings('Labels') ?? [];
  const invalid = labels.filter(invalidLabel);
  const valid = labels.filter((label) => !invalid.includes(label));
  const added = valid.filter((label) => !target.labels.includes(label));
  if (target.labels.length + added.length > MAX_LABELS) {
    throw new AwsError(
      'ParameterVersionLabelLimitExceeded',
      `A parameter version can have maximum ${MAX_LABELS} labels. Move one or more labels to another version and try again.`,
    );
  }
  for (const other of versions) {
    if (other !== target) other.labels = other.labels.filter((label) => !valid.includes(label));
  }
  target.labels.push(...added);
  if (added.length > 0) state.record('LabelParameterVersion', name, number);
  return { InvalidLabels: invalid, ParameterVersion: number };
}

/** UnlabelParameterVersion: labels the version does not carry come back as InvalidLabels. */
export function unlabelParameterVersion(state: SsmState, input: Input): JsonObject {
  const { name, versions } = versionsNamed(state, input);
  const number = input.integer('ParameterVersion');
  const target = versionNumbered(name, versions, number);
  const labels = input.optStrings('Labels') ?? [];
  const removed = labels.filter((label) => target.labels.includes(label));
  target.labels = target.labels.filter((label) => !removed.includes(label));
  if (removed.length > 0) state.record('UnlabelParameterVersion', name, number);
  return {
    RemovedLabels: removed,
    InvalidLabels: labels.filter((label) => !removed.includes(label)),
  };
}
