import { AwsError, constraintMessage, memberPath } from '../aws-error.js';
import type { Input, InputProblem } from '../input.js';
import {
  type AnsweredFault,
  dispatch,
  type OperationTable,
  operationNames,
  type QueryService,
  type RequestContext,
} from '../service.js';
import { assumeRoleWithWebIdentity } from './assume-role-with-web-identity.js';
import { StsState } from './state.js';

export type { CredentialsLookup, IssuedCredentials } from './state.js';

/** STS's operations. */
const OPERATIONS: OperationTable<StsState> = {
  AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
};

/** The HTTP status of each STS error (from the SDK's model; AccessDenied is AWS's common 403). */
const STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  InvalidIdentityToken: 400,
  RegionDisabledException: 403,
  Throttling: 400,
  ValidationError: 400,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

/** STS's way of reporting a missing or malformed member. */
const stsProblem: InputProblem = (member, problem) =>
  new AwsError(
    'ValidationError',
    problem === 'missing'
      ? constraintMessage(memberPath(member), null, 'Member must not be null')
      : `Unexpected type for member ${member}`,
  );

/**
 * AWS STS's AssumeRoleWithWebIdentity, over the awsQuery protocol and unsigned as the SDK sends
 * it, for web identity tokens that are access tokens of the sandbox's own License Manager.
 */
export class StsService extends StsState implements QueryService {
  readonly protocol = 'query' as const;
  readonly name = 'sts' as const;
  readonly version = '2011-06-15';
  readonly xmlNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/';
  readonly inputProblem = stsProblem;
  readonly operations = operationNames(OPERATIONS);

  handle(operation: string, input: Input, context: RequestContext) {
    return dispatch(OPERATIONS, this, operation, input, context);
  }

  faultError(fault: AnsweredFault): AwsError {
    if (fault.kind === 'throttle') return new AwsError('Throttling', 'Rate exceeded');
    return new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, {
      status:
        fault.status ?? STATUS[fault.code] ?? (/Internal|Unavailable/.test(fault.code) ? 500 : 400),
    });
  }
}
