/**
 * Last line of defence for invariant 3 (no secret leaks): anything shaped like a JWT is
 * replaced before it is written anywhere, so a future mistake cannot print a token.
 */

/** What a redacted token reads as. */
export const REDACTED = '[REDACTED]';

// A JWT is three base64url parts; the header always starts with `{"`, base64url `eyJ`.
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** Returns the text with every JWT-shaped substring replaced by `[REDACTED]`. */
export const redactTokens = (text: string): string => text.replace(JWT_PATTERN, REDACTED);

// JSON writes a class instance's own keys just as it writes a plain object's: check both.
const isKeyedObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON replacer that redacts JWT-shaped strings wherever they sit in a log record: values, and
 * keys too (a replacer is never shown a key on its own, so objects keyed by a token are copied).
 */
export const redactingReplacer = (_key: string, value: unknown): unknown => {
  if (typeof value === 'string') return redactTokens(value);
  if (!isKeyedObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.every((key) => redactTokens(key) === key)) return value;
  return Object.fromEntries(keys.map((key) => [redactTokens(key), value[key]]));
};
