import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactingReplacer, redactTokens } from '../../../src/observability/redact.js';
import { Secret } from '../../../src/rotation/secret.js';
import { fakeJwt, fakeToken } from '../../helpers/secrets.js';

describe('redactTokens', () => {
  it('replaces every JWT in a text and keeps the rest', () => {
    const a = fakeJwt();
    const b = fakeJwt({ aud: 'x' });
    expect(redactTokens(`first ${a}, then "${b}".`)).toBe(`first ${REDACTED}, then "${REDACTED}".`);
  });

  it('leaves ordinary text alone', () => {
    const text = 'token b2a6f1e8c3d94c0e9f7a5d3b1c8e6f40 rotated at 2026-11-27T12:00:00.000Z';
    expect(redactTokens(text)).toBe(text);
  });

  it('redacts nested strings when used as a JSON replacer', () => {
    const jwt = fakeJwt();
    const json = JSON.stringify(
      { error: { message: `bad value ${jwt}` }, list: [jwt] },
      redactingReplacer,
    );
    expect(json).not.toContain(jwt);
    expect(json).toContain(REDACTED);
  });

  it('redacts a token used as a key, of a plain object or of a class instance', () => {
    const jwt = fakeJwt();
    class Holder {
      readonly [jwt] = 1;
    }
    const json = JSON.stringify({ plain: { [jwt]: 1 }, instance: new Holder() }, redactingReplacer);
    expect(json.includes(jwt), 'the JSON holds the token').toBe(false);
    expect(JSON.parse(json)).toEqual({ plain: { [REDACTED]: 1 }, instance: { [REDACTED]: 1 } });
  });

  it('redacts a token key beside ordinary keys, and keeps their values', () => {
    const jwt = fakeJwt();
    const json = JSON.stringify({ id: 'a', [jwt]: 'b', n: null }, redactingReplacer);
    expect(JSON.parse(json)).toEqual({ id: 'a', [REDACTED]: 'b', n: null });
  });
});

describe('Secret', () => {
  it('shows [REDACTED] in JSON, strings and inspect, and the value only through reveal()', () => {
    const value = fakeToken();
    const secret = new Secret(value);
    expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}');
    expect(`${secret}`).toBe('[REDACTED]');
    expect(inspect({ secret })).not.toContain(value);
    expect(secret.reveal()).toBe(value);
  });
});
