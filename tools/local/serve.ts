import { join } from 'node:path';
import { buildAgent } from '../../scripts/build-agent.mjs';
import type { Sandbox } from '../sandbox/sandbox.js';
import { sandboxClients } from './clients.js';
import {
  CONSUMER_ROLE_ARN,
  type DemoHost,
  makeHostDirectory,
  provisionHost,
  refreshArgs,
  removeHostDirectory,
  shellCommand,
  startExchange,
} from './consumer.js';
import { DEMO_TOKEN_PATH, HOST_PARAMETER, seedDemoFleet } from './demo-fleet.js';
import type { LocalFunctionUrl } from './function-url.js';
import { handlerEnvironment, wireHandlers } from './handlers.js';
import { createRotatorQueues, type RotatorQueues } from './queues.js';

/** What `--serve` runs besides the sandbox; `close` stops it and removes the host's files. */
export interface ServeSession {
  close(): Promise<void>;
}

/** How `--serve` was asked to run. */
export interface ServeOptions {
  readonly region: string;
  readonly empty: boolean;
  /** Show the exchange's own log lines and metrics. */
  readonly verbose: boolean;
  readonly print: (text: string) => void;
}

/** The agent's file, built into the host's directory as `npm run package` builds it. */
const AGENT_FILE = 'license-token-agent.mjs';

/** The shell, SDK and handler environment, and the admin routes. */
function printSandbox(
  sandbox: Sandbox,
  queues: RotatorQueues,
  seeded: number | undefined,
  options: ServeOptions,
): void {
  const { print } = options;
  print(
    `Sandbox listening at ${sandbox.endpoint} (SSM, SQS, License Manager, STS, EventBridge; seed ${sandbox.seed}).`,
  );
  print(
    seeded === undefined
      ? 'Started empty: the two queues exist, nothing else.'
      : `Seeded the demo fleet: ${seeded} tokens under ${DEMO_TOKEN_PATH}, and the rotator's two queues.`,
  );
  const env = handlerEnvironment({
    endpoint: sandbox.endpoint,
    region: options.region,
    queues,
    tokenPath: DEMO_TOKEN_PATH,
    verbose: true,
  });
  print('\nPoint a shell, the SDK or the handlers at it:');
  for (const name of [
    'AWS_ENDPOINT_URL',
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'TOKEN_PATH',
    'JOB_QUEUE_URL',
    'DEAD_LETTER_QUEUE_URL',
  ]) {
    print(`  export ${name}=${env[name]}`);
  }
  print(
    `\nThen, for example:\n  aws ssm describe-parameters\n  curl -s ${sandbox.endpoint}/_sandbox/state`,
  );
}

/** The exchange's URL and role, and how a host calls it with the agent. */
function printExchange(
  sandbox: Sandbox,
  exchange: LocalFunctionUrl,
  agentFile: string,
  host: DemoHost | undefined,
  print: (text: string) => void,
): void {
  print(
    `\nToken exchange: the real exchange function behind a local function URL (AuthType AWS_IAM).\n  URL   ${exchange.url}\n  role  ${CONSUMER_ROLE_ARN} (the only one allowed to invoke it; the demo's tokens name it)`,
  );
  const hostArgs =
    host === undefined
      ? refreshArgs({ tokenFile: 'FILE', parameterName: 'NAME' }, exchange)
      : refreshArgs(host, exchange);
  print(
    host === undefined
      ? `\nA host refreshes a token file through it with the agent (built into ${agentFile}; \`npm run package\` builds dist/${AGENT_FILE}):`
      : `\nA demo host holds ${host.parameterName}'s token in ${host.tokenFile} (mode 0600). Refresh it through the exchange with the agent (built into ${agentFile}; \`npm run package\` builds dist/${AGENT_FILE}):`,
  );
  const words = [`AWS_ENDPOINT_URL=${sandbox.endpoint}`, 'node', agentFile, ...hostArgs];
  print(`  ${shellCommand(words, '  ')}`);
  print(
    "The agent signs with this machine's clock, and the exchange holds signatures to it: moving the sandbox's clock does not lock hosts out.",
  );
}

/**
 * `npm start -- --serve`: creates the queues, seeds the demo fleet (unless `empty`), serves the
 * real exchange behind a local function URL for the demo's consumer role, provisions a demo host
 * with a token file and builds the agent beside it, and prints how to reach all of it.
 */
export async function prepareServe(sandbox: Sandbox, options: ServeOptions): Promise<ServeSession> {
  const clients = sandboxClients(sandbox.endpoint, options.region);
  const queues = await createRotatorQueues(clients.sqs);
  const seeded = options.empty ? undefined : await seedDemoFleet(sandbox, clients, DEMO_TOKEN_PATH);
  const handlers = wireHandlers(
    {
      endpoint: sandbox.endpoint,
      region: options.region,
      queues,
      tokenPath: DEMO_TOKEN_PATH,
      verbose: options.verbose,
    },
    () => sandbox.clock.now(),
  );
  const dir = await makeHostDirectory();
  try {
    const host =
      seeded === undefined ? undefined : await provisionHost(clients.ssm, dir, HOST_PARAMETER);
    const agentFile = join(dir, AGENT_FILE);
    await buildAgent(agentFile);
    // Started last: nothing after it can fail and leave it listening.
    const exchange = await startExchange(sandbox, handlers.exchange, {
      region: options.region,
      signingClock: () => Date.now(),
    });
    printSandbox(sandbox, queues, seeded?.managed, options);
    printExchange(sandbox, exchange, agentFile, host, options.print);
    options.print(
      `\nAdmin routes: GET /_sandbox/state, GET|POST /_sandbox/clock {"advanceDays":30}, GET|POST|DELETE /_sandbox/faults, GET|POST /_sandbox/licenses, GET|POST /_sandbox/buses (docs/sandbox.md).\nCtrl-C stops it.`,
    );
    return {
      close: async () => {
        await exchange.close();
        await removeHostDirectory(dir);
      },
    };
  } catch (error) {
    await removeHostDirectory(dir);
    throw error;
  }
}
