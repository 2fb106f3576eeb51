/**
 * license-token-agent's entry point, bundled by scripts/build-agent.mjs into one file that runs
 * on a plain Node.js 20 with no node_modules.
 */
import { runAgent } from './cli.js';

/** A signal that fires on the first SIGTERM or SIGINT; a second one ends the process at once. */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => controller.abort());
  return controller.signal;
}

process.exitCode = await runAgent(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stopSignal,
});
