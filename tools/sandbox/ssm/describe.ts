import { AwsError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { pageOf } from '../paging.js';
import type { RequestContext } from '../service.js';
import { invalidNextToken, maxResults, notFound } from './errors.js';
import { matchesAll, matchesLegacy, readFilters } from './filters.js';
import { normaliseName } from './parameter.js';
import { renderMetadata, wireValue } from './render.js';
import type { SsmState } from './state.js';

/** The older `Filters` of DescribeParameters: Name, Type and KeyId, each with its values. */
const legacyFilters = (input: Input) =>
  (input.optObjects('Filters') ?? []).map((f) => ({
    key: f.string('Key'),
    values: f.optStrings('Values') ?? [],
  }));

/** DescribeParameters: metadata, never values, 50 a page at most, filtered. */
export function describeParameters(
  state: SsmState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const legacy = legacyFilters(input);
  const filterList = input.optObjects('ParameterFilters');
  if (legacy.length > 0 && filterList !== undefined && filterList.length > 0) {
    throw new AwsError(
      'ValidationException',
      'You can use either Filters or ParameterFilters in a single request.',
    );
  }
  const filters = readFilters(filterList, 'describe');
  const limit = maxResults(input, 50, 10);
  const page = pageOf(state.sortedLatest(), {
    keyOf: (p) => p.name,
    matches: (p) => matchesLegacy(legacy, p) && matchesAll(filters, p, state.tagsOf(p.name)),
    maxResults: limit,
    nextToken: input.optString('NextToken'),
    invalidToken: invalidNextToken,
    shorten: filters.length + legacy.length > 0 ? state.shorten : undefined,
  });
  return {
    Parameters: page.items.map((p) => renderMetadata(p, context)),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
}

/** GetParameterHistory: every kept version, oldest first, with values and labels. */
export function getParameterHistory(
  state: SsmState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const given = input.string('Name');
  const versions = state.versionsOf(normaliseName(given));
  if (versions === undefined) throw notFound(given);
  const decrypt = input.optBoolean('WithDecryption') ?? false;
  const page = pageOf(versions, {
    keyOf: (p) => String(p.version).padStart(12, '0'),
    maxResults: maxResults(input, 50, 50),
    nextToken: input.optString('NextToken'),
    invalidToken: invalidNextToken,
  });
  return {
    Parameters: page.items.map((p) => ({
      ...renderMetadata(p, context),
      Value: wireValue(p, decrypt),
      Labels: [...p.labels],
    })),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
}
