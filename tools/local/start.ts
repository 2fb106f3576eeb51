import { UsageError } from '../../src/errors.js';
import { type Sandbox, startSandbox } from '../sandbox/sandbox.js';
import { parseStartArgs, type StartOptions, USAGE } from './args.js';
import { runDemo } from './demo.js';
import { prepareServe, type ServeSession } from './serve.js';

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** The options, or undefined once a mistake in them has been explained on stderr. */
function parseOrExplain(argv: readonly string[]): StartOptions | undefined {
  try {
    return parseStartArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm start: ${error.message}\nTry: npm start -- --help\n`);
    return undefined;
  }
}

/** Starts the sandbox; undefined once a port in use has been explained on stderr. */
async function openSandbox(options: StartOptions): Promise<Sandbox | undefined> {
  const port = options.port ?? (options.serve ? 4566 : 0);
  try {
    return await startSandbox({
      port,
      defaultRegion: options.region,
      // With --serve the faults apply from the start; the demo applies them to the handlers only.
      ...(options.serve ? { faults: options.faults } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    process.stderr.write(`npm start: port ${port} is in use; pass --port 0 for a free one.\n`);
    return undefined;
  }
}

/** `--serve`: seeds the sandbox, serves the exchange, and keeps both up until Ctrl-C (or SIGTERM). */
async function serve(sandbox: Sandbox, options: StartOptions): Promise<number> {
  // Listening from the start: a Ctrl-C during the setup still removes the host's token file.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  let session: ServeSession;
  try {
    session = await prepareServe(sandbox, {
      region: options.region,
      empty: options.empty,
      verbose: options.verbose,
      print,
    });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  await stopped;
  await session.close();
  await sandbox.close();
  print('\nSandbox stopped.');
  return 0;
}

/** The demo run; exit 1 when it did not end as expected. */
async function demo(sandbox: Sandbox, options: StartOptions): Promise<number> {
  try {
    const report = await runDemo(sandbox, {
      region: options.region,
      verbose: options.verbose,
      faults: options.faults,
      print,
    });
    return report.surprises.length === 0 ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

/** `npm start`: the demo run by default, the long-running sandbox with --serve. */
async function main(argv: readonly string[]): Promise<number> {
  const options = parseOrExplain(argv);
  if (options === undefined) return 2;
  if (options.help) {
    print(USAGE);
    return 0;
  }
  const sandbox = await openSandbox(options);
  if (sandbox === undefined) return 1;
  return options.serve ? serve(sandbox, options) : demo(sandbox, options);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
