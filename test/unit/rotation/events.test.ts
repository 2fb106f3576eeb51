import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  criticalEvent,
  EVENT_SOURCE,
  EventType,
  eventsFor,
  pickedUpEvent,
} from '../../../src/rotation/events.js';
import type { RotationEvent } from '../../../src/rotation/ports.js';
import { classify, type ManagedParameter } from '../../../src/rotation/scan.js';
import { aParameter, aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH } from '../../helpers/factories.js';
import { fakeToken } from '../../helpers/secrets.js';

const NAME = `${TOKEN_PATH}acme/prod`;
const rotated = {
  kind: 'rotated',
  parameterName: NAME,
  version: 5,
  previousVersion: 4,
  tokenId: 'new',
  previousTokenId: 'old',
  expiresAt: '2027-11-27T11:50:00.000Z',
  reason: 'expiring',
  verified: true,
} as const;

describe('eventsFor', () => {
  it('announces a rotation, and each deletion it made, with ids and versions only', () => {
    const events = eventsFor({
      ...rotated,
      reason: 'leaked',
      retired: { tokenId: 'older', result: 'revoked' },
      leakedRevoked: { tokenId: 'old', result: 'revoked' },
    });
    expect(events).toEqual([
      {
        type: EventType.Rotated,
        detail: {
          v: 1,
          parameterName: NAME,
          version: 5,
          tokenId: 'new',
          previousTokenId: 'old',
          expiresAt: '2027-11-27T11:50:00.000Z',
          reason: 'leaked',
        },
      },
      {
        type: EventType.Revoked,
        detail: { v: 1, parameterName: NAME, version: 5, tokenId: 'older', reason: 'pushed-out' },
      },
      {
        type: EventType.Revoked,
        detail: { v: 1, parameterName: NAME, version: 5, tokenId: 'old', reason: 'leaked' },
      },
    ]);
  });

  it('announces no deletion that did not take effect', () => {
    const events = eventsFor({
      ...rotated,
      retired: { tokenId: 'older', result: 'failed', failure: 'no' },
    });
    expect(events.map((e) => e.type)).toEqual([EventType.Rotated]);
    expect(
      eventsFor({
        kind: 'revoked',
        parameterName: NAME,
        version: 5,
        tokenId: 'old',
        result: 'already-revoked',
        why: 'picked-up',
      }),
    ).toEqual([]);
  });

  it('announces a revocation with its reason, and each stray mint deleted', () => {
    expect(
      eventsFor({
        kind: 'revoked',
        parameterName: NAME,
        version: 5,
        tokenId: 'old',
        result: 'revoked',
        why: 'picked-up',
      }),
    ).toEqual([
      {
        type: EventType.Revoked,
        detail: { v: 1, parameterName: NAME, version: 5, tokenId: 'old', reason: 'picked-up' },
      },
    ]);
    expect(
      eventsFor({
        kind: 'orphans-revoked',
        parameterName: NAME,
        version: 5,
        tokenIds: ['a', 'b'],
      }).map((e) => e.detail.reason),
    ).toEqual(['stray-mint', 'stray-mint']);
  });

  it('announces a valid job that failed for good, and nothing for hostile input', () => {
    expect(
      eventsFor({
        kind: 'dead-lettered',
        invalid: false,
        reason: 'NotAllowed',
        message: 'license not allowed',
        parameterName: NAME,
        observedVersion: 4,
        jobReason: 'expiring',
      }),
    ).toEqual([
      {
        type: EventType.RotationFailed,
        detail: {
          v: 1,
          parameterName: NAME,
          version: 4,
          reason: 'NotAllowed',
          jobReason: 'expiring',
        },
      },
    ]);
    expect(
      eventsFor({ kind: 'dead-lettered', invalid: true, reason: 'NotJson', message: 'x' }),
    ).toEqual([]);
    expect(eventsFor({ kind: 'skipped', parameterName: NAME, why: 'not-due' })).toEqual([]);
  });

  it('never carries a token value', () => {
    const token = fakeToken();
    const events = [
      ...eventsFor({ ...rotated, retired: { tokenId: 'x', result: 'failed', failure: token } }),
      pickedUpEvent(NAME, 5, 'new', NOW),
    ];
    expect(JSON.stringify(events)).not.toContain(token);
  });
});

describe('criticalEvent', () => {
  it('says how many days are left, and whether the token has expired', () => {
    const item = classify(
      aParameter(NAME, { version: 2, record: aRecord({ tokenId: 't', daysLeft: 3.456 }) }),
      { ...ROTATE_OPTIONS, tokenPath: TOKEN_PATH, now: NOW },
    ) as ManagedParameter;
    expect(criticalEvent(item)).toEqual({
      type: EventType.Critical,
      detail: {
        v: 1,
        parameterName: NAME,
        version: 2,
        tokenId: 't',
        expiresAt: aRecord({ daysLeft: 3.456 }).expiresAt,
        daysLeft: 3.46,
        state: 'critical',
      },
    });
  });
});

describe('the samples in events/', () => {
  const sample = (file: string) =>
    JSON.parse(readFileSync(new URL(`../../../events/${file}`, import.meta.url), 'utf8')) as {
      source: string;
      'detail-type': string;
      detail: Record<string, unknown>;
    };
  const item = classify(aParameter(NAME, { record: aRecord({ daysLeft: 3 }) }), {
    ...ROTATE_OPTIONS,
    tokenPath: TOKEN_PATH,
    now: NOW,
  }) as ManagedParameter;
  const made: Record<string, RotationEvent | undefined> = {
    'event-token-rotated.json': eventsFor(rotated)[0],
    'event-token-revoked.json': eventsFor({
      kind: 'revoked',
      parameterName: NAME,
      version: 5,
      tokenId: 'old',
      result: 'revoked',
      why: 'picked-up',
    })[0],
    'event-rotation-failed.json': eventsFor({
      kind: 'dead-lettered',
      invalid: false,
      reason: 'NotAllowed',
      message: 'x',
      parameterName: NAME,
      observedVersion: 4,
      jobReason: 'expiring',
    })[0],
    'event-token-critical.json': criticalEvent(item),
    'event-token-picked-up.json': pickedUpEvent(NAME, 5, 'new', NOW),
  };

  it.each(Object.keys(made))(
    '%s has the type, source and detail fields the product publishes',
    (file) => {
      const published = made[file];
      const example = sample(file);
      expect(example.source).toBe(EVENT_SOURCE);
      expect(example['detail-type']).toBe(published?.type);
      expect(Object.keys(example.detail).sort()).toEqual(
        Object.keys(published?.detail ?? {}).sort(),
      );
    },
  );
});
