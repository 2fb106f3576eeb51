/**
 * The naming half of the parameter contract: a managed token lives at `<TOKEN_PATH><name>`,
 * where `<name>` is one or more segments of `[A-Za-z0-9_.-]`.
 */

/** SSM's limit on a parameter name's length. */
export const MAX_PARAMETER_NAME_LENGTH = 1011;
/** SSM's limit on a name's hierarchy depth. */
export const MAX_PARAMETER_LEVELS = 15;

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Why a name is not a managed token name, or `undefined` when it is one. */
export function nameProblem(name: string, tokenPath: string): string | undefined {
  if (!name.startsWith(tokenPath)) return `is not under ${tokenPath}`;
  if (name.length > MAX_PARAMETER_NAME_LENGTH) {
    return `is longer than ${MAX_PARAMETER_NAME_LENGTH} characters`;
  }
  const rest = name.slice(tokenPath.length);
  if (rest === '') return 'is the token path itself, not a token under it';
  if (name.split('/').length - 1 > MAX_PARAMETER_LEVELS) {
    return `has more than ${MAX_PARAMETER_LEVELS} levels`;
  }
  for (const segment of rest.split('/')) {
    if (segment === '.' || segment === '..') return 'has a "." or ".." segment';
    if (!SEGMENT.test(segment)) return 'has an empty segment or a character outside [A-Za-z0-9_.-]';
  }
  return undefined;
}

/**
 * Checks and normalises a token path: it must start with `/`, its segments follow the name
 * rules, and it always ends with `/` so that `/a/` never matches `/ab/x`.
 */
export function normaliseTokenPath(path: string): string {
  const withSlash = path.endsWith('/') ? path : `${path}/`;
  if (!withSlash.startsWith('/') || withSlash === '/') {
    throw new Error('must be an absolute path below the root, like /license-tokens/');
  }
  for (const segment of withSlash.slice(1, -1).split('/')) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new Error('segments must be made of [A-Za-z0-9_.-] and not be "." or ".."');
    }
  }
  if (/^\/(aws|ssm)/i.test(withSlash)) {
    throw new Error('must not start with "aws" or "ssm": SSM reserves those names');
  }
  return withSlash;
}
