import type { JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import { type ParameterVersion, parameterArn } from './parameter.js';

/** SSM's dates on the wire: epoch seconds. */
const seconds = (date: Date): number => date.getTime() / 1000;

/** What a read returns as a SecureString's Value: the ciphertext unless decryption was asked. */
export const wireValue = (p: ParameterVersion, decrypt: boolean): string | undefined =>
  p.type === 'SecureString' && !decrypt ? p.ciphertext : p.value;

/** A Parameter as GetParameter(s) and GetParametersByPath return it. */
export function renderParameter(
  p: ParameterVersion,
  options: { readonly decrypt: boolean; readonly selector?: string },
  context: RequestContext,
): JsonObject {
  return {
    Name: p.name,
    Type: p.type,
    Value: wireValue(p, options.decrypt),
    Version: p.version,
    LastModifiedDate: seconds(p.lastModified),
    ARN: parameterArn(p.name, context.region, context.accountId),
    DataType: p.dataType,
    ...(options.selector === undefined ? {} : { Selector: options.selector }),
  };
}

/** ParameterMetadata as DescribeParameters returns it (GetParameterHistory adds to it). */
export function renderMetadata(p: ParameterVersion, context: RequestContext): JsonObject {
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
