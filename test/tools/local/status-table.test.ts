import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/rotation/scan.js';
import { renderStatus } from '../../../tools/local/status-table.js';
import { aParameter, aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH } from '../../helpers/factories.js';

describe('the status table', () => {
  it('shows managed and unmanaged rows, with notes', () => {
    const managed = classify(
      aParameter('/license-tokens/acme/prod', {
        version: 2,
        record: aRecord({ tokenId: '0123456789abcdef', daysLeft: 364.6 }),
      }),
      { ...ROTATE_OPTIONS, tokenPath: TOKEN_PATH, now: NOW },
    );
    const table = renderStatus(
      [
        managed,
        {
          name: '/license-tokens/hand-made',
          version: 1,
          state: 'unmanaged',
          problem: 'record description: is not JSON',
          optedOut: false,
        },
      ],
      {
        licenseLabel: () => 'acme',
        notes: new Map([['/license-tokens/acme/prod', 'rotated: v1 -> v2']]),
      },
    );
    expect(table.split('\n')).toEqual([
      '  PARAMETER                  LICENSE  TOKEN     VER  EXPIRES     DAYS LEFT  STATE      NOTE',
      '  /license-tokens/acme/prod  acme     01234567  2    2027-11-27  364        ok         rotated: v1 -> v2',
      '  /license-tokens/hand-made  -        -         1    -           -          unmanaged  not managed: record description: is not JSON',
    ]);
  });
});
