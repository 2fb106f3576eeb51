import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { capturedOutput } from './output.js';
import { mintedTokens } from './secrets.js';

// Invariant 3: every byte the code under test prints is captured and checked for minted tokens.
const leaks: string[] = [];
const capture = (stream: NodeJS.WriteStream): void => {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    capturedOutput.push(text);
    for (const token of mintedTokens) if (text.includes(token)) leaks.push(text);
    return process.env.SHOW_LOGS ? write(chunk, ...rest) : true;
  }) as typeof stream.write;
};
capture(process.stdout);
capture(process.stderr);

afterAll(() => {
  expect(leaks, 'a minted token was written to stdout or stderr').toEqual([]);
});

// The time budget (CI sets TEST_TIME_BUDGET, e.g. 0.5): a test that passed but used more than that
// share of its timeout fails all the same. On a slower machine it would time out: CI says so first.
const budget = Number(process.env.TEST_TIME_BUDGET ?? '');
if (budget > 0 && budget < 1) {
  let started = 0;
  beforeEach(() => {
    started = performance.now();
  });
  afterEach((context) => {
    const took = performance.now() - started;
    const { timeout } = context.task;
    expect(
      took,
      `took ${Math.round(took)} ms, over ${budget} of its ${timeout} ms timeout: make it cheaper, or give it a timeout at least ten times its typical duration, with the reason`,
    ).toBeLessThanOrEqual(budget * timeout);
  });
}
