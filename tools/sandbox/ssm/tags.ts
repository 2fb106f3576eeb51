import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { nameFromArn, normaliseName } from './parameter.js';
import type { SsmState } from './state.js';

/** SSM's limit on a resource's tags. */
const MAX_TAGS = 50;

/** Resource types SSM tags that are not parameters: naming one with a parameter id is a bad id. */
const OTHER_RESOURCE_TYPES = [
  'Document',
  'ManagedInstance',
  'MaintenanceWindow',
  'PatchBaseline',
  'OpsItem',
  'OpsMetadata',
  'Automation',
  'Association',
];

/** Refuses more than 50 tags on one resource. */
export function checkTagCount(count: number): void {
  if (count > MAX_TAGS) {
    throw new AwsError(
      'TooManyTagsError',
      `The Tags parameter has too many tags. A resource can have at most ${MAX_TAGS} tags.`,
    );
  }
}

/** Adds tags to a stored parameter, replacing the values of keys it already has. */
export function addTags(state: SsmState, name: string, tags: readonly Input[]): void {
  const next = new Map(state.tagsOf(name));
  for (const tag of tags) next.set(tag.string('Key'), tag.string('Value'));
  checkTagCount(next.size);
  state.setTags(name, next);
  state.record('AddTagsToResource', name);
}

/** The parameter a tagging request names (ResourceType Parameter, ResourceId a name or ARN). */
function resource(state: SsmState, input: Input): string {
  const type = input.string('ResourceType');
  const id = input.string('ResourceId');
  if (type !== 'Parameter') {
    throw OTHER_RESOURCE_TYPES.includes(type)
      ? new AwsError('InvalidResourceId', 'Invalid Resource Id')
      : new AwsError('InvalidResourceType', 'Invalid Resource Type');
  }
  const name = normaliseName(nameFromArn(id));
  if (state.versionsOf(name) === undefined) {
    throw new AwsError('InvalidResourceId', 'Invalid Resource Id');
  }
  return name;
}

/** AddTagsToResource. */
export function addTagsToResource(state: SsmState, input: Input): JsonObject {
  addTags(state, resource(state, input), input.optObjects('Tags') ?? []);
  return {};
}

/** RemoveTagsFromResource: keys the parameter lacks are ignored. */
export function removeTagsFromResource(state: SsmState, input: Input): JsonObject {
  const name = resource(state, input);
  const tags = new Map(state.tagsOf(name));
  for (const key of input.optStrings('TagKeys') ?? []) tags.delete(key);
  state.setTags(name, tags);
  state.record('RemoveTagsFromResource', name);
  return {};
}

/** ListTagsForResource. */
export function listTagsForResource(state: SsmState, input: Input): JsonObject {
  const tags = state.tagsOf(resource(state, input));
  return { TagList: [...tags].map(([Key, Value]) => ({ Key, Value })) };
}
