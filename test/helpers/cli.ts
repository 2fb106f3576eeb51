import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { SANDBOX_CREDENTIALS } from '../../tools/local/clients.js';
import type { Sandbox } from '../../tools/sandbox/sandbox.js';
import { TOKEN_PATH } from './factories.js';
import { TEST_REGION } from './sandbox.js';

/** What a CLI run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment an operator would have, pointed at the sandbox. */
export const cliEnv = (
  sandbox: Sandbox,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  AWS_ENDPOINT_URL: sandbox.endpoint,
  AWS_REGION: TEST_REGION,
  AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
  TOKEN_PATH,
  ...extra,
});

/**
 * Runs the CLI in-process, exactly as the executable does (same `main`, real SDK clients over
 * HTTP to the sandbox), with the sandbox's clock and captured output.
 */
export async function runCli(
  sandbox: Sandbox,
  args: readonly string[],
  options: { env?: Record<string, string>; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty === true },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: cliEnv(sandbox, options.env),
    clock: () => sandbox.clock.now(),
  });
  // Through this process's own output, so that the leak check (setup.ts) reads every word the CLI
  // printed; all but `--reveal`'s, whose purpose is to print the token.
  if (!args.includes('--reveal')) process.stdout.write(`${stdout}${stderr}`);
  return { code, stdout, stderr };
}

const BIN = fileURLToPath(new URL('../../bin/license-token-rotator.mjs', import.meta.url));

/** Runs the `license-token-rotator` executable as a subprocess against the sandbox. */
export function spawnCli(
  sandbox: Sandbox,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...inherited, ...cliEnv(sandbox, extraEnv) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // Collected, never echoed: the leak check watches what this process prints.
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
