/** A JWT anywhere in a string: three base64url parts, the first a JSON header (`eyJ`). */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * A copy of a JSON value with every JWT in its strings, and every string `isSecret` names (a
 * secret key or session token the sandbox issued), replaced by `[redacted]`: the admin state
 * shows what events carried, and an event must not be the way a token leaves the sandbox.
 */
export function redact(value: unknown, isSecret: (text: string) => boolean): unknown {
  if (typeof value === 'string') return isSecret(value) ? REDACTED : value.replace(JWT, REDACTED);
  if (Array.isArray(value)) return value.map((item) => redact(item, isSecret));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redact(item, isSecret)]),
    );
  }
  return value;
}
