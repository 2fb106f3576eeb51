import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExchange, MAX_BODY_BYTES, REFUSAL } from '../../../src/app/exchange.js';
import { TransientError } from '../../../src/errors.js';
import type { RotationEvent } from '../../../src/rotation/ports.js';
import { aRecord, NOW, ROTATE_OPTIONS, TOKEN_PATH } from '../../helpers/factories.js';
import { aContext, aFunctionUrlEvent } from '../../helpers/lambda.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';
import { capturedJson, capturedOutput, clearCapturedOutput } from '../../helpers/output.js';
import { fakeToken } from '../../helpers/secrets.js';

const NAME = `${TOKEN_PATH}acme/prod`;
let store: MemoryStore;
let tokens: MemoryTokens;
let published: RotationEvent[];
let token: string;
let metrics: Metrics;

const handler = () =>
  createExchange({
    config: { ...ROTATE_OPTIONS, tokenPath: TOKEN_PATH, eventBusName: 'default' },
    store,
    vault: store,
    tokens,
    pickups: store,
    events: { publish: async (events) => void published.push(...events) },
    logger: new Logger({ serviceName: 'exchange-test' }),
    metrics,
    clock: () => NOW,
  });
const call = (body: string, overrides = {}) =>
  handler()(aFunctionUrlEvent(body, overrides), aContext('exchange'));
const ask = (presented: string) => JSON.stringify({ parameterName: NAME, token: presented });

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
  published = [];
  token = fakeToken();
  metrics = new Metrics({ namespace: 'Test', serviceName: 'exchange-test' });
  store.set(NAME, 2, aRecord({ tokenId: 'tok-current' }), token);
  clearCapturedOutput();
});

describe('the exchange function', () => {
  it('answers a host holding the current token with it, records the pickup and announces it', async () => {
    const answer = await call(ask(token));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(JSON.parse(answer.body ?? '{}')).toEqual({
      v: 1,
      parameterName: NAME,
      version: 2,
      tokenId: 'tok-current',
      expiresAt: aRecord().expiresAt,
      token,
    });
    expect(published.map((event) => event.type)).toEqual(['Token Picked Up']);
    // The token goes to the caller only: never into a log line or a metric.
    expect(capturedOutput.join('')).not.toContain(token);
  });

  it('gives the same answer to everything it refuses, and logs why without the token', async () => {
    const presented = fakeToken();
    const answers = await Promise.all([
      call(ask(presented)),
      call('{not json'),
      call(ask(token), { method: 'GET' }),
      call(`${ask(token)}${' '.repeat(MAX_BODY_BYTES)}`),
    ]);
    for (const answer of answers) expect(answer).toEqual(REFUSAL);
    const output = capturedOutput.join('');
    expect(output).toContain('not-current-or-previous');
    expect(output).toContain('bad-request');
    expect(output).not.toContain(presented);
    expect(output).not.toContain(token);
  });

  it('reads a base64 body as a function URL may send it', async () => {
    expect((await call(ask(token), { base64: true })).statusCode).toBe(200);
  });

  it('answers 503, not a refusal, when a service cannot say now', async () => {
    tokens.verifyError = new TransientError('GetAccessToken', 'ThrottlingException', 'slow');
    const answer = await call(ask(token));
    expect(answer.statusCode).toBe(503);
  });

  it('counts each delivery, each pickup it records, and each refusal', async () => {
    const counts = (): Record<string, unknown>[] => {
      metrics.publishStoredMetrics();
      return capturedJson()
        .filter((line) => '_aws' in line)
        .map(({ _aws, service, ...values }) => values);
    };
    await call(ask(token));
    expect(counts()).toEqual([{ ExchangeDeliveries: 1, PickupsRecorded: 1 }]);
    clearCapturedOutput();
    await call(ask(fakeToken()));
    expect(counts()).toEqual([{ ExchangeRefusals: 1 }]);
  });

  it('refuses a body one byte over the limit, and takes one at the limit', async () => {
    const padded = (length: number) => {
      const text = ask(token);
      return `${text}${' '.repeat(length - Buffer.byteLength(text))}`;
    };
    expect((await call(padded(MAX_BODY_BYTES))).statusCode).toBe(200);
    expect(await call(padded(MAX_BODY_BYTES + 1))).toEqual(REFUSAL);
  });

  it('answers 503 with a message a host can read, and warns', async () => {
    tokens.verifyError = new TransientError('GetAccessToken', 'ThrottlingException', 'slow');
    const answer = await call(ask(token));
    expect(JSON.parse(answer.body ?? '{}')).toEqual({ message: 'try again later' });
    expect(capturedOutput.join('')).toContain('Exchange failed; the host will try again');
  });
});
