import { AwsError, constraintError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { pageOf } from '../paging.js';
import type { RequestContext } from '../service.js';
import { invalidNextToken, maxResults, notFound, versionNotFound } from './errors.js';
import { matchesAll, readFilters } from './filters.js';
import { nameFromArn, normaliseName, type ParameterVersion } from './parameter.js';
import { renderParameter } from './render.js';
import type { SsmState } from './state.js';

/** A stored version a selector picked, and the `:version` or `:label` part it named. */
interface Selected {
  readonly version: ParameterVersion;
  readonly selector?: string;
}

/** Resolves `name`, `name:version` or `name:label` (or an ARN) to a stored version. */
function select(state: SsmState, selector: string): Selected {
  const bare = nameFromArn(selector);
  const colon = bare.indexOf(':');
  const name = normaliseName(colon === -1 ? bare : bare.slice(0, colon));
  const versions = state.versionsOf(name);
  const latest = versions?.at(-1);
  if (versions === undefined || latest === undefined) throw notFound(selector);
  if (colon === -1) return { version: latest };
  const which = bare.slice(colon + 1);
  const byNumber = /^\d+$/.test(which);
  const found = byNumber
    ? versions.find((v) => v.version === Number(which))
    : versions.find((v) => v.labels.includes(which));
  if (found === undefined) throw byNumber ? versionNotFound(name, which) : notFound(selector);
  return { version: found, selector: `:${which}` };
}

/** Renders a selected version as a read returns it, decrypted if the request asks. */
const read = (selected: Selected, input: Input, context: RequestContext): JsonObject =>
  renderParameter(
    selected.version,
    {
      decrypt: input.optBoolean('WithDecryption') ?? false,
      ...(selected.selector === undefined ? {} : { selector: selected.selector }),
    },
    context,
  );

/** GetParameter. */
export const getParameter = (state: SsmState, input: Input, context: RequestContext) => ({
  Parameter: read(select(state, input.string('Name')), input, context),
});

/** GetParameters: 1 to 10 names; the ones it cannot resolve come back as InvalidParameters. */
export function getParameters(state: SsmState, input: Input, context: RequestContext): JsonObject {
  const names = input.optStrings('Names') ?? [];
  if (names.length === 0) throw constraintError('Names', null, 'Member must not be null');
  if (names.length > 10) {
    throw constraintError(
      'Names',
      `[${names.join(', ')}]`,
      'Member must have length less than or equal to 10',
    );
  }
  const parameters: JsonObject[] = [];
  const invalid: string[] = [];
  for (const name of new Set(names)) {
    try {
      parameters.push(read(select(state, name), input, context));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      invalid.push(name);
    }
  }
  return { Parameters: parameters, InvalidParameters: invalid };
}

/** The Path of GetParametersByPath, checked as SSM checks it. */
function pathOf(input: Input): string {
  const path = input.string('Path');
  if (!path.startsWith('/') || !/^[a-zA-Z0-9_.\-/]*$/.test(path) || path.includes('//')) {
    throw new AwsError(
      'ValidationException',
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
    );
  }
  return path;
}

/** GetParametersByPath: one level or recursively, ten a page at most, with Type/KeyId filters. */
export function getParametersByPath(
  state: SsmState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const path = pathOf(input);
  const recursive = input.optBoolean('Recursive') ?? false;
  const filters = readFilters(input.optObjects('ParameterFilters'), 'by-path');
  const limit = maxResults(input, 10, 10);
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const under = (p: ParameterVersion): boolean => {
    const name = p.name.startsWith('/') ? p.name : `/${p.name}`;
    if (prefix !== '/' && !name.startsWith(prefix)) return false;
    return recursive || !name.slice(prefix.length).includes('/');
  };
  const page = pageOf(state.sortedLatest(), {
    keyOf: (p) => p.name,
    matches: (p) => under(p) && matchesAll(filters, p, state.tagsOf(p.name)),
    maxResults: limit,
    nextToken: input.optString('NextToken'),
    invalidToken: invalidNextToken,
    shorten: state.shorten,
  });
  return {
    Parameters: page.items.map((p) => read({ version: p }, input, context)),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
}
