import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An osls plugin that makes `serverless invoke local` work with this project's bundles. It
 * changes nothing for any other command: a package or a deploy never sees it.
 *
 * 1. osls loads a Node handler with require(), which finds `.js` and `.cjs` files but not the
 *    `.mjs` bundles Lambda runs; naming the bundle's extension in the handler lets require()
 *    load it (Node 22.12+ loads ES modules that way).
 * 2. When AWS_ENDPOINT_URL is set (moto, the sandbox, LocalStack), environment variables that
 *    serverless.yml gives as a CloudFormation `Ref` (the queue URLs) come from the shell: osls
 *    resolves a `Ref` by asking CloudFormation for the deployed stack, and an emulator has none.
 *    Without AWS_ENDPOINT_URL they are looked up in the deployed stack, as osls always does.
 */
export default class InvokeLocalEnv {
  /**
   * @param {{ processedInput: { commands: string[] }, serviceDir: string, service: { provider: { environment?: Record<string, unknown> }, functions: Record<string, { handler?: string, environment?: Record<string, unknown> }> }, classes: { Error: new (message: string) => Error } }} serverless
   * @param {{ function?: string }} options
   */
  constructor(serverless, options) {
    this.hooks = {
      // After serverless-esbuild's hook for the same event: the bundles exist by then.
      'before:invoke:local:invoke': () => {
        const fn = serverless.service.functions[options.function ?? ''];
        const match = /^(.+)\.([^.]+)$/.exec(fn?.handler ?? '');
        if (fn === undefined || match === null) return;
        const [, file, name] = match;
        if (existsSync(join(serverless.serviceDir, `${file}.mjs`)))
          fn.handler = `${file}.mjs.${name}`;
      },
      initialize: () => {
        const [command, subcommand] = serverless.processedInput.commands;
        if (command !== 'invoke' || subcommand !== 'local' || !process.env.AWS_ENDPOINT_URL) {
          return;
        }
        // The invoked function's variables only: the scanner needs no dead-letter queue.
        const environments = [
          serverless.service.provider.environment,
          serverless.service.functions[options.function ?? '']?.environment,
        ];
        const missing = new Set();
        for (const environment of environments) {
          for (const [name, value] of Object.entries(environment ?? {})) {
            if (typeof value !== 'object' || value === null || !('Ref' in value)) continue;
            const fromShell = process.env[name];
            if (fromShell === undefined || fromShell === '') missing.add(name);
            else environment[name] = fromShell;
          }
        }
        if (missing.size > 0) {
          throw new serverless.classes.Error(
            `AWS_ENDPOINT_URL is set, so invoke local takes these from the shell (there is no stack to look them up in): ${[...missing].join(', ')}. README, "Deploy", runs it locally.`,
          );
        }
      },
    };
  }
}
