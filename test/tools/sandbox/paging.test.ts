import { describe, expect, it } from 'vitest';
import { pageOf } from '../../../tools/sandbox/paging.js';
import { SeededRandom } from '../../../tools/sandbox/random.js';

const invalidToken = () => new Error('bad token');
const key = (item: string) => item;

describe('pageOf', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('pages to the end and stops offering a token there', () => {
    const first = pageOf(items, { keyOf: key, maxResults: 2, nextToken: undefined, invalidToken });
    const second = pageOf(items, {
      keyOf: key,
      maxResults: 2,
      nextToken: first.nextToken,
      invalidToken,
    });
    const third = pageOf(items, {
      keyOf: key,
      maxResults: 2,
      nextToken: second.nextToken,
      invalidToken,
    });
    expect([first.items, second.items, third.items]).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(third.nextToken).toBeUndefined();
  });

  it('neither repeats nor skips what was there when items change between pages', () => {
    const first = pageOf(items, { keyOf: key, maxResults: 2, nextToken: undefined, invalidToken });
    const changed = ['a', 'aa', 'c', 'd', 'e'];
    expect(
      pageOf(changed, { keyOf: key, maxResults: 2, nextToken: first.nextToken, invalidToken })
        .items,
    ).toEqual(['c', 'd']);
  });

  it('may answer short or empty pages that still carry a token', () => {
    const empty = pageOf(items, {
      keyOf: key,
      maxResults: 3,
      nextToken: undefined,
      invalidToken,
      shorten: () => 0,
    });
    expect(empty.items).toEqual([]);
    const next = pageOf(items, {
      keyOf: key,
      maxResults: 3,
      nextToken: empty.nextToken,
      invalidToken,
    });
    expect(next.items).toEqual(['a', 'b', 'c']);
  });

  it('filters with matches exactly as paging the filtered listing would', () => {
    // The reference: filter first, then page (what the services did before `matches`).
    const reference = (
      listing: readonly string[],
      keep: (item: string) => boolean,
      maxResults: number,
      token: string | undefined,
    ) => pageOf(listing.filter(keep), { keyOf: key, maxResults, nextToken: token, invalidToken });
    const random = new SeededRandom(7);
    for (let round = 0; round < 200; round++) {
      const listing = [...new Set(Array.from({ length: random.int(40) }, () => random.hex(3)))];
      listing.sort();
      const modulus = 1 + random.int(4);
      const keep = (item: string) => Number.parseInt(item, 16) % modulus === 0;
      const maxResults = 1 + random.int(6);
      let token: string | undefined;
      const seen: string[] = [];
      do {
        const page = pageOf(listing, {
          keyOf: key,
          maxResults,
          nextToken: token,
          invalidToken,
          matches: keep,
        });
        expect(page).toEqual(reference(listing, keep, maxResults, token));
        seen.push(...page.items);
        token = page.nextToken;
      } while (token !== undefined);
      expect(seen).toEqual(listing.filter(keep));
    }
  });

  it('refuses a token it did not issue', () => {
    expect(() =>
      pageOf(items, { keyOf: key, maxResults: 2, nextToken: 'forged', invalidToken }),
    ).toThrow('bad token');
  });
});
