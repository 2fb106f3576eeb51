import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import packageJson from '../../package.json' with { type: 'json' };

/** What a finished subprocess printed and how it exited. */
export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

/** `npm start`'s command line, run as `node <tsx> <script>` so no shell or npm is involved. */
export function startCommand(args: readonly string[]): { command: string; args: string[] } {
  const [runner, script] = packageJson.scripts.start.split(' ');
  if (runner !== 'tsx' || script === undefined) {
    throw new Error(`npm start runs "${packageJson.scripts.start}", which this helper cannot run`);
  }
  return { command: process.execPath, args: [tsx, script, ...args] };
}

/** Starts `npm start -- <args>` with a clean AWS environment. */
export function spawnStart(args: readonly string[]): ChildProcess {
  const { command, args: argv } = startCommand(args);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  return spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `npm start -- <args>` to the end. */
export function runStart(args: readonly string[], timeoutMs = 30_000): Promise<Finished> {
  const child = spawnStart(args);
  let stdout = '';
  let stderr = '';
  // Collected, not echoed: the leak check reads what the test process itself prints.
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Resolves with everything the child printed on stdout from now until a line matches `pattern`
 * (that line included); rejects after `timeoutMs`.
 */
export function waitForText(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      const at = lines.findIndex((line) => pattern.test(line));
      if (at !== -1) {
        clearTimeout(timer);
        resolve(lines.slice(0, at + 1).join('\n'));
      }
    });
  });
}

/** Resolves with the first line matching `pattern` on the child's stdout. */
export async function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<string> {
  const text = await waitForText(child, pattern, timeoutMs);
  return text.slice(text.lastIndexOf('\n') + 1);
}
