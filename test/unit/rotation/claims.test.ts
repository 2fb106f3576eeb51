import { describe, expect, it } from 'vitest';
import { Claims } from '../../../src/rotation/claims.js';
import { LICENSE_ARN } from '../../helpers/factories.js';

const OTHER_LICENSE =
  'arn:aws:license-manager::111122223333:license:l-ffffffffffffffffffffffffffffffff';
const held = (tokenId: string, previousTokenId?: string, licenseArn = LICENSE_ARN) => ({
  licenseArn,
  tokenId,
  ...(previousTokenId === undefined ? {} : { previousTokenId }),
});

describe('Claims', () => {
  it('finds no conflict when every token is named once', () => {
    const claims = new Claims();
    claims.note('/a', held('t-a', 'p-a'));
    claims.note('/b', held('t-b', 'p-b'));
    expect(claims.conflicts().size).toBe(0);
    expect(claims.has(LICENSE_ARN, 'p-b')).toBe(true);
    expect(claims.has(LICENSE_ARN, 'elsewhere')).toBe(false);
  });

  it.each([
    ['the victim first', ['victim', 'thief']],
    ['the thief first', ['thief', 'victim']],
  ])('blames only the record naming another current token as previous (%s)', (_, order) => {
    const claims = new Claims();
    for (const name of order) {
      claims.note(`/${name}`, name === 'victim' ? held('t-victim') : held('t-thief', 't-victim'));
    }
    expect([...claims.conflicts().keys()]).toEqual(['/thief']);
    expect(claims.conflictOf('/thief')).toBe('its previous token t-victim is the token of /victim');
    expect(claims.conflictOf('/victim')).toBeUndefined();
  });

  it('blames both records that hold one token, and both that name one previous token', () => {
    const claims = new Claims();
    claims.note('/copy-1', held('t-same'));
    claims.note('/copy-2', held('t-same'));
    claims.note('/old-1', held('t-1', 'p-same'));
    claims.note('/old-2', held('t-2', 'p-same'));
    expect([...claims.conflicts().keys()].sort()).toEqual([
      '/copy-1',
      '/copy-2',
      '/old-1',
      '/old-2',
    ]);
  });

  it('keeps licenses apart: a token id of another license is refused by the delete, not here', () => {
    const claims = new Claims();
    claims.note('/a', held('t-1'));
    claims.note('/b', held('t-2', 't-1', OTHER_LICENSE));
    expect(claims.conflicts().size).toBe(0);
    expect(claims.has(OTHER_LICENSE, 't-2')).toBe(true);
    expect(claims.has(LICENSE_ARN, 't-2')).toBe(false);
  });

  it('reports the current tokens not seen AVAILABLE as lost, except those not watched', () => {
    const claims = new Claims();
    claims.note('/seen', held('t-seen', 'p-seen'));
    claims.note('/gone', held('t-gone'));
    claims.note('/expired', held('t-expired'), false);
    claims.seen(LICENSE_ARN, 't-seen');
    claims.seen(LICENSE_ARN, 'p-seen');
    claims.seen(LICENSE_ARN, 'unnamed');
    expect(claims.lost(LICENSE_ARN)).toEqual([{ name: '/gone', tokenId: 't-gone' }]);
    expect(claims.lost(OTHER_LICENSE)).toEqual([]);
  });
});
