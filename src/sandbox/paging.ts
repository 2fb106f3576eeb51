/** One page of a sorted listing, and the token for the next when there is more. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

const encode = (key: string): string =>
  Buffer.from(JSON.stringify({ after: key })).toString('base64url');

function decode(token: string): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && 'after' in value) {
      const after = (value as { after: unknown }).after;
      return typeof after === 'string' ? after : undefined;
    }
  } catch {
    // Falls through: a token we did not issue.
  }
  return undefined;
}

/**
 * Pages a listing sorted by `keyOf`. The token names the last key returned, so writes between
 * pages neither repeat nor skip what was already there. `shorten`, when given, may cut a page
 * short (down to empty) while more remain, as SSM does for filtered listings.
 */
export function pageOf<T>(
  items: readonly T[],
  options: {
    readonly keyOf: (item: T) => string;
    readonly maxResults: number;
    readonly nextToken: string | undefined;
    readonly invalidToken: () => Error;
    readonly shorten?: (length: number) => number;
  },
): Page<T> {
  const { keyOf, maxResults, nextToken } = options;
  let start = 0;
  if (nextToken !== undefined) {
    const after = decode(nextToken);
    if (after === undefined) throw options.invalidToken();
    start = items.findIndex((item) => keyOf(item) > after);
    if (start === -1) start = items.length;
  }
  let page = items.slice(start, start + maxResults);
  if (start + page.length >= items.length) return { items: page, nextToken: undefined };
  if (options.shorten !== undefined) page = page.slice(0, options.shorten(page.length));
  const last = page.at(-1);
  const token = last === undefined ? (nextToken ?? encode('')) : encode(keyOf(last));
  return { items: page, nextToken: token };
}
