import { spawn } from 'node:child_process';
import { MINUTE_MS } from '../time.js';
import { errorCode } from './errors.js';

/** A hung command must not stop the `run` loop for good. */
const ON_CHANGE_TIMEOUT_MS = 5 * MINUTE_MS;

/**
 * Runs the `--on-change` command through `/bin/sh -c`, with LICENSE_TOKEN_FILE set to the token
 * file. Its output goes to stderr: stdout is the agent's one line. Resolves with why it failed,
 * or undefined when it exited 0.
 */
export function runOnChange(command: string, tokenFile: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, LICENSE_TOKEN_FILE: tokenFile },
      stdio: ['ignore', 2, 2],
      timeout: ON_CHANGE_TIMEOUT_MS,
    });
    child.on('error', (error) => resolve(`could not start it (${errorCode(error)})`));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(undefined);
      else resolve(signal === null ? `it exited ${code}` : `it was ended by ${signal}`);
    });
  });
}
