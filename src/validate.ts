/** Small shape checks shared by every parser of untrusted input: records, jobs, requests. */

/**
 * A plain object, as JSON.parse makes of `{…}`: not null, not an array, not a class instance
 * (a Date or an Error is not one; redaction must not copy those into plain objects).
 */
export const isObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** True when the text is an AWS region name, like `eu-west-1` or `us-gov-west-1`. */
export const isRegionName = (value: string): boolean => REGION.test(value);

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Parses a canonical UTC timestamp (`2026-01-31T12:00:00.000Z`), or returns undefined. */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return undefined;
  const date = new Date(value);
  // Rejects dates like 2026-02-31 that Date would silently roll over.
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== value.slice(0, 19)
    ? undefined
    : date;
}

/** The first key that is not allowed, then the first required key that is missing. */
export function keyProblem(
  value: Record<string, unknown>,
  required: readonly string[],
  optional: readonly string[],
): { kind: 'unknown' | 'missing'; key: string } | undefined {
  const allowed = new Set([...required, ...optional]);
  const unknown = Object.keys(value).find((key) => !allowed.has(key));
  if (unknown !== undefined) return { kind: 'unknown', key: unknown };
  const missing = required.find((key) => !Object.hasOwn(value, key));
  return missing === undefined ? undefined : { kind: 'missing', key: missing };
}
