import type { Sandbox } from '../sandbox/sandbox.js';
import { sandboxClients } from './clients.js';
import { DEMO_TOKEN_PATH, seedDemoFleet } from './demo-fleet.js';
import { handlerEnvironment } from './handlers.js';
import { createRotatorQueues } from './queues.js';

/**
 * `npm start -- --serve`: creates the queues, seeds the demo fleet (unless `empty`) and prints how
 * to reach the sandbox: the endpoint, the environment the handlers need, the admin routes.
 */
export async function prepareServe(
  sandbox: Sandbox,
  options: {
    readonly region: string;
    readonly empty: boolean;
    readonly print: (text: string) => void;
  },
): Promise<void> {
  const clients = sandboxClients(sandbox.endpoint, options.region);
  const queues = await createRotatorQueues(clients.sqs);
  const seeded = options.empty ? undefined : await seedDemoFleet(sandbox, clients, DEMO_TOKEN_PATH);
  const env = handlerEnvironment({
    endpoint: sandbox.endpoint,
    region: options.region,
    queues,
    tokenPath: DEMO_TOKEN_PATH,
    verbose: true,
  });
  const { print } = options;
  print(
    `Sandbox listening at ${sandbox.endpoint} (SSM, SQS, License Manager; seed ${sandbox.seed}).`,
  );
  print(
    seeded === undefined
      ? 'Started empty: the two queues exist, nothing else.'
      : `Seeded the demo fleet: ${seeded.managed} tokens under ${DEMO_TOKEN_PATH}, and the rotator's two queues.`,
  );
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
  print(
    `\nAdmin routes: GET /_sandbox/state, GET|POST /_sandbox/clock {"advanceDays":30}, GET|POST|DELETE /_sandbox/faults, GET|POST /_sandbox/licenses.\nCtrl-C stops it.`,
  );
}
