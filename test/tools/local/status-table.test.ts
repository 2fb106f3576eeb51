import { describe, expect, it } from 'vitest';
import { columns, renderStatus, type StatusRow } from '../../../tools/local/status-table.js';

describe('the status table', () => {
  it('aligns columns two spaces apart without trailing space', () => {
    expect(
      columns(
        [
          ['A', 'BB', 'C'],
          ['long cell', 'x', ''],
        ],
        '',
      ),
    ).toBe('A          BB  C\nlong cell  x');
  });

  it('shows managed and unmanaged rows, with notes', () => {
    const rows: StatusRow[] = [
      {
        name: '/license-tokens/acme/prod',
        version: 2,
        state: 'ok',
        licenseArn: 'arn:aws:license-manager::1:license:l-1',
        tokenId: '0123456789abcdef',
        expiresAt: new Date('2027-11-27T00:00:00.000Z'),
        daysLeft: 364.6,
      },
      {
        name: '/license-tokens/hand-made',
        version: 1,
        state: 'unmanaged',
        problem: 'record description: is not JSON',
      },
    ];
    const table = renderStatus(rows, {
      licenseLabel: () => 'acme',
      notes: new Map([['/license-tokens/acme/prod', 'rotated: v1 -> v2']]),
    });
    expect(table.split('\n')).toEqual([
      '  PARAMETER                  LICENSE  TOKEN     VER  EXPIRES     DAYS LEFT  STATE      NOTE',
      '  /license-tokens/acme/prod  acme     01234567  2    2027-11-27  364        ok         rotated: v1 -> v2',
      '  /license-tokens/hand-made  -        -         1    -           -          unmanaged  not managed: record description: is not JSON',
    ]);
  });
});
