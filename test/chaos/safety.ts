import type { JsonObject } from '../../tools/sandbox/input.js';
import type { MintedToken } from '../../tools/sandbox/license-manager/service.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { recordFields, text } from './violations.js';

/** A DeleteToken that took effect, and the parameters whose value was that token at that moment. */
export interface TokenDeletion {
  readonly tokenId: string;
  readonly at: Date;
  readonly heldBy: readonly string[];
}

/** The parameters whose current value is the token (any parameter, managed or not). */
function holders(sandbox: Sandbox, token: MintedToken): string[] {
  return sandbox.ssm
    .parameters()
    .filter((parameter) => parameter.value === token.token)
    .map((parameter) => parameter.name);
}

/**
 * Reports every DeleteToken that takes effect (the token goes from AVAILABLE to DELETED),
 * with who held the token just before: License Manager's and SSM's own state at the moment of
 * the call, whoever made it and whatever it said of itself. The sandbox runs each call to the
 * end before the next starts, so nothing can write between the look and the delete.
 */
export function watchDeletes(sandbox: Sandbox, report: (deletion: TokenDeletion) => void): void {
  const service = sandbox.licenseManager;
  const handle = service.handle.bind(service);
  service.handle = (operation, input, context) => {
    const tokenId = operation === 'DeleteToken' ? input.optString('TokenId') : undefined;
    const token = tokenId === undefined ? undefined : service.token(tokenId);
    if (token === undefined || token.status !== 'AVAILABLE') {
      return handle(operation, input, context);
    }
    const heldBy = holders(sandbox, token);
    const noteIfDeleted = (): void => {
      if (token.status === 'DELETED') {
        report({ tokenId: token.tokenId, at: sandbox.clock.now(), heldBy });
      }
    };
    try {
      const answer = handle(operation, input, context);
      if (answer instanceof Promise) {
        return answer.finally(noteIfDeleted) as Promise<JsonObject>;
      }
      noteIfDeleted();
      return answer;
    } catch (error) {
      noteIfDeleted();
      throw error;
    }
  };
}

/** The token ids a Description names as `tokenId` or `previousTokenId`, if it is a JSON object. */
function namedIn(description: string | undefined): string[] {
  const { tokenId, previousTokenId } = recordFields(description);
  return [text(tokenId), text(previousTokenId)].filter((id) => id !== undefined);
}

/**
 * Every AVAILABLE token (expired or not: License Manager still lists it, and it still counts
 * against the license) that no parameter holds and no stored record names, from the sandbox's
 * state alone.
 */
export function unrecordedTokens(sandbox: Sandbox): MintedToken[] {
  const named = new Set<string>();
  const held = new Set<string>();
  for (const parameter of sandbox.ssm.parameters()) {
    for (const id of namedIn(parameter.description)) named.add(id);
    held.add(parameter.value);
  }
  return sandbox.licenseManager
    .tokens()
    .filter(
      (token) =>
        token.status === 'AVAILABLE' && !named.has(token.tokenId) && !held.has(token.token),
    );
}
