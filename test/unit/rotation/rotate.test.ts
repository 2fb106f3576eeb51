import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors.js';
import { JobReason } from '../../../src/rotation/job.js';
import type {
  ParameterStore,
  TokenIssuer,
  TokenRequest,
  TokenWrite,
} from '../../../src/rotation/ports.js';
import { parseRecord, type RotationRecord, serialiseRecord } from '../../../src/rotation/record.js';
import { rotate } from '../../../src/rotation/rotate.js';
import { Secret } from '../../../src/rotation/secret.js';
import { aJob, aParameter, aRecord, NOW } from '../../helpers/factories.js';
import { fakeToken } from '../../helpers/secrets.js';

const options = { kmsKeyId: 'alias/aws/ssm', renewBeforeDays: undefined };

function world(record: RotationRecord | string, version = 3) {
  const writes: TokenWrite[] = [];
  const requests: TokenRequest[] = [];
  const description = typeof record === 'string' ? record : serialiseRecord(record);
  const store: ParameterStore = {
    pages: async function* () {},
    describe: async (name) => aParameter(name, { version, description }),
    putToken: async (write) => {
      writes.push(write);
      return version + 1;
    },
  };
  const issuer: TokenIssuer = {
    createToken: async (request) => {
      requests.push(request);
      return { tokenId: 'tok-new', token: new Secret(fakeToken()) };
    },
  };
  return { deps: { store, issuer, clock: () => NOW }, writes, requests };
}

describe('rotate', () => {
  it('rotates a forced job at the observed version even when the token is not due', async () => {
    const { deps, writes } = world(aRecord({ daysLeft: 300 }));
    const outcome = await rotate(
      aJob({ reason: JobReason.Forced, observedVersion: 3 }),
      deps,
      options,
    );
    expect(outcome).toMatchObject({ kind: 'rotated', version: 4, tokenId: 'tok-new' });
    expect(writes).toHaveLength(1);
  });

  it('stands down on a forced job once the version has moved on', async () => {
    const { deps, requests } = world(aRecord({ daysLeft: 300 }), 4);
    const outcome = await rotate(
      aJob({ reason: JobReason.Forced, observedVersion: 3 }),
      deps,
      options,
    );
    expect(outcome).toEqual({
      kind: 'skipped',
      parameterName: aJob().parameterName,
      why: 'already-rotated',
      currentVersion: 4,
    });
    expect(requests).toHaveLength(0);
  });

  it('stands down on an expiring job at the same version that is not due', async () => {
    const { deps } = world(aRecord({ daysLeft: 300 }));
    await expect(rotate(aJob(), deps, options)).resolves.toMatchObject({
      kind: 'skipped',
      why: 'not-due',
    });
  });

  it('passes the home region and the record fields to CreateToken', async () => {
    const { deps, requests } = world(aRecord({ daysLeft: 1, homeRegion: 'eu-west-1' }));
    await rotate(aJob(), deps, options);
    expect(requests[0]).toMatchObject({ homeRegion: 'eu-west-1', expirationInDays: 365 });
  });

  it('dates the new token back by the ClientToken window, so expiresAt is never late', async () => {
    const { deps, writes } = world(
      aRecord({
        daysLeft: 1,
        expirationInDays: 30,
        issuedAt: '2026-10-29T12:00:00.000Z',
        expiresAt: '2026-11-28T12:00:00.000Z',
      }),
    );
    await rotate(aJob(), deps, options);
    const written = parseRecord(writes[0]?.description);
    expect(written.issuedAt).toBe('2026-11-27T11:50:00.000Z');
    expect(written.expiresAt).toBe('2026-12-27T11:50:00.000Z');
    expect(written.rotatedAt).toBe(NOW.toISOString());
  });

  it('refuses, before minting, a record that would not fit once rotated', async () => {
    const base = serialiseRecord(aRecord({ daysLeft: 1, tokenProperties: [''] })).length;
    const almostFull = serialiseRecord(
      aRecord({ daysLeft: 1, tokenProperties: ['p'.repeat(1024 - base - 5)] }),
    );
    const { deps, requests } = world(almostFull);
    await expect(rotate(aJob(), deps, options)).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'UnmanagedParameter',
    });
    expect(requests).toHaveLength(0);
    await expect(rotate(aJob(), deps, options)).rejects.toBeInstanceOf(PermanentError);
  });
});
