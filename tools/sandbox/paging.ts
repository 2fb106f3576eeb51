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

/** The index of the first item whose key sorts after `after`; `items` are sorted by `keyOf`. */
function firstAfter<T>(items: readonly T[], keyOf: (item: T) => string, after: string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = items[middle];
    if (item !== undefined && keyOf(item) > after) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Pages a listing sorted by `keyOf`, keeping only the items `matches` accepts (all by default).
 * The token names the last key returned, so writes between pages neither repeat nor skip what was
 * already there. `shorten`, when given, may cut a page short (down to empty) while more remain, as
 * SSM does for filtered listings. A page costs a binary search and a scan up to the first match
 * past it, not a pass over the whole listing, so paging through 100,000 items stays linear.
 */
export function pageOf<T>(
  items: readonly T[],
  options: {
    readonly keyOf: (item: T) => string;
    readonly maxResults: number;
    readonly nextToken: string | undefined;
    readonly invalidToken: () => Error;
    readonly shorten?: (length: number) => number;
    readonly matches?: (item: T) => boolean;
  },
): Page<T> {
  const { keyOf, maxResults, nextToken, matches } = options;
  let index = 0;
  if (nextToken !== undefined) {
    const after = decode(nextToken);
    if (after === undefined) throw options.invalidToken();
    index = firstAfter(items, keyOf, after);
  }
  let page: T[] = [];
  let more = false;
  for (; index < items.length && !more; index++) {
    const item = items[index];
    if (item === undefined || (matches !== undefined && !matches(item))) continue;
    if (page.length < maxResults) page.push(item);
    else more = true;
  }
  if (!more) return { items: page, nextToken: undefined };
  if (options.shorten !== undefined) page = page.slice(0, options.shorten(page.length));
  const last = page.at(-1);
  const token = last === undefined ? (nextToken ?? encode('')) : encode(keyOf(last));
  return { items: page, nextToken: token };
}
