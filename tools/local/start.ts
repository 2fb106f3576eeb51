import { UsageError } from '../../src/errors.js';
import { startSandbox } from '../sandbox/sandbox.js';
import { parseStartArgs, type StartOptions, USAGE } from './args.js';
import { runDemo } from './demo.js';
import { prepareServe } from './serve.js';

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** `npm start`: the demo run by default, the long-running sandbox with --serve. */
async function main(argv: readonly string[]): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm start: ${error.message}\nTry: npm start -- --help\n`);
    return 2;
  }
  if (options.help) {
    print(USAGE);
    return 0;
  }
  const port = options.port ?? (options.serve ? 4566 : 0);
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port,
      defaultRegion: options.region,
      // With --serve the faults apply from the start; the demo applies them to the handlers only.
      ...(options.serve ? { faults: options.faults } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`npm start: port ${port} is in use; pass --port 0 for a free one.\n`);
      return 1;
    }
    throw error;
  }
  if (options.serve) {
    await prepareServe(sandbox, { region: options.region, empty: options.empty, print });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sandbox.close();
    print('\nSandbox stopped.');
    return 0;
  }
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
