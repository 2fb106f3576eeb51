import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.js';
import {
  type ExchangeOptions,
  exchange,
  parseExchangeRequest,
  sameToken,
} from '../../../src/rotation/exchange.js';
import { Secret } from '../../../src/rotation/secret.js';
import { aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens, rejected } from '../../helpers/memory-tokens.js';
import { fakeToken } from '../../helpers/secrets.js';

const NAME = `${TOKEN_PATH}acme/prod`;
const options: ExchangeOptions = { ...ROTATE_OPTIONS, tokenPath: TOKEN_PATH };
const afterPickup: ExchangeOptions = { ...options, revocationPolicy: 'after-pickup' };

let store: MemoryStore;
let tokens: MemoryTokens;
let previous: string;
let current: string;
const deps = () => ({ store, vault: store, tokens, pickups: store, clock: () => NOW });
const present = (token: string) => ({ parameterName: NAME, token: new Secret(token) });

/** Version 3 holds `previous`; version 4, rotated `rotatedHoursAgo`, holds `current`. */
function rotated(rotatedHoursAgo: number): void {
  const rotatedAt = new Date(NOW.getTime() - rotatedHoursAgo * 3_600_000).toISOString();
  store.set(NAME, 3, aRecord({ tokenId: 'tok-previous', daysLeft: 150 }), previous);
  store.set(
    NAME,
    4,
    aRecord({ tokenId: 'tok-current', previousTokenId: 'tok-previous', rotatedAt }),
    current,
  );
}

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
  previous = fakeToken();
  current = fakeToken();
});

describe('exchange', () => {
  it('hands the current token to a host that presents the previous one, inside its grace period', async () => {
    rotated(10);
    const outcome = await exchange(present(previous), deps(), options);
    expect(outcome).toMatchObject({
      kind: 'delivered',
      version: 4,
      tokenId: 'tok-current',
      presented: 'previous',
    });
    expect(outcome.kind === 'delivered' && outcome.token.reveal() === current).toBe(true);
    // Handing the token over is not a pickup: the host proves it holds it by presenting it.
    expect(store.pickups.get(NAME)).toBeUndefined();
  });

  it('records a pickup when a host presents the current token, once', async () => {
    rotated(10);
    const first = await exchange(present(current), deps(), options);
    expect(first).toMatchObject({
      presented: 'current',
      pickedUp: { tokenId: 'tok-current', at: NOW },
    });
    expect(store.pickups.get(NAME)).toEqual({ tokenId: 'tok-current', at: NOW });
    const again = await exchange(present(current), deps(), options);
    expect(again).not.toHaveProperty('pickedUp');
  });

  it('asks License Manager too, in the home region, with the record’s properties', async () => {
    rotated(10);
    await exchange(present(current), deps(), options);
    expect(tokens.callsOf('verify')).toEqual([
      expect.objectContaining({
        where: expect.objectContaining({ licenseArn: aRecord().licenseArn }),
      }),
    ]);
    tokens.verifyError = rejected();
    await expect(exchange(present(current), deps(), options)).resolves.toEqual({
      kind: 'refused',
      why: 'rejected-by-license-manager',
    });
  });

  it('refuses the previous token after its grace period under after-grace', async () => {
    rotated(100);
    await expect(exchange(present(previous), deps(), options)).resolves.toEqual({
      kind: 'refused',
      why: 'not-current-or-previous',
    });
  });

  it('accepts the previous token past its grace period under after-pickup, until it is revoked', async () => {
    rotated(100);
    await expect(exchange(present(previous), deps(), afterPickup)).resolves.toMatchObject({
      kind: 'delivered',
      presented: 'previous',
    });
    // Once deleted (License Manager refuses it), a leaked or revoked previous token gets nothing.
    tokens.verifyError = rejected();
    await expect(exchange(present(previous), deps(), afterPickup)).resolves.toMatchObject({
      kind: 'refused',
    });
  });

  it.each([
    ['a token of another parameter', () => fakeToken()],
    ['a truncated current token', () => current.slice(0, -3)],
    ['garbage', () => 'not-a-token'],
  ])('refuses %s, and records nothing', async (_, token) => {
    rotated(10);
    await expect(exchange(present(token()), deps(), afterPickup)).resolves.toEqual({
      kind: 'refused',
      why: 'not-current-or-previous',
    });
    expect(store.pickups.size).toBe(0);
    expect(tokens.callsOf('verify')).toEqual([]);
  });

  it('refuses an unknown or unmanaged parameter', async () => {
    await expect(exchange(present(current), deps(), options)).resolves.toMatchObject({
      why: 'unknown-parameter',
    });
    store.set(NAME, 1, 'unmanaged: rotated by hand', current);
    await expect(exchange(present(current), deps(), options)).resolves.toMatchObject({
      why: 'unmanaged',
    });
  });

  it('fails transiently, not as a refusal, when License Manager cannot say', async () => {
    rotated(10);
    tokens.verifyError = new TransientError('GetAccessToken', 'ThrottlingException', 'slow');
    await expect(exchange(present(current), deps(), options)).rejects.toBeInstanceOf(
      TransientError,
    );
    tokens.verifyError = new PermanentError('GetAccessToken', 'AccessDeniedException', 'no');
    await expect(exchange(present(current), deps(), options)).rejects.toMatchObject({
      code: 'AccessDeniedException',
    });
  });
});

describe('parseExchangeRequest', () => {
  const body = (value: unknown) => JSON.stringify(value);

  it('takes exactly a parameter name under the path and a token', () => {
    const request = parseExchangeRequest(
      body({ parameterName: NAME, token: 'eyJ.a.b' }),
      TOKEN_PATH,
    );
    expect(request?.parameterName).toBe(NAME);
    expect(request?.token.reveal()).toBe('eyJ.a.b');
  });

  it.each([
    ['not JSON', '{'],
    ['an extra field', body({ parameterName: NAME, token: 't', licenseArn: 'x' })],
    ['a missing token', body({ parameterName: NAME })],
    ['a name outside the path', body({ parameterName: '/other/x', token: 't' })],
    ['a name with ..', body({ parameterName: `${TOKEN_PATH}../x`, token: 't' })],
    ['a token with a space', body({ parameterName: NAME, token: 'a b' })],
    ['a token too long', body({ parameterName: NAME, token: 'x'.repeat(4097) })],
    ['an array', body([NAME, 't'])],
  ])('refuses %s', (_, text) => {
    expect(parseExchangeRequest(text, TOKEN_PATH)).toBeUndefined();
  });
});

describe('sameToken', () => {
  it('compares by value, whatever the lengths', () => {
    const token = fakeToken();
    expect(sameToken(new Secret(token), new Secret(`${token}`))).toBe(true);
    expect(sameToken(new Secret(token), new Secret(`${token}x`))).toBe(false);
    expect(sameToken(new Secret(''), new Secret(token))).toBe(false);
  });
});
