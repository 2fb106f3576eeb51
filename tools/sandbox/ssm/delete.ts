import type { Input, JsonObject } from '../input.js';
import { notFound } from './errors.js';
import { normaliseName } from './parameter.js';
import type { SsmState } from './state.js';

/** DeleteParameter: the parameter, every version and its tags. */
export function deleteParameter(state: SsmState, input: Input): JsonObject {
  const given = input.string('Name');
  const name = normaliseName(given);
  if (state.versionsOf(name) === undefined) throw notFound(given);
  state.remove(name);
  state.record('DeleteParameter', name);
  return {};
}
