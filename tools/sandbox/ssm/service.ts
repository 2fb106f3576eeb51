import { coralErrorResponse, coralFaultError } from '../coral.js';
import { coralProblem, type Input } from '../input.js';
import {
  dispatch,
  type JsonService,
  type OperationTable,
  operationNames,
  type RequestContext,
} from '../service.js';
import { deleteParameter } from './delete.js';
import { describeParameters, getParameterHistory } from './describe.js';
import { labelParameterVersion, unlabelParameterVersion } from './labels.js';
import { putParameter } from './put.js';
import { getParameter, getParameters, getParametersByPath } from './read.js';
import { SsmState } from './state.js';
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tags.js';

export type { SsmWrite } from './state.js';

/** SSM's operations. */
const OPERATIONS: OperationTable<SsmState> = {
  PutParameter: putParameter,
  GetParameter: getParameter,
  GetParameters: getParameters,
  GetParametersByPath: getParametersByPath,
  DescribeParameters: describeParameters,
  DeleteParameter: deleteParameter,
  GetParameterHistory: getParameterHistory,
  LabelParameterVersion: labelParameterVersion,
  UnlabelParameterVersion: unlabelParameterVersion,
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
  ListTagsForResource: listTagsForResource,
};

/**
 * SSM Parameter Store, as far as this project and its tests use it, with AWS's rules: versions
 * (100 kept), SecureString, Description, labels, tags, hierarchy and paging limits.
 */
export class SsmService extends SsmState implements JsonService {
  readonly protocol = 'json' as const;
  readonly name = 'ssm' as const;
  readonly targetPrefix = 'AmazonSSM';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly inputProblem = coralProblem;
  readonly operations = operationNames(OPERATIONS);
  readonly faultError = coralFaultError;
  readonly errorResponse = coralErrorResponse;

  handle(operation: string, input: Input, context: RequestContext) {
    return dispatch(OPERATIONS, this, operation, input, context);
  }
}
