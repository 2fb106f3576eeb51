import { AwsError } from '../aws-error.js';
import { coralProblem, type Input, type JsonObject } from '../input.js';
import {
  type AnsweredFault,
  dispatch,
  type JsonService,
  type OperationTable,
  operationNames,
  type RequestContext,
} from '../service.js';
import { getAccessToken } from './access-token.js';
import { createToken } from './create-token.js';
import { lmError, STATUS } from './errors.js';
import { LicenseManagerState } from './state.js';
import { deleteToken, listTokens } from './tokens.js';

export type { License, LicenseSeed, MintedToken, TokenCheck } from './state.js';

/** License Manager's token operations. */
const OPERATIONS: OperationTable<LicenseManagerState> = {
  CreateToken: createToken,
  GetAccessToken: getAccessToken,
  ListTokens: listTokens,
  DeleteToken: deleteToken,
};

/**
 * AWS License Manager's token API: CreateToken with its ClientToken window, GetAccessToken,
 * ListTokens and DeleteToken, home-region rules and all, over licenses a test seeds.
 * Tokens are HS256 JWTs signed by the sandbox: aud = LicenseArn, amr = TokenProperties,
 * roles = RoleArns, exp, jti = TokenId.
 */
export class LicenseManagerService extends LicenseManagerState implements JsonService {
  readonly protocol = 'json' as const;
  readonly name = 'license-manager' as const;
  readonly targetPrefix = 'AWSLicenseManager';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly inputProblem = coralProblem;
  readonly operations = operationNames(OPERATIONS);

  handle(operation: string, input: Input, context: RequestContext) {
    return dispatch(OPERATIONS, this, operation, input, context);
  }

  faultError(fault: AnsweredFault): AwsError {
    if (fault.kind === 'throttle') return lmError('RateLimitExceededException', 'Rate exceeded');
    return new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, {
      status: fault.status ?? STATUS[fault.code] ?? (/Internal/.test(fault.code) ? 500 : 400),
    });
  }

  errorResponse(failure: AwsError): { headers: Record<string, string>; body: JsonObject } {
    const location = failure.fields.Location;
    return {
      headers: {
        'x-amzn-ErrorType': failure.code,
        ...(location === undefined ? {} : { Location: location }),
      },
      body: { __type: failure.code, Message: failure.message, ...failure.fields },
    };
  }
}
