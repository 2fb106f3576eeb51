import { afterAll, expect } from 'vitest';
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
